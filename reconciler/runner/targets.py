"""What `reconciler run` and `migrate --check` run: a config's hooks and actions, as templates.

The config is read with every keyword kept as written (``##KEY##``), so nothing derived from it
can carry a value; values are filled only into the text handed to Node (``KeywordValues``),
and every value filled is masked out of what comes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.credentials import is_tool_credential
from reconciler.errors import TargetError
from reconciler.keywords import MISSING, Keywords, keywords_in
from reconciler.resources.base import Desired
from reconciler.runner.execute import DEFAULT_TIMEOUT, Job, run_scripts
from reconciler.runner.outcome import Outcome
from reconciler.runner.samples import Answers, Sample, builtin_samples, config_samples
from reconciler.usecases.loading import load_desired


@dataclass(frozen=True)
class Target:
    """One script to run: a hook or an action, its code and secrets as templates."""

    kind: str  # "hook" | "action"
    name: str
    trigger: str
    code: str
    secrets: Mapping[str, str] = field(default_factory=dict)


def load_templates(config: str, values: KeywordValues | None = None) -> Desired:
    """The config's desired state with every keyword left as written (no value is read), but
    for keywords standing for a whole secrets value (see ``_whole_values``)."""
    if not Path(config).is_dir():
        raise TargetError(f"{config}: not a config directory (migrate and run read deploy-cli's directory layout)")
    env = _whole_values(Path(config), values)
    return load_desired(config, env=env, fill_missing=lambda key: f"##{key}##").desired


def targets(state: Desired) -> list[Target]:
    hooks, actions = state.get("hook"), state.get("action")
    out = [Target("hook", h.name, h.trigger_id, h.script, dict(h.secrets)) for h in (hooks.hooks if hooks else ())]
    for action in actions.actions if actions else ():
        out.append(Target("action", action.name, action.trigger[0], action.code, dict(action.secrets)))
    return out


def find_target(state: Desired, name: str, kind: str | None = None) -> Target:
    found = [t for t in targets(state) if t.name == name and kind in (None, t.kind)]
    if not found:
        known = ", ".join(sorted({t.name for t in targets(state)})) or "none"
        what = kind or "hook or action"
        raise TargetError(f"no {what} named {name!r} in the config (known: {known})")
    if len(found) > 1:
        raise TargetError(f"{name!r} is both a hook and an action: pass --kind hook or --kind action")
    return found[0]


class KeywordValues:
    """Keyword values for running scripts. Every keyword the script or its secrets use gets a
    visible dummy (``<unset KEY>``, recorded in ``filled``) unless the user opted in to the real
    value by name (``real``); real values come from ``env`` (the CLI passes its settings'
    keyword source, the mapping then the environment; library code never reads the process
    environment), and never for the tool's own credentials."""

    def __init__(self, env: Mapping[str, object] | None = None, real: Iterable[str] = ()) -> None:
        chosen = sorted(set(real))
        refused = [name for name in chosen if is_tool_credential(name)]
        if refused:
            raise TargetError(f"--keyword-value {refused[0]}: the tool's own credentials are never keyword values")
        source = Keywords.from_env(env or {})
        self._source = source
        self._real = {name: value for name in chosen if (value := source.lookup(name)) is not MISSING}
        # URL-shaped dummies: a keyword used as a claim namespace stays one Hooks accept.
        self._keywords = Keywords(self._real, lambda key: f"https://unset.invalid/{key}/")
        self.sensitive: dict[str, str] = {}
        self.withheld: set[str] = set()  # keywords with a value the user did not opt in to

    @property
    def filled(self) -> tuple[str, ...]:
        """Keywords run with a dummy value."""
        return self._keywords.filled

    def whole_value(self, key: str) -> object:
        """The real value of a keyword that stands for a whole JSON value (``"@@LIST@@"``), or MISSING."""
        return self._real.get(key, MISSING)

    def fill(self, template: str) -> str:
        for keyword in keywords_in(template):
            key = keyword[2:-2]
            if key not in self._real and self._source.given(key):
                self.withheld.add(key)
            self.sensitive[key] = self._keywords.replace(f"##{key}##").text
        return self._keywords.replace(template).text


