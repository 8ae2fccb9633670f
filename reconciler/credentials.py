"""Names `run` never fills with a real value, even when the user names them.

``keywords.CREDENTIALS`` are the tool's own credentials and the CI's tokens, never a keyword
value anywhere (the plan client's secret among them). `run` also refuses a few more that a CI
job or a developer's shell holds: package-registry tokens and whole cloud-credential families (``AWS_*``,
...), since a script it runs is someone else's code.
"""

from __future__ import annotations

from reconciler.keywords import is_credential

RUN_ALSO_REFUSES = frozenset({"ACTIONS_ID_TOKEN_REQUEST_URL", "NPM_TOKEN", "PYPI_TOKEN"})
CLOUD_CREDENTIAL_PREFIXES = ("AWS_", "AZURE_", "GOOGLE_", "GCP_", "CLOUDSDK_", "ARM_")


def is_tool_credential(name: str) -> bool:
    """True for a credential of the tool, the CI or a cloud (case-insensitive, as some shells are)."""
    upper = name.upper()
    return is_credential(name) or upper in RUN_ALSO_REFUSES or upper.startswith(CLOUD_CREDENTIAL_PREFIXES)
