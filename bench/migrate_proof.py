"""The migration proof on the project's corpus (tests/migrate/corpus/): classification, verdicts,
the hooks' block coverage, the mutation score of the proof, and the wall time of ``migrate --check``.

    .venv/bin/python bench/migrate_proof.py [--json FILE] [--no-mutants]

Needs Node.js and the runner's sandbox (see reconciler/runner/node.py).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import environment_note, table  # noqa: E402
from reconciler.migrate.check import OK, prove  # noqa: E402
from reconciler.migrate.generate import hook_target  # noqa: E402
from reconciler.migrate.migration import check_migration, plan_migration  # noqa: E402
from reconciler.runner.targets import Target, load_templates  # noqa: E402
from tests.migrate.mutants import Seen, mutants  # noqa: E402

CORPUS = REPO / "tests" / "migrate" / "corpus"


def corpus_config(root: Path) -> Path:
    """The corpus as a deploy-cli hooks directory (the first hook of each trigger enabled, as Auth0
    allows one; secrets as keywords with no value)."""
    hooks = root / "hooks"
    hooks.mkdir(parents=True)
    enabled: set[str] = set()
    for script in sorted(CORPUS.glob("*/*.js")):
        name, trigger = script.stem, script.parent.name
        source = script.read_text()
        (hooks / f"{name}.js").write_text(source)
        # The secrets the hook reads, declared as keywords (a deployed hook had them).
        secrets = {key: f"##HOOK_{key}##" for key in sorted(set(re.findall(r"(?:secrets|webtask\.data)\.(\w+)", source)))}
        meta = {"name": name, "triggerId": trigger, "enabled": trigger not in enabled, "script": f"./{name}.js",
                "dependencies": {}, "secrets": secrets}
        (hooks / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n")
        enabled.add(trigger)
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--no-mutants", action="store_true", help="skip the mutation score")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = str(corpus_config(Path(tmp)))
        state = load_templates(config)
        hooks_of = list(state["hook"].hooks if state.get("hook") else ())
        per_trigger = collections.Counter(h.trigger_id for h in hooks_of)
        migration = plan_migration(config)
        statuses = collections.Counter(r.migrated.status for r in migration.results)
        started = time.perf_counter()
        checked = check_migration(config)
        check_seconds = time.perf_counter() - started
        verdicts = collections.Counter(c.verdict.verdict for c in checked)
        measured = [c.verdict.record.coverage for c in checked if c.verdict.record.coverage.total]
        mean_cov = sum(c.covered / c.total for c in measured) / len(measured) if measured else 0.0
        caught = total = 0
        survivors: list[str] = []
        if not args.no_mutants:
            hooks = {h.name: h for h in hooks_of}
            right = [(hooks[c.hook], r.migrated, c.verdict) for c, r in zip(checked, migration.results) if c.verdict.verdict == OK]
            jobs = [(hook, name, code) for hook, migrated, verdict in right
                    for name, code in mutants(migrated.code, Seen.of(hook.trigger_id, verdict))]

            def judge(job: tuple) -> tuple[str, bool]:
                hook, name, code = job
                action = Target("action", hook.name, hook.trigger_id, code, dict(hook.secrets))
                return f"{hook.name}: {name}", prove(hook_target(hook), action, config).verdict != OK

            with ThreadPoolExecutor(max_workers=2) as pool:
                for label, was_caught in pool.map(judge, jobs):
                    total += 1
                    caught += was_caught
                    if not was_caught:
                        survivors.append(label)
    rows = [[trigger, str(count)] for trigger, count in sorted(per_trigger.items())]
    print(f"migration proof on tests/migrate/corpus/ ({environment_note()})")
    print(table(["trigger", "hooks"], rows))
    print()
    figures = {
        "hooks": sum(per_trigger.values()),
        "translated": statuses["translated"], "adapted": statuses["adapted"], "needs a person": statuses["needs a person"],
        "ok": verdicts["ok"], "differs": verdicts["differs"], "unverified": verdicts["unverified"],
        "mean branch coverage": f"{100 * mean_cov:.1f}%",
        "mutation score": f"{caught}/{total} = {100 * caught / total:.1f}%" if total else "n/a",
        "migrate --check wall time": f"{check_seconds:.1f} s",
    }
    print(table(["figure", "value"], [[k, str(v)] for k, v in figures.items()]))
    for label in survivors:
        print(f"survived: {label}")
    if args.json:
        Path(args.json).write_text(json.dumps({"per_trigger": per_trigger, **figures, "survivors": survivors}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