# "secrets": "@@LIST@@": a keyword standing for a whole value of a metadata file.
_WHOLE_VALUE = re.compile(r'"@@([A-Za-z_][A-Za-z0-9_]*)@@"')
_MAX_METADATA_BYTES = 1024 * 1024


def _whole_values(config: Path, values: KeywordValues | None) -> dict[str, object]:
    """A value for each keyword that stands for a whole value in a hook's or an action's
    metadata: the opted-in real one, else an empty list (actions) or object (hooks), so the
    config loads as a template and the script runs without those secrets."""
    out: dict[str, object] = {}
    for folder, empty in (("actions", list), ("hooks", dict)):
        directory = config / folder
        for file in sorted(directory.glob("*.json")) if directory.is_dir() else ():
            if file.is_symlink() or not file.is_file() or file.stat().st_size > _MAX_METADATA_BYTES:
                continue  # the loader reports these
            for key in _WHOLE_VALUE.findall(file.read_text("utf-8", errors="replace")):
                real = values.whole_value(key) if values is not None else MISSING
                out.setdefault(key, empty() if real is MISSING else real)
    return out


def samples_for(trigger: str, config: str | None = None, event: str | None = None) -> tuple[Sample, ...]:
    from reconciler.runner.samples import read_event

    if event is not None:
        return (read_event(event),)
    return builtin_samples(trigger) + (config_samples(config, trigger) if config else ())


def run_target(target: Target, samples: tuple[Sample, ...], values: KeywordValues,
               timeout: float = DEFAULT_TIMEOUT, answers: Answers | None = None) -> list[Outcome]:
    """Run ``target`` on each sample; values are filled here and masked in every outcome.
    ``answers``: what outbound calls get, as in a proof (``tests/answers`` files)."""
    code = values.fill(target.code)
    secrets = {name: values.fill(template) for name, template in target.secrets.items()}
    sensitive = {**values.sensitive, **_by_name(target, secrets)}
    extra = {"outbound": {"scripted": list(answers.answers)}} if answers is not None else {}
    jobs = [Job(target.kind, target.name, target.trigger, code, secrets, sample, sensitive, extra) for sample in samples]
    return run_scripts(jobs, timeout=timeout)  # one Node process for all the samples


def _by_name(target: Target, secrets: Mapping[str, str]) -> dict[str, str]:
    """Secrets written literally in the config are masked under their own names."""
    return {name: value for name, value in secrets.items() if not keywords_in(target.secrets[name])}


@dataclass(frozen=True)
class Ran:
    target: Target
    outcomes: tuple[Outcome, ...]
    filled: tuple[str, ...]  # keywords run with a dummy value
    withheld: tuple[str, ...] = ()  # of those, the ones with a value the user did not opt in to


def run_named(config: str, name: str, *, kind: str | None = None, event: str | None = None,
              all_samples: bool = False, env: Mapping[str, object] | None = None,
              real_keywords: Iterable[str] = (), answers: str | None = None) -> Ran:
    """`reconciler run`: the hook or action ``name`` on its trigger's first built-in sample,
    on every sample (built-in and the config's), or on ``event``; ``answers``: a file of
    scripted answers for its outbound calls (``{"answers": [...]}``, as ``migrate --check``
    reads from ``tests/answers``)."""
    from reconciler.runner.node import find_node
    from reconciler.runner.samples import read_answers

    find_node()  # NodeNotFound, saying how to get Node, before any other work
    scripted = read_answers(answers) if answers is not None else None
    values = KeywordValues(env, real_keywords)
    target = find_target(load_templates(config, values), name, kind)
    samples = samples_for(target.trigger, config if all_samples else None, event)
    if not all_samples and event is None:
        samples = samples[:1]
    if not samples:
        raise TargetError(f"no sample event for trigger {target.trigger}: pass --event FILE")
    outcomes = tuple(run_target(target, samples, values, answers=scripted))
    return Ran(target, outcomes, values.filled, tuple(sorted(values.withheld)))
