from reconciler.resources.common.diff import dependency_changes, script_diff
from reconciler.resources.hooks.diff import content_changes
from reconciler.resources.hooks.model import Hook, LiveHook


def test_script_diff_is_unified_with_git_like_labels() -> None:
    diff = script_diff("a\nb\n", "a\nc\n", "h")
    assert diff.startswith("--- live/h.js\n+++ desired/h.js\n")
    assert "-b\n" in diff and "+c\n" in diff


def test_script_diff_without_trailing_newline_stays_line_based() -> None:
    assert script_diff("a", "b", "h").splitlines()[-2:] == ["-a", "+b"]


def test_dependency_changes_are_readable_and_sorted() -> None:
    lines = dependency_changes({"lodash": "4.17.20", "old": "1"}, {"lodash": "4.17.21", "axios": "1.6.8"})
    assert lines == ["+ axios 1.6.8", "~ lodash 4.17.20 -> 4.17.21", "- old 1"]


def test_content_changes_cover_name_script_dependencies_only() -> None:
    desired = Hook("new", "pre-user-registration", "x\n", True, {"a": "2"})
    live = LiveHook("1", "old", "pre-user-registration", "y\n", False, {"a": "1"})
    assert [c.field for c in content_changes(desired, live)] == ["name", "script", "dependencies"]
    same = LiveHook("1", "new", "pre-user-registration", "x\n", False, {"a": "2"})
    assert content_changes(desired, same) == []


def test_dependency_maps_with_no_common_name() -> None:
    """Every key changed: still one line per package, not one change of the whole map."""
    assert dependency_changes({"request": "2.88.0"}, {"axios": "1.6.8"}) == [
        "+ axios 1.6.8",
        "- request 2.88.0",
    ]
