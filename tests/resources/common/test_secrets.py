from reconciler.resources.common.secrets import MARKER_PREFIX, is_marker, marker_for, markers, user_keys


def test_marker_depends_on_key_name_and_values() -> None:
    base = marker_for(b"k", "hook", {"A": "1"})
    assert base.startswith(MARKER_PREFIX) and len(base) == len(MARKER_PREFIX) + 24
    assert marker_for(b"k", "hook", {"A": "1"}) == base
    assert marker_for(b"k", "hook", {"A": "2"}) != base
    assert marker_for(b"k", "other", {"A": "1"}) != base
    assert marker_for(b"other-key", "hook", {"A": "1"}) != base


def test_marker_reveals_no_value() -> None:
    secret = "CANARY-value"
    assert secret not in marker_for(b"k", "hook", {"A": secret})


def test_markers_are_kept_apart_from_user_keys() -> None:
    keys = {"A", "B", MARKER_PREFIX + "ABC"}
    assert user_keys(keys) == {"A", "B"}
    assert markers(keys) == {MARKER_PREFIX + "ABC"}
    assert is_marker(MARKER_PREFIX + "X") and not is_marker("RECONCILER")
