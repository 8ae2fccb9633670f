"""Start-up and run-time options of the emulator (one dataclass for the CLI, `start()` and admin)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.emulator.limits import parse_faults
from reconciler.emulator.store import CONFLICT_MODES


def parse_bad_dependencies(value: object) -> tuple[str, ...]:
    """`"crypto@17.7.1 left-pad"` or a list -> ("crypto@17.7.1", "left-pad"); a bare name fails every version."""
    if value is None:
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip() or item.strip().endswith("@"):
            raise ValueError(f"bad dependency spec {item!r}: expected NAME or NAME@VERSION")
        out.append(item.strip())
    return tuple(out)


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port (the CLI's default is 8787)
    state_file: str | None = None
    client_id: str = "emulator"
    client_secret: str = "emulator-secret"
    # The scopes tokens get; None: every served type's (the app fills them in and refuses a
    # scope no type's routes ask for: the types come from the registry, ``parts.py``).
    scopes: tuple[str, ...] | None = None
    rate_limit: float = 50.0  # tokens per second; <= 0 disables rate limiting
    burst: int = 50
    retry_after: bool = False
    latency_ms: float = 0.0
    faults: dict[str, float] = field(default_factory=dict)
    fault_seed: int | None = None
    enabled_conflict: str = "reject"
    token_ttl: int = 86400
    tls_cert: str | None = None
    tls_key: str | None = None
    # Actions: a draft builds in build_time + build_time_per_dependency * len(dependencies)
    # seconds; a dependency in bad_dependencies ("name@version", or "name" for any version)
    # makes the build end in `failed`. manual_builds: builds only advance on
    # POST /__emulator/builds (deterministic replays and tests).
    actions_enabled: bool = True
    # False: a tenant after Auth0 ended Hooks (every /hooks request answers 403 "Insufficient
    # privileges to use this deprecated feature", as the real one does).
    hooks_enabled: bool = True
    build_time: float = 0.2
    build_time_per_dependency: float = 0.5
    bad_dependencies: tuple[str, ...] = ()
    manual_builds: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.faults, str) or self.faults is None:
            self.faults = parse_faults(self.faults)
        else:
            self.faults = parse_faults(dict(self.faults))
        if isinstance(self.scopes, str):
            self.scopes = tuple(s for s in self.scopes.replace(",", " ").split() if s)
        if self.scopes is not None:
            self.scopes = tuple(self.scopes)
        if self.enabled_conflict not in CONFLICT_MODES:
            raise ValueError(f"enabled_conflict must be one of {', '.join(CONFLICT_MODES)}")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        self.bad_dependencies = parse_bad_dependencies(self.bad_dependencies)
        for name in ("build_time", "build_time_per_dependency"):
            value = float(getattr(self, name))
            if not 0 <= value <= 3600:
                raise ValueError(f"{name} must be within 0..3600 seconds")
            setattr(self, name, value)


# Options that POST /__emulator/config may change at run time.
RUNTIME_OPTIONS = (
    "scopes", "rate_limit", "burst", "retry_after", "latency_ms", "faults", "fault_seed",
    "enabled_conflict", "token_ttl",
    "actions_enabled", "hooks_enabled", "build_time", "build_time_per_dependency", "bad_dependencies", "manual_builds",
)
