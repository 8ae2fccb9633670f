"""Noticing a changed secret value without ever reading or storing one.

Auth0 never returns secret values, so a plain diff only sees keys. When a CI-only key is
set (``RECONCILER_SECRETS_HMAC_KEY``), every managed hook (and action) carries one extra
secret whose *key name* holds an HMAC of its desired secret values:
``RECONCILER_HMAC_<24 hex>``. Key names are readable through the API, so the next plan
recomputes the HMAC from the desired values and compares: a different marker means some
value changed. The HMAC is keyed, so the marker reveals nothing about the values to
anyone without the key; it is also bound to the resource's name so equal secrets on two
resources do not produce equal markers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping

# What Auth0 returns in place of every secret value, and what auth0-deploy-cli exports.
MASKED_SECRET = "_VALUE_NOT_SHOWN_"


MARKER_PREFIX = "RECONCILER_HMAC_"

# The marker's value is never read; it only has to be a non-empty string.
MARKER_VALUE = "marker: see reconciler docs"


def is_marker(key: str) -> bool:
    return key.startswith(MARKER_PREFIX)


def user_keys(keys: Iterable[str]) -> frozenset[str]:
    return frozenset(key for key in keys if not is_marker(key))


def markers(keys: Iterable[str]) -> frozenset[str]:
    return frozenset(key for key in keys if is_marker(key))


def marker_for(hmac_key: bytes, hook_name: str, values: Mapping[str, str]) -> str:
    message = json.dumps([hook_name, sorted(values.items())], separators=(",", ":"))
    digest = hmac.new(hmac_key, message.encode(), hashlib.sha256).hexdigest()
    return MARKER_PREFIX + digest[:24].upper()
