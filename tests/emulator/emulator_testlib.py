"""Helpers for the emulator's own tests (a uniquely named module: safe to import from tests)."""

from __future__ import annotations

from typing import Any

import httpx

PUR = "pre-user-registration"
SCRIPT = "module.exports = function (user, context, cb) { cb(null, { user }); };"


def get_token(base_url: str, client_id: str = "emulator", client_secret: str = "emulator-secret", **extra: Any) -> httpx.Response:
    return httpx.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
              "audience": "https://example.eu.auth0.com/api/v2/", **extra},
        verify=False,
    )


class Api:
    """A thin Management API client for tests (no retries: we want to see every status)."""

    def __init__(self, base_url: str, token: str, **client_kwargs: Any):
        self.http = httpx.Client(base_url=base_url + "/api/v2", headers={"Authorization": f"Bearer {token}"},
                                 timeout=30, **client_kwargs)

    def create(self, name: str, trigger: str = PUR, enabled: bool | None = None, **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {"name": name, "script": SCRIPT, "triggerId": trigger, **extra}
        if enabled is not None:
            body["enabled"] = enabled
        return self.http.post("/hooks", json=body)

    def patch(self, hook_id: str, **body: Any) -> httpx.Response:
        return self.http.patch(f"/hooks/{hook_id}", json=body)

    def get(self, hook_id: str) -> httpx.Response:
        return self.http.get(f"/hooks/{hook_id}")

    def delete(self, hook_id: str) -> httpx.Response:
        return self.http.delete(f"/hooks/{hook_id}")

    def list(self, **params: Any) -> httpx.Response:
        return self.http.get("/hooks", params=params)

    def close(self) -> None:
        self.http.close()


def make_api(emu: Any) -> Api:
    r = get_token(emu.base_url, emu.client_id, emu.client_secret)
    assert r.status_code == 200, r.text
    return Api(emu.base_url, r.json()["access_token"])
