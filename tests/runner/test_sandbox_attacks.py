"""The runner's attack suite: a hostile hook or action tries to get out, and must not.

Each test aims at a real target (a listener on 127.0.0.1, a sleeping process, a file outside
the run's directory, the record the harness reports) and asserts the target saw nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.errors import RunError
from reconciler.runner.execute import run_script
from reconciler.runner.node import Node
from reconciler.runner.outcome import Outcome
from reconciler.runner.samples import builtin_samples
from reconciler.secret_forms import leaked
from tests.resources.hooks.hooks_testlib import hook_config
from tests.runner.attacks import PROTOCOLS, ROUTES, Listener, hook, network_attack, reversed_js

CANARY = "canary-5e1d-attack-value"
POST = "post-user-registration"


def run(node: Node, code: str, *, trigger: str = POST, kind: str = "hook", secrets: Mapping[str, str] | None = None, timeout: float = 10.0) -> Outcome | RunError:
    """The outcome, or the RunError the run ended with (a refused attack may end either way)."""
    try:
        return run_script(kind=kind, name="attack", trigger=trigger, code=code, secrets=secrets or {},
                          sample=builtin_samples(trigger)[0], timeout=timeout, node=node)
    except RunError as error:
        return error


def shown(result: Outcome | RunError) -> str:
    return str(result) if isinstance(result, RunError) else json.dumps(result.to_dict(), ensure_ascii=False)


@pytest.fixture
def listener() -> Iterator[Listener]:
    started = Listener().start()
    yield started
    started.close()


# ------------------------------------------------------------------ network


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_bytes_reach_a_loopback_listener(node: Node, listener: Listener, route: str, protocol: str) -> None:
    run(node, network_attack(route, protocol, listener))
    assert listener.settle() == []


def _config_with(tmp_path: Path, code: str, trigger: str = POST) -> Path:
    return hook_config(tmp_path / "config", "attack", trigger, code)


@pytest.mark.parametrize("command", [["run", "attack"], ["migrate", "--check"], ["migrate"]])
def test_no_bytes_reach_a_listener_from_any_command(node: Node, listener: Listener, tmp_path: Path, command: list[str]) -> None:
    config = _config_with(tmp_path, network_attack("process.mainModule.require", "tcp via net", listener))
    CliRunner().invoke(cli, [*command, "-c", str(config)])
    assert listener.settle() == []


# ------------------------------------------------------------------ processes, files, environment, memory


@pytest.mark.parametrize("how", ["process.kill", "Function('return process')().kill"])
def test_signals_do_not_reach_other_processes(node: Node, how: str) -> None:
    canary = subprocess.Popen(["sleep", "60"])
    try:
        run(node, hook(f"{how}({canary.pid}, 'SIGKILL');"))
        assert canary.poll() is None
    finally:
        canary.kill()
        canary.wait()


@pytest.mark.parametrize(
    "read",
    [
        "process.mainModule.require('fs').readFileSync(PATH, 'utf8')",
        "Function('return process')().getBuiltinModule('fs').readFileSync(PATH, 'utf8')",
        "(() => { const fs = Function('return process')().getBuiltinModule('fs'); fs.symlinkSync(PATH, 'link');"
        " return fs.readFileSync('link', 'utf8'); })()",
    ],
    ids=["mainModule", "Function", "symlink"],
)
def test_a_file_outside_the_run_directory_is_not_read(node: Node, tmp_path: Path, read: str) -> None:
    secret = tmp_path / "canary.txt"
    secret.write_text(CANARY)
    expression = read.replace("PATH", json.dumps(str(secret)))
    code = ("module.exports = function (user, context, cb) { let got = 'none';"
            f" try {{ got = {reversed_js(expression)}; }} catch (e) {{ got = 'refused'; }}"
            " cb(null, { user: { app_metadata: { got: got } } }); };")
    result = run(node, code, trigger="pre-user-registration")
    assert CANARY[::-1] not in shown(result) and CANARY not in shown(result)


def test_the_callers_environment_does_not_reach_the_script(node: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH0_CLIENT_SECRET", CANARY)
    expression = "[process.env, (() => { try { return Function('return process')().env; } catch (e) { return {}; } })()].map(e => JSON.stringify(e)).join()"
    code = f"module.exports = function (u, c, cb) {{ cb(null, {{ user: {{ app_metadata: {{ env: {reversed_js(expression)} }} }} }}); }};"
    assert CANARY[::-1] not in shown(run(node, code, trigger="pre-user-registration"))


@pytest.mark.parametrize(
    "allocate",
    ["Buffer.alloc(2 ** 30).length", "new Uint8Array(2 ** 30).length",
     "Function('return process')().getBuiltinModule('buffer').Buffer.alloc(2 ** 30).length"],
)
def test_a_gigabyte_outside_the_heap_is_refused(node: Node, allocate: str) -> None:
    code = ("module.exports = function (u, c, cb) { let size = 'refused';"
            f" try {{ size = {allocate}; }} catch (e) {{}} cb(null, {{ user: {{ app_metadata: {{ size: size }} }} }}); }};")
    result = run(node, code, trigger="pre-user-registration")
    assert not (isinstance(result, Outcome) and result.effects.app_metadata.get("size") == 2**30)


# The probe's own peak: VmHWM belongs to this process's memory. ru_maxrss would not do: Linux
# carries it across exec, so it starts at the peak of the pytest worker that spawned the probe.
_PEAK = """
def peak_rss_mib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024
"""

_FLOOD = _PEAK + """
import json, sys
from reconciler.runner.execute import RunError, run_script
from reconciler.runner.samples import builtin_samples
code = sys.argv[1]
try:
    run_script(kind="hook", name="flood", trigger="post-user-registration", code=code, secrets={},
               sample=builtin_samples("post-user-registration")[0], timeout=60)
    message = "outcome"
