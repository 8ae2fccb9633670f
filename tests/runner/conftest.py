"""Runner tests run real Node.js. Without it they are skipped, saying so (CI provides Node)."""

from __future__ import annotations

import pytest

from reconciler.errors import NodeNotFound
from reconciler.runner.node import Node, find_node


@pytest.fixture(scope="session")
def node() -> Node:
    try:
        return find_node()
    except NodeNotFound as error:
        pytest.skip(f"needs Node.js: {error}")
