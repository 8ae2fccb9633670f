"""Where the recorded Auth0 exchanges and OpenAPI subsets are: `../shared/auth0-api` beside
the repository, or the directory `$SHARED_AUTH0_API` names (a git worktree sits elsewhere).
A plain clone has neither: tests that replay them skip with a reason, and the project's own
contract (`tests/emulator/contract/`) runs instead."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
API_DIR = Path(os.environ.get("SHARED_AUTH0_API") or REPO.parent / "shared" / "auth0-api")
RECORDINGS_DIR = API_DIR / "recordings"
ABSENT = f"recorded Auth0 exchanges not found at {API_DIR} (shared/auth0-api is absent; SHARED_AUTH0_API names another place)"