except RunError as error:
    message = str(error)
print(json.dumps({"max_rss_mib": peak_rss_mib(), "message": message}))
"""


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_300_mib_of_output_does_not_grow_the_python_process(node: Node, stream: str) -> None:
    code = hook(
        "const p = [() => process, () => Function('return process')()].map(f => { try { return f(); } catch (e) { return null; } }).find(Boolean);"
        " const chunk = 'x'.repeat(1 << 20);"
        f" for (let i = 0; i < 300; i++) {{ if (p && p.{stream}) p.{stream}.write(chunk); else console.log(chunk); }}",
        wait_ms=1,
    )
    done = subprocess.run([sys.executable, "-c", _FLOOD, code], capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report["max_rss_mib"] < 200, report
    assert "\n" not in report["message"]


# ------------------------------------------------------------------ the record


FORGED = "{ error: null, result: { user: { app_metadata: { forged: true } } } }"
FORGERIES = {
    "process.stdout._write": (
        "const out = process.stdout; const original = out._write;"
        " out._write = function (chunk, encoding, done) { const text = String(chunk); const at = text.indexOf('{');"
        f" if (at >= 0) {{ const record = JSON.parse(text.slice(at)); record.requests = []; record.callback = {FORGED};"
        " chunk = text.slice(0, at) + JSON.stringify(record) + '\\n'; } return original.call(this, chunk, encoding, done); };"
    ),
    "JSON.stringify": (
        "const original = JSON.stringify; JSON.stringify = function (value, ...rest) {"
        f" if (value && value.requests) value = Object.assign({{}}, value, {{ requests: [], callback: {FORGED} }});"
        " return original.call(this, value, ...rest); };"
    ),
    "Object.prototype.toJSON": (
        "Object.defineProperty(Object.prototype, 'toJSON', { configurable: true, value: function () {"
        " if (Object.prototype.hasOwnProperty.call(this, 'requests')) {"
        f" return Object.assign({{}}, this, {{ requests: [], callback: {FORGED} }}); }} return this; }} }});"
    ),
    "Array.prototype.push": "Array.prototype.push = function () { return this.length; };",
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_the_script_cannot_hide_a_request_or_forge_a_claim(node: Node, forgery: str) -> None:
    code = ("module.exports = function (user, context, cb) {"
            f" try {{ {FORGERIES[forgery]} }} catch (e) {{}}"
            " fetch('https://hooks.example/real');"
            " cb(null, { user: { app_metadata: { real: true } } }); };")
    result = run(node, code, trigger="pre-user-registration")
    assert isinstance(result, Outcome), result
    assert result.effects.app_metadata == {"real": True}
    assert [r["call"] for r in result.effects.requests] == ["fetch"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"], ids=["U+2028", "U+2029", "U+0085"])
def test_line_separators_in_console_output_do_not_break_the_record(node: Node, separator: str) -> None:
    code = f"module.exports = function (u, c, cb) {{ console.log('a' + {json.dumps(separator)} + 'b'); cb(null, {{}}); }};"
    result = run(node, code)
    assert isinstance(result, Outcome), result
    assert result.raw["logs"] == [f"a{separator}b"]


def test_terminal_control_codes_from_the_script_do_not_reach_the_terminal(node: Node) -> None:
    code = hook(
        "const p = [() => process, () => Function('return process')()].map(f => { try { return f(); } catch (e) { return null; } }).find(Boolean);"
        " if (p) { p.stderr.write('\\x1b]0;owned\\x07\\x1b[2J'); p.exit(3); } else { throw new Error('\\x1b]0;owned\\x07'); }",
        wait_ms=1,
    )
    result = run(node, code)
    assert "\x1b" not in str(result) and "\x07" not in str(result)


# ------------------------------------------------------------------ masking


SECRET = 'Sx"q\\/+=&? %-' + "k" * 20  # characters every encoding changes
MASKING = {
    "inside a logged object (JSON-escaped)": "console.log({ token: S });",
    "longer than 256 characters": "console.log('x'.repeat(240) + S);",
    "in a Basic-auth header": "require('axios').get('https://x.example/', { headers: { Authorization: 'Basic ' + Buffer.from('user:' + S).toString('base64') } });",
    "URL-encoded": "fetch('https://x.example/?t=' + encodeURIComponent(S));",
    "base64": "console.log(Buffer.from(S).toString('base64'));",
    "a Buffer request body": "require('axios').post('https://x.example/', Buffer.from(S));",
}


@pytest.mark.parametrize("leak", sorted(MASKING))
def test_a_secret_is_masked_in_every_accidental_form(node: Node, leak: str) -> None:
    code = ("module.exports = function (user, context, cb) { const S = context.webtask.secrets.KEY;"
            f" {MASKING[leak]} cb(null, {{}}); }};")
    result = run(node, code, secrets={"KEY": SECRET})
    assert isinstance(result, Outcome), result
    assert leaked(shown(result), {"KEY": SECRET}) == []
    assert leaked(json.dumps(result.to_dict()), {"KEY": SECRET}) == []
    assert leaked(shown(result), {"PART": SECRET[:12]}) == []  # not even a cut-off part
    assert not _has_bytes_of(shown(result), SECRET)  # nor its bytes as numbers


def _has_bytes_of(text: str, secret: str) -> bool:
    """True when the UTF-8 bytes of ``secret`` appear in ``text`` as a run of numbers."""
    import re

    numbers = ",".join(re.findall(r'(?<!")\b(\d+)\b(?!")', text))  # values, not "0": keys
    return ",".join(str(b) for b in secret.encode()) in numbers


# ------------------------------------------------------------------ each wall on its own


def _bare_node(node: Node, tmp_path: Path, script: str, *, permission: bool = True) -> subprocess.CompletedProcess[str]:
    """``script`` run in Node as the harness is launched, but with no realm: Node's own modules in reach."""
    from reconciler.runner.execute import _limits

    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (work / "bare.js").write_text(script)
    command = node.command(str(work / "bare.js"), str(work))
    if not permission:
        command = [*node.isolation, node.path, str(work / "bare.js")]
    return subprocess.run(command, capture_output=True, text=True, cwd=work, env={"HOME": str(work)},
                          preexec_fn=_limits(20), timeout=30, check=False)


