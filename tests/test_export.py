import json

from reconciler.export import export_live, write_config
from reconciler.model import LiveHook, LiveState
from reconciler.secrets import MARKER_PREFIX
from reconciler.validate import check

PRE = "pre-user-registration"


def test_export_writes_deploy_cli_layout_with_keyword_placeholders(tmp_path):
    live = LiveState(
        (
            LiveHook("1", "a", PRE, "// a\n", True, {"axios": "1.6.8"}, {"TOKEN", MARKER_PREFIX + "ABC"}),
            LiveHook("2", "b", PRE, "// b\n", False, {}, {"TOKEN", "OTHER"}),
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
    assert report.ok() and {h.name for h in report.state.hooks} == {"a", "b"}


def test_write_config_replaces_what_was_there(tmp_path):
    write_config(tmp_path, [{"name": "old", "triggerId": PRE, "script": "// old\n"}])
    write_config(tmp_path, [{"name": "new", "triggerId": PRE, "script": "// new\n"}])
    assert sorted(p.name for p in (tmp_path / "hooks").iterdir()) == ["new.js", "new.json"]
