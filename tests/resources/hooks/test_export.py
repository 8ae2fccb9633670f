import json
from pathlib import Path

from reconciler.emulator.process import EmulatorProcess
from reconciler.resources.common.secrets import MARKER_PREFIX
from reconciler.resources.hooks.export import export_live, write_config
from reconciler.resources.hooks.model import LiveHook, LiveState
from reconciler.resources.hooks.validate import check

PRE = "pre-user-registration"


def test_export_writes_deploy_cli_layout_with_keyword_placeholders(tmp_path: Path) -> None:
    live = LiveState(
        (
            LiveHook("1", "a", PRE, "// a\n", True, {"axios": "1.6.8"}, frozenset({"TOKEN", MARKER_PREFIX + "ABC"})),
            LiveHook("2", "b", PRE, "// b\n", False, {}, frozenset({"TOKEN", "OTHER"})),
        )
    )
    result = export_live(live, tmp_path / "out")
    assert result.hooks == 2 and result.keywords == ("OTHER", "TOKEN")
    metadata = json.loads((tmp_path / "out" / "hooks" / "a.json").read_text())
    assert metadata == {
        "name": "a", "triggerId": PRE, "enabled": True, "script": "./a.js",
        "dependencies": {"axios": "1.6.8"}, "secrets": {"TOKEN": "##TOKEN##"},
    }
    assert (tmp_path / "out" / "hooks" / "a.js").read_text() == "// a\n"
    report = check(tmp_path / "out", {"TOKEN": "t", "OTHER": "o"})
    assert report.ok() and report.state is not None
    assert {h.name for h in report.state.hooks} == {"a", "b"}


def test_write_config_replaces_what_was_there(tmp_path: Path) -> None:
    write_config(tmp_path, [{"name": "old", "triggerId": PRE, "script": "// old\n"}])
    write_config(tmp_path, [{"name": "new", "triggerId": PRE, "script": "// new\n"}])
    assert sorted(p.name for p in (tmp_path / "hooks").iterdir()) == ["new.js", "new.json"]


# --- never overwrite, shared keywords, hostile names (issue 9 §3, issue 10) --------------------

import os  # noqa: E402

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from reconciler.cli import cli  # noqa: E402
from reconciler.errors import ReconcilerError  # noqa: E402
from reconciler.resources.export_files import file_stem  # noqa: E402

HOSTILE = [
    "../../x", "../escape", "a/b", "a\\b", "nul\x00byte", ".hidden", "..", ".", "CON", "con.txt", "LPT1",
    "trailing.", "trailing ", " leading", "-dash", "x" * 300, "/etc/passwd", "C:evil", "new\nline", "é",
]


def _live(*names: str, keys: frozenset[str] = frozenset()) -> LiveState:
    return LiveState(tuple(LiveHook(str(i), n, PRE, f"// {i}\n", False, {}, frozenset(keys)) for i, n in enumerate(names)))


@pytest.mark.parametrize("name", HOSTILE)
def test_unsafe_names_are_not_file_names(name: str) -> None:
    assert file_stem(name) is None


@pytest.mark.parametrize("name", ["a", "add-api-claims", "My Hook 2", "v1.2_x"])
def test_plain_names_are_kept(name: str) -> None:
    assert file_stem(name) == name


def test_hostile_names_stay_inside_the_directory_and_keep_their_name(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    result = export_live(_live(*HOSTILE, "a", "A"), out)
    written = sorted(p.relative_to(out) for p in tmp_path.rglob("*") if p.is_file())
    assert all(p.parts[0] == "hooks" and len(p.parts) == 2 for p in written), written
    assert len(written) == 2 * (len(HOSTILE) + 2)  # a distinct pair for every hook, "a" and "A" too
    names = {json.loads((out / "hooks" / f"{stem}.json").read_text())["name"] for stem in result.encoded.values()}
    assert names == set(HOSTILE) | {"a"}  # "A" sorts first; "a" would clash on case-insensitive file systems


def test_never_overwrites_without_force(tmp_path: Path) -> None:
    export_live(_live("a"), tmp_path)
    (tmp_path / "hooks" / "a.js").write_text("// my edit\n")
    with pytest.raises(ReconcilerError, match="--force"):
        export_live(_live("a", "b"), tmp_path)
    assert (tmp_path / "hooks" / "a.js").read_text() == "// my edit\n"
    assert not (tmp_path / "hooks" / "b.js").exists()  # nothing written when refused
    export_live(_live("a", "b"), tmp_path, force=True)
    assert (tmp_path / "hooks" / "a.js").read_text() == "// 0\n"


def test_force_replaces_a_symlink_instead_of_writing_through_it(tmp_path: Path) -> None:
    target = tmp_path / "outside.txt"
    target.write_text("keep\n")
    (tmp_path / "out" / "hooks").mkdir(parents=True)
    os.symlink(target, tmp_path / "out" / "hooks" / "a.js")
    export_live(_live("a"), tmp_path / "out", force=True)
    assert target.read_text() == "keep\n"
    assert not (tmp_path / "out" / "hooks" / "a.js").is_symlink()


def test_shared_keyword_names_are_reported(tmp_path: Path) -> None:
    live = LiveState((
        LiveHook("1", "a", PRE, "", False, {}, frozenset({"TOKEN", "A_ONLY"})),
        LiveHook("2", "b", PRE, "", False, {}, frozenset({"TOKEN"})),
    ))
    assert export_live(live, tmp_path).shared_keywords == {"TOKEN": ("a", "b")}


def test_export_command_against_hostile_live_names(emulator: EmulatorProcess, tmp_path: Path) -> None:
    """Names a real API refuses, seeded past the emulator's validation: export stays inside -o."""
    emulator.seed([{"name": n, "triggerId": PRE, "script": "// x\n", "secrets": {"TOKEN": "v"}}
                   for n in ("../../escape", "a/b", ".hidden", "CON", "ok")], validate=False)
    out = tmp_path / "box" / "out"
    env = {**emulator.env(), "AUTH0_ACCESS_TOKEN": ""}
    result = CliRunner().invoke(cli, ["export", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != out / "triggers"]  # the emulator has Actions
    assert len(files) == 10 and all(p.parent == out / "hooks" for p in files)
    assert "not a safe file name" in result.output and "'../../escape'" in result.output
    assert "##TOKEN## is shared by hooks" in result.output
    again = CliRunner().invoke(cli, ["export", "-o", str(out)], env=env)
    assert again.exit_code == 1 and "--force" in again.output
    assert CliRunner().invoke(cli, ["export", "-o", str(out), "--force"], env=env).exit_code == 0