@pytest.mark.parametrize("protocol", sorted(PROTOCOLS))
def test_the_network_namespace_alone_stops_every_protocol(node: Node, listener: Listener, tmp_path: Path, protocol: str) -> None:
    attempt = PROTOCOLS[protocol].replace("TCP", str(listener.tcp_port)).replace("UDP", str(listener.udp_port))
    script = f"const reach = (m) => require(m); (async () => {{ {attempt} }})().catch(() => {{}}); setTimeout(() => process.exit(0), 400);"
    done = _bare_node(node, tmp_path, script, permission=False)
    assert done.returncode == 0, done.stderr
    assert listener.settle() == []


def test_the_pid_namespace_alone_stops_signals(node: Node, tmp_path: Path) -> None:
    canary = subprocess.Popen(["sleep", "60"])
    try:
        done = _bare_node(node, tmp_path, f"try {{ process.kill({canary.pid}, 'SIGKILL'); console.log('sent'); }} catch (e) {{ console.log(e.code); }}",
                          permission=False)
        assert done.stdout.strip() == "ESRCH" and canary.poll() is None
    finally:
        canary.kill()
        canary.wait()


def test_the_permission_model_alone_stops_reading_outside(node: Node, tmp_path: Path) -> None:
    secret = tmp_path / "canary.txt"
    secret.write_text(CANARY)
    done = _bare_node(node, tmp_path, f"try {{ console.log(require('fs').readFileSync({json.dumps(str(secret))}, 'utf8')); }} catch (e) {{ console.log(e.code); }}")
    assert done.stdout.strip() == "ERR_ACCESS_DENIED" and CANARY not in done.stdout


