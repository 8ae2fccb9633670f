"""The conformance suite's world: one resource type's sample taken through every use case
against its own in-process emulator, each stage run once and kept (``tests/resources/
test_conformance.py`` asserts on them).

A type brings its sample in ``tests/resources/<package>/sample/<type name>/``:

    config/        a small config in deploy-cli's layout that holds the type's resources
    sample.yaml    keywords: {NAME: value}   values the config uses for secrets only (canaries:
                                              they must never show in any output)
                   reasons: {code: {arg: value}}   every reason code the type declares, with
                                              example arguments (each must word into a line)
                   register: module:NAME     only for a type registered from the tests: its
                                              ResourceType, registered for the world's
                                              lifetime (emulator included), gone after it

Everything goes through the use cases and the registry, never a type's own modules, so the
suite follows the engine wherever its modules move.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from reconciler.api.client import ManagementClient
from reconciler.config import Settings
from reconciler.core.plan import Plan
from reconciler.core.reasons import Reason
from reconciler.emulator.server import RunningEmulator, start
from reconciler.planfile import write_plan
from reconciler.resources.base import ResourceType
from reconciler.resources.builtin import registry
from reconciler.usecases import exporting
from reconciler.usecases.applying import ApplyOutcome, apply_plan
from reconciler.usecases.loading import Loaded, load_desired, plan_options
from reconciler.usecases.planning import make_plan, state_of

RESOURCES_TESTS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sample:
    type_name: str
    directory: Path
    keywords: dict[str, str]
    reasons: dict[str, dict[str, Any]]
    register: str | None

    @property
    def config(self) -> Path:
        return self.directory / "config"

    def declared(self) -> tuple[Reason, ...]:
        return tuple(Reason.of(code, **(args or {})) for code, args in self.reasons.items())

    @contextlib.contextmanager
    def registered(self) -> Iterator[None]:
        """The type registered for the duration (a no-op for a type the registry has)."""
        if self.register is None:
            yield
            return
        module, _, name = self.register.partition(":")
        resource = getattr(importlib.import_module(module), name)
        if not isinstance(resource, ResourceType):
            raise TypeError(f"{self.directory / 'sample.yaml'}: register: {self.register} is not a ResourceType")
        with registry().registered(resource):
            yield


def samples() -> dict[str, Sample]:
    """Every sample in the tests, by type name."""
    found: dict[str, Sample] = {}
    for meta in sorted(RESOURCES_TESTS.glob("*/sample/*/sample.yaml")):
        data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
        name = meta.parent.name
        if name in found:
            raise ValueError(f"two samples for type {name!r}: {found[name].directory} and {meta.parent}")
        found[name] = Sample(name, meta.parent, {str(k): str(v) for k, v in (data.get("keywords") or {}).items()},
                             dict(data.get("reasons") or {}), data.get("register"))
    return found


def type_names() -> list[str]:
    """The registered types, then the types the tests register themselves."""
    registered = list(registry().names())
    return registered + [name for name, s in samples().items() if s.register and name not in registered]


def reasons_of(plan: Plan) -> list[Reason]:
    """Every reason a plan holds: warnings, skipped changes, steps."""
    found = list(plan.warnings)
    found += [c.skipped for c in plan.changes if c.skipped is not None]
    found += [s.reason for s in plan.steps if getattr(s, "reason", None) is not None]
    return found


@dataclass
class World:
    """One type's sample against one emulator; each stage runs when first asked for."""

    sample: Sample
    emu: RunningEmulator
    tmp: Path
    plans: list[Plan] = field(default_factory=list)

    @property
    def resource(self) -> ResourceType[Any, Any]:
        return registry().get(self.sample.type_name)

    @cached_property
    def settings(self) -> Settings:
        return Settings(domain=self.emu.base_url, client_id=self.emu.client_id,
                        client_secret=self.emu.client_secret, keyword_mappings=dict(self.sample.keywords))

    def client(self) -> ManagementClient:
        return ManagementClient(self.settings.connection())

    @cached_property
    def options(self) -> Any:
        return plan_options(self.settings)

    @cached_property
    def loaded(self) -> Loaded:
        return load_desired(str(self.sample.config), self.settings.keyword_source())

    def plan(self, loaded: Loaded | None = None) -> Plan:
        with self.client() as client:
            made = make_plan((loaded or self.loaded).desired, client, self.options)
        self.plans.append(made)
        return made

    @cached_property
    def first(self) -> Plan:
        """The plan against the empty tenant."""
        return self.plan()

    @cached_property
    def plan_file(self) -> Path:
        path = self.tmp / "plan.json"
        write_plan(self.first, path, config=str(self.sample.config), options=self.options)
        return path

    @cached_property
    def applied(self) -> ApplyOutcome:
        self.plan_file  # written before the tenant changes  # noqa: B018
        with self.client() as client:
            return apply_plan(self.first, self.loaded.desired, client, self.options, holder="conformance suite")

    @cached_property
    def second(self) -> Plan:
        """The plan once the first is applied."""
        self.applied  # noqa: B018
        return self.plan()

    @cached_property
    def export(self) -> Path:
        self.applied  # noqa: B018
        out = self.tmp / "exported"
        exporting.export_tenant(self.client, self.settings, str(out))  # looked up now: a test may wrap it
        return out

    @cached_property
    def exported(self) -> Loaded:
        return load_desired(str(self.export), self.settings.keyword_source())

    @cached_property
    def export_plan(self) -> Plan:
        return self.plan(self.exported)

    def state(self, loaded: Loaded) -> Any:
        return state_of(self.resource, loaded.desired)

    def canaries(self) -> list[str]:
        """The sample's keyword values in every encoding an output could hold them."""
        import base64
        from urllib.parse import quote

        out: list[str] = []
        for value in self.sample.keywords.values():
            out += [value, json.dumps(value)[1:-1], quote(value, safe=""), base64.b64encode(value.encode()).decode()]
        return sorted(set(out))


@contextlib.contextmanager
def world_for(sample: Sample, tmp: Path) -> Iterator[World]:
    # No rate limit and instant builds: the suite tests behaviour, never speed.
    with sample.registered():  # first: the emulator serves the types registered when it starts
        emu = start(port=0, rate_limit=0, build_time=0, build_time_per_dependency=0)
        try:
            yield World(sample, emu, tmp)
        finally:
            emu.stop()
