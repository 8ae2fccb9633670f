"""What `reconciler run` and `migrate --check` run: a config's hooks and actions, as templates.

The config is read with every keyword kept as written (``##KEY##``), so nothing derived from it
can carry a value; values are filled only into the text handed to Node (``KeywordValues``),
and every value filled is masked out of what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from reconciler.errors import TargetError
from reconciler.keywords import Keywords, keywords_in
from reconciler.resources.hooks.model import DesiredState
from reconciler.usecases.loading import load_desired
from reconciler.runner.execute import DEFAULT_TIMEOUT, run_script
from reconciler.runner.outcome import Outcome
from reconciler.runner.samples import Sample, builtin_samples, config_samples


@dataclass(frozen=True)
class Target:
    """One script to run: a hook or an action, its code and secrets as templates."""

    kind: str  # "hook" | "action"
    name: str
    trigger: str
    code: str
    secrets: Mapping[str, str] = field(default_factory=dict)


def load_templates(config: str) -> DesiredState:
    """The config's desired state with every keyword left as written (no value is read)."""
    if not Path(config).is_dir():
        raise TargetError(f"{config}: not a config directory (migrate and run read deploy-cli's directory layout)")
    return load_desired(config, env={}, fill_missing=lambda key: f"##{key}##").desired


def targets(state: DesiredState) -> list[Target]:
    out = [Target("hook", h.name, h.trigger_id, h.script, dict(h.secrets)) for h in state.hooks]
    for action in state.actions.actions if state.actions else ():
        out.append(Target("action", action.name, action.trigger[0], action.code, dict(action.secrets)))
    return out


def find_target(state: DesiredState, name: str, kind: str | None = None) -> Target:
    found = [t for t in targets(state) if t.name == name and kind in (None, t.kind)]
    if not found:
        known = ", ".join(sorted({t.name for t in targets(state)})) or "none"
        what = kind or "hook or action"
        raise TargetError(f"no {what} named {name!r} in the config (known: {known})")
    if len(found) > 1:
        raise TargetError(f"{name!r} is both a hook and an action: pass --kind hook or --kind action")
    return found[0]


class KeywordValues:
    """Keyword values for running scripts: from ``env`` (the CLI passes its settings' keyword
    source; library code never reads the process environment), else a visible dummy (recorded)."""

    def __init__(self, env: Mapping[str, object] | None = None) -> None:
        # URL-shaped, so a keyword used as a claim namespace stays a namespace Hooks accept.
        self._keywords = Keywords.from_env(env or {}, lambda key: f"https://unset.invalid/{key}/")
        self.sensitive: dict[str, str] = {}

    @property
    def filled(self) -> tuple[str, ...]:
        """Keywords that had no value and got a dummy one."""
        return self._keywords.filled

    def fill(self, template: str) -> str:
        for keyword in keywords_in(template):
            key = keyword[2:-2]
            self.sensitive[key] = self._keywords.replace(f"##{key}##").text
        return self._keywords.replace(template).text


def samples_for(trigger: str, config: str | None = None, event: str | None = None) -> tuple[Sample, ...]:
    from reconciler.runner.samples import read_event

    if event is not None:
        return (read_event(event),)
    return builtin_samples(trigger) + (config_samples(config, trigger) if config else ())


def run_target(target: Target, samples: tuple[Sample, ...], values: KeywordValues,
               timeout: float = DEFAULT_TIMEOUT) -> list[Outcome]:
    """Run ``target`` on each sample; values are filled here and masked in every outcome."""
    code = values.fill(target.code)
    secrets = {name: values.fill(template) for name, template in target.secrets.items()}
    return [
        run_script(kind=target.kind, name=target.name, trigger=target.trigger, code=code, secrets=secrets,
                   sample=sample, sensitive={**values.sensitive, **_by_name(target, secrets)}, timeout=timeout)
        for sample in samples
    ]


def _by_name(target: Target, secrets: Mapping[str, str]) -> dict[str, str]:
    """Secrets written literally in the config are masked under their own names."""
    return {name: value for name, value in secrets.items() if not keywords_in(target.secrets[name])}


@dataclass(frozen=True)
class Ran:
    target: Target
    outcomes: tuple[Outcome, ...]
    filled: tuple[str, ...]  # keywords run with a dummy value


def run_named(config: str, name: str, *, kind: str | None = None, event: str | None = None,
              all_samples: bool = False, env: Mapping[str, object] | None = None) -> Ran:
    """`reconciler run`: the hook or action ``name`` on its trigger's first built-in sample,
    on every sample (built-in and the config's), or on ``event``."""
    from reconciler.runner.node import find_node

    find_node()  # NodeNotFound, saying how to get Node, before any other work
    target = find_target(load_templates(config), name, kind)
    samples = samples_for(target.trigger, config if all_samples else None, event)
    if not all_samples and event is None:
        samples = samples[:1]
    if not samples:
        raise TargetError(f"no sample event for trigger {target.trigger}: pass --event FILE")
    values = KeywordValues(env)
    return Ran(target, tuple(run_target(target, samples, values)), values.filled)