def test_the_memory_limit_alone_stops_a_gigabyte(node: Node, tmp_path: Path) -> None:
    done = _bare_node(node, tmp_path, "try { console.log(Buffer.alloc(2 ** 30).length); } catch (e) { console.log('refused'); }")
    assert done.stdout.strip() == "refused"


_RAW_FLOOD = _PEAK + """
import json, sys
from reconciler.runner import execute
from reconciler.runner.execute import RunError, run_script
from reconciler.runner.node import find_node
from reconciler.runner.samples import builtin_samples
stream = sys.argv[1]
execute.token_source.token_hex = lambda n: "n0nce"
node = find_node()
flood = ("const fs = require('fs'); const line = Buffer.from('n0nce ' + JSON.stringify({run: 0, event: 'log', data: 'x'.repeat(1 << 16)}) + '\\\\n');"
         f" for (let i = 0; i < 300 * 16; i++) fs.writeSync({1 if stream == 'stdout' else 2}, line);")
node_command = type(node).command
def command(self, harness, directory, **kwargs):
    return [*node_command(self, harness, directory, **kwargs)[:-1], "-e", flood]
type(node).command = command
try:
    run_script(kind="hook", name="flood", trigger="post-user-registration", code="", secrets={},
               sample=builtin_samples("post-user-registration")[0], timeout=60, node=node)
    message = "outcome"
except RunError as error:
    message = str(error)
print(json.dumps({"max_rss_mib": peak_rss_mib(), "message": message}))
"""


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_the_reader_stops_300_mib_from_node_itself(node: Node, stream: str) -> None:
    """Behind the realm: Node itself (as if the realm were escaped) floods a stream; the reader
    stops it at its cap with one line and stays small."""
    done = subprocess.run([sys.executable, "-c", _RAW_FLOOD, stream], capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report["max_rss_mib"] < 200, report
    assert "\n" not in report["message"] and "wrote more than" in report["message"], report
