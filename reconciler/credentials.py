"""The tool's own credentials: never a keyword value, wherever keywords are filled.

A config's author controls which ``##NAME##`` a script or a metadata file uses, so any name
the process environment holds could be asked for. These names (and prefixes) are the ones that
authenticate the tool itself or the CI it runs in; ``is_tool_credential`` says whether a keyword
name is one of them.
"""

from __future__ import annotations

TOOL_CREDENTIALS = frozenset({
    "AUTH0_CLIENT_SECRET",
    "AUTH0_ACCESS_TOKEN",
    "AUTH0_PLAN_CLIENT_SECRET",
    "AUTH0_CLIENT_ID",
    "AUTH0_KEYWORD_REPLACE_MAPPINGS",
    "RECONCILER_SECRETS_HMAC_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "NPM_TOKEN",
    "PYPI_TOKEN",
})
# Cloud and CI credential families: every variable they define is a credential.
TOOL_CREDENTIAL_PREFIXES = ("AWS_", "AZURE_", "GOOGLE_", "GCP_", "CLOUDSDK_", "ARM_", "GITHUB_", "RUNNER_")


def is_tool_credential(name: str) -> bool:
    """True for the tool's and the CI's own credentials (case-insensitive, as some shells are)."""
    upper = name.upper()
    return upper in TOOL_CREDENTIALS or upper.startswith(TOOL_CREDENTIAL_PREFIXES)
