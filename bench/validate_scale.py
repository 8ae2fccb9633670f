"""How fast `check()` loads and validates big configs (not a test; prints a table).

    python bench/validate_scale.py [N ...]     # default: 100 1000 10000

Each hook is a deploy-cli pair (hooks/<name>.json + <name>.js, ~1 kB of script) with a
dependency and a keyword secret, so keyword replacement, the schema and the script checks
all run. Every 7th hook is YAML metadata. Target: 1,000 hooks well under a second.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from reconciler.resources.hooks.model import TRIGGERS
from reconciler.resources.hooks.validate import check

SCRIPT = (
    "module.exports = function (client, scope, audience, context, cb) {\n"
    "  var access_token = {};\n"
    "  access_token.scope = scope;\n"
    "  access_token['https://example.com/tier'] = (client.metadata && client.metadata.tier) || 'free';\n"
    "  var key = context.webtask.secrets.API_KEY; // ##REGION##\n"
    + "  // padding to make a realistic ~1 kB hook body ......................................\n" * 10
    + "  cb(null, access_token);\n};\n"
)


def generate(root: Path, n: int) -> Path:
    hooks = root / "hooks"
    hooks.mkdir(parents=True)
    for i in range(n):
        name = f"hook-{i:05d}"
        meta = {
            "name": name,
            "triggerId": TRIGGERS[i % len(TRIGGERS)],
            "enabled": i < len(TRIGGERS),  # one enabled per trigger
            "script": f"./{name}.js",
            "dependencies": {"axios": "1.6.8"},
            "secrets": {"API_KEY": "##API_KEY##"},
        }
        if i % 7 == 0:
            lines = [f"{k}: {json.dumps(v)}" for k, v in meta.items()]
            (hooks / f"{name}.yaml").write_text("\n".join(lines) + "\n")
        else:
            (hooks / f"{name}.json").write_text(json.dumps(meta, indent=2))
        (hooks / f"{name}.js").write_text(SCRIPT)
    return root


def main(sizes: list[int]) -> None:
    env = {"API_KEY": "bench-key", "REGION": "eu"}
    print(f"{'hooks':>8}  {'seconds':>8}  {'hooks/s':>9}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            config = generate(Path(tmp), n)
            check(config, env=env)  # warm: file cache, compiled schema
            start = time.perf_counter()
            report = check(config, env=env)
            elapsed = time.perf_counter() - start
            assert report.ok(strict=True) and report.state is not None, report.problems[:3]
            assert len(report.state.hooks) == n
            print(f"{n:>8}  {elapsed:>8.3f}  {n / elapsed:>9.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10000])
