"""The registry, and where the emulator may be imported (the layer rules between core, seam,
types, use cases, API client, settings and renderers are import-linter contracts in
pyproject.toml, which .ci/run checks with `lint-imports`)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.core.reasons import Reason
from reconciler.resources.base import Registry, ResourceType
from reconciler.resources.builtin import registry

ROOT = Path(__file__).parents[2] / "reconciler"


def test_built_in_types_are_registered_hooks_first() -> None:
    reg = registry()
    assert reg.names()[:2] == ("hook", "action") or set(reg.names()) >= {"hook", "action"}
    assert [t.name for t in reg.planning_order()].index("hook") < [t.name for t in reg.planning_order()].index("action")
    hooks = reg.get("hook")
    assert hooks.plan and hooks.operations and hooks.load and hooks.words


def test_reasons_are_worded_by_their_type_and_unknown_codes_show_as_themselves() -> None:
    reg = registry()
    assert reg.word(Reason.of("hook.fix_enabled", count=2, trigger="t")) == "fix: 2 hooks enabled on t"
    assert reg.word(Reason.of("nobody.knows")) == "nobody.knows"
    assert Reason.from_dict(Reason.of("x.y", keys=["b", "a"]).to_dict()) == Reason.of("x.y", keys=["b", "a"])


def test_a_cycle_between_types_is_refused_and_names_are_unique() -> None:
    reg = Registry()
    reg.register(ResourceType("a", "as", after_types=("b",)))
    reg.register(ResourceType("b", "bs", after_types=("a",)))
    with pytest.raises(ValueError, match="wait for each other"):
        reg.planning_order()
    with pytest.raises(ValueError, match="already registered"):
        reg.register(ResourceType("a", "as"))


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_emulator_is_imported_only_by_the_emulator_and_demo_commands() -> None:
    """cli.py names it lazily (a string: loaded only when `reconciler emulator` runs);
    commands/tenant.py imports it inside `demo`; each type names its routes module for the
    emulator to build (inside the function it calls at start) and the seam its types."""
    users = {
        path.relative_to(ROOT).as_posix()
        for path in ROOT.rglob("*.py")
        if not path.is_relative_to(ROOT / "emulator")
        and any(m.startswith("reconciler.emulator") for m in _imports(path))
    }
    assert users == {"commands/tenant.py", "resources/base.py", "resources/hooks/register.py",
                     "resources/actions/register.py"}
    tenant = (ROOT / "commands" / "tenant.py").read_text()
    top_level = tenant.split("\ndef demo(")[0]
    assert "reconciler.emulator" not in top_level  # only inside the demo command
    # Registering every type (what every command does) loads no module of the emulator.
    probe = ("import sys; from reconciler.resources.builtin import registry; import reconciler.cli; "
             "registry(); print(sorted(m for m in sys.modules if m.startswith('reconciler.emulator')))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


def test_a_type_registered_for_a_block_leaves_no_trace() -> None:
    reg = Registry()
    kept: ResourceType[None, None] = reg.register(ResourceType("kept", "kepts"))
    toy: ResourceType[None, None] = ResourceType("toy", "toys")
    with reg.registered(toy, kept):
        assert reg.names() == ("kept", "toy")
    assert reg.names() == ("kept",)  # one registered before stays
    with pytest.raises(RuntimeError, match="boom"), reg.registered(toy):
        raise RuntimeError("boom")
    assert reg.names() == ("kept",)
    with pytest.raises(ValueError, match="already registered"), reg.registered(toy, ResourceType("kept", "other")):
        pass
    assert reg.names() == ("kept",)  # a refused registration takes back what it added


def test_no_module_is_much_over_400_lines() -> None:
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in ROOT.rglob("*.py")}
    assert {"cli.py", "resources/hooks/validate.py", "resources/actions/rules.py"} <= set(sizes)  # it saw the tree
    big = {name: n for name, n in sizes.items() if n > 440}
    assert big == {}, f"split these modules (issue 11: no module over about 400 lines): {big}"
