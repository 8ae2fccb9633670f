"""plan_options: where exclusions and flags come from (deploy-cli's names)."""

import pytest

from reconciler.errors import ReconcilerError
from reconciler.reconcile import excluded_hooks, plan_options


@pytest.mark.parametrize(
    "value, names",
    [
        (None, set()), ("", set()), ('["a", "b c"]', {"a", "b c"}), ("a, b", {"a", "b"}),
        (["a"], {"a"}),  # a deploy-cli config.json holds a real list
    ],
)
def test_excluded_hooks_forms(value, names):
    assert excluded_hooks(value) == names


@pytest.mark.parametrize("value", ['["a", 3]', "[not json", '{"a": 1}', [""], 7])
def test_bad_exclusion_lists_are_refused(value):
    with pytest.raises(ReconcilerError, match="AUTH0_EXCLUDED_HOOKS"):
        excluded_hooks(value)


def test_plan_options_reads_the_environment_passed_not_os_environ(monkeypatch):
    monkeypatch.setenv("AUTH0_EXCLUDED_HOOKS", "from-os")
    options = plan_options({"AUTH0_EXCLUDED_HOOKS": '["x"]'}, exclude=["y"])
    assert options.excluded_hooks == {"x", "y"}
    assert plan_options({}).excluded_hooks == frozenset()
