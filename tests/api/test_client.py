"""ManagementClient as a whole, against a scripted hooks tenant behind httpx.MockTransport:
tokens, pagination, writes, error wording, retries, unknown outcomes, pacing on virtual
time. Real sockets and the emulator: tests/e2e/test_client_emulator.py."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from reconciler.errors import ApiError, AuthError, HooksUnavailableError, ReconcilerError, hooks_unavailable
from reconciler.resources.hooks.live import read_live_state
from tests.api.api_helpers import (
    CANARY_SECRET,
    CANARY_TOKEN,
    SCRIPT,
    TRIGGER,
    FakeTime,
    HooksTenant,
    Server,
    ServerBucket,
    all_text,
    churn,
    churned,
    error,
    one_line,
)

CANARY_VALUE = "canary-secret-value-4b9d2a"
LIST = "GET /api/v2/hooks?page=0&per_page=100&include_totals=true"
MISSING = "01HZZZZZZZZZZZZZZZZZZZZZZZ"


def tenant_server(**options: Any) -> tuple[HooksTenant, Server]:
    tenant = HooksTenant(**options)
    return tenant, Server(tenant)


def posts(server: Server, path: str = "/api/v2/hooks") -> int:
    return server.requests.count(f"POST {path}")


# -- token -------------------------------------------------------------------------------


def test_token_requested_once_for_many_concurrent_calls() -> None:
    tenant, server = tenant_server()
    tenant.seed([{"name": "one", "script": SCRIPT, "triggerId": TRIGGER}])
    with server.client() as client:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: client.hooks.list(), range(40)))
        assert client.stats.token_requests == 1
        assert client.stats.requests == 40
    assert server.token_requests == 1 and server.requests == [LIST] * 40
    assert all([h["name"] for h in hooks] == ["one"] for hooks in results)


def test_access_token_skips_token_request() -> None:
    tenant, server = tenant_server()
    with server.client(token="given-token-" + "1" * 8, secret=None) as client:
        assert client.hooks.list() == []
        client.hooks.create("made-with-token", TRIGGER, SCRIPT)
        assert client.stats.token_requests == 0
    assert server.token_requests == 0
    assert server.requests == [LIST, "POST /api/v2/hooks"]
    assert list(tenant.by_name()) == ["made-with-token"]


def test_expired_token_is_refreshed_once() -> None:
    tenant, server = tenant_server()
    with server.client() as client:
        client.hooks.list()
        server.expire_tokens()
        assert client.hooks.list() == []
        assert client.stats.token_requests == 2
    assert server.token_requests == 2
    assert server.requests == [LIST] * 3  # the expired attempt, then once more with the new token


def test_expired_given_token_names_the_variable() -> None:
    token = "given-token-" + "2" * 8
    tenant, server = tenant_server()
    with server.client(token=token, secret=None) as client:
        server.expire_tokens()
        with pytest.raises(AuthError) as info:
            client.hooks.list()
    assert "AUTH0_ACCESS_TOKEN" in one_line(info.value)
    assert token not in all_text(info.value)
    assert server.token_requests == 0 and server.requests == [LIST]  # never refreshed, never repeated


def test_bad_client_secret() -> None:
    tenant = HooksTenant()
    server = Server(tenant, accept_secret="the-real-secret-" + "0" * 8)
    with server.client() as client, pytest.raises(AuthError) as info:  # sends CANARY_SECRET
        client.hooks.list()
    message = one_line(info.value)
    assert message.startswith("authentication failed:")
    assert "AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET" in message
    assert CANARY_SECRET not in all_text(info.value)
    assert server.token_requests == 1 and server.requests == []  # nothing reached the API


# -- reads -------------------------------------------------------------------------------


def test_pagination_over_250_hooks() -> None:
    tenant, server = tenant_server()
    tenant.seed([
        {"name": f"hook-{i:03d}", "script": SCRIPT, "triggerId": TRIGGER,
         **({"secrets": {"A": "1", "B": "2"}} if i % 50 == 0 else {})}
        for i in range(250)
    ])
    with server.client() as client:
        hooks = client.hooks.list()
        assert len(hooks) == 250
        assert len({h["id"] for h in hooks}) == 250
        assert sorted(h["name"] for h in hooks) == [f"hook-{i:03d}" for i in range(250)]
        assert client.stats.requests == 3
        assert server.requests == [LIST.replace("page=0", f"page={n}") for n in range(3)]

        live = read_live_state(client)
    assert len(live.hooks) == 250
    by_name = live.by_name()
    assert by_name["hook-050"].secret_keys == {"A", "B"}
    assert by_name["hook-051"].secret_keys == frozenset()
    assert by_name["hook-001"].trigger_id == TRIGGER
    assert by_name["hook-001"].script == SCRIPT


def test_list_page_short_of_total_within_one_page() -> None:
    # total says more than the first page holds, yet the page size already covers it (a
    # tenant that shrank between count and read): no further page, no crash.
    hooks = [{"id": f"id{i}", "name": f"h{i}", "triggerId": TRIGGER, "script": SCRIPT, "enabled": False}
             for i in range(3)]
    server = Server(lambda request: httpx.Response(200, json={"hooks": hooks, "total": 5, "start": 0, "limit": 100}))
    with server.client() as client:
        assert [h["name"] for h in client.hooks.list()] == ["h0", "h1", "h2"]
    assert server.requests == [LIST]


def test_get_hook_and_404_message() -> None:
    tenant, server = tenant_server()
    with server.client() as client:
        hook = client.hooks.create("findme", TRIGGER, SCRIPT, dependencies={"lodash": "4.17.21"})
        assert client.hooks.get(hook["id"])["dependencies"] == {"lodash": "4.17.21"}
        with pytest.raises(ApiError) as info:
            client.hooks.get(MISSING)
    assert info.value.status == 404
    assert info.value.error_code == "HookDoesNotExist"
    assert one_line(info.value).startswith(f"hook {MISSING} does not exist (GET /api/v2/hooks/{MISSING}: ")


# -- writes ------------------------------------------------------------------------------


def test_write_round_trip() -> None:
    tenant, server = tenant_server()
    with server.client() as client:
        hook = client.hooks.create("round-trip", TRIGGER, SCRIPT)
        assert hook["enabled"] is False
        hook_id = hook["id"]
        client.hooks.add_secrets(hook_id, {"API_KEY": CANARY_VALUE, "OTHER": "x"})
        client.hooks.update_secrets(hook_id, {"OTHER": "y"})
        client.hooks.delete_secrets(hook_id, ["API_KEY"])
        assert client.hooks.secret_keys(hook_id) == {"OTHER"}
        updated = client.hooks.update(hook_id, enabled=True, script=SCRIPT + "//2")
        assert updated["enabled"] is True and updated["script"].endswith("//2")
        assert tenant.by_name()["round-trip"]["secrets"] == {"OTHER": "y"}
        client.hooks.delete(hook_id)
        assert client.hooks.list() == []
        with pytest.raises(ApiError) as info:
            client.hooks.delete(hook_id)  # a first-attempt 404 is an error
        assert info.value.status == 404
        before = len(server.requests)
        with pytest.raises(TypeError):
            client.hooks.update(hook_id, triggerId="pre-user-registration")
        assert len(server.requests) == before  # refused before sending
    assert tenant.hooks == {}


def test_conflict_message() -> None:
    tenant, server = tenant_server()
    with server.client() as client:
        client.hooks.create("twice", TRIGGER, SCRIPT)
        with pytest.raises(ApiError) as info:
            client.hooks.create("twice", TRIGGER, SCRIPT)
    assert info.value.status == 409
    assert one_line(info.value).startswith("conflict: ")
    assert "same name" in str(info.value)
    assert posts(server) == 2 and len(tenant.hooks) == 1


def test_missing_scope_is_named() -> None:
    tenant, server = tenant_server(scopes=frozenset({"read:hooks"}))
    with server.client() as client:
        assert client.hooks.list() == []
        with pytest.raises(AuthError) as info:
            client.hooks.create("nope", TRIGGER, SCRIPT)
    message = one_line(info.value)
    assert "the client lacks scope create:hooks" in message
    assert "Applications > APIs > Auth0 Management API" in message
    assert info.value.status == 403
    assert posts(server) == 1 and tenant.hooks == {}


def test_deprecated_feature_message() -> None:
    server = Server(lambda request: error(403, "Insufficient privileges to use this deprecated feature"))
    with server.client() as client, pytest.raises(HooksUnavailableError) as info:
        client.hooks.list()
    message = one_line(info.value)
    assert message.startswith("this tenant has no Hooks (Hooks were retired on 2026-11-18")
    assert "2023-10-16" in message
    assert CANARY_SECRET not in all_text(info.value)


def test_hooks_not_allowed_error_code_alone_is_a_tenant_without_hooks() -> None:
    server = Server(lambda request: error(403, "Forbidden", "hooks_not_allowed"))
    with server.client() as client, pytest.raises(HooksUnavailableError) as info:
        client.hooks.list()
    assert hooks_unavailable(info.value)


def test_a_404_is_not_a_tenant_without_hooks() -> None:
    # A wrong host, a proxy or a missing route answers 404: telling the user to migrate
    # their hooks would send them the wrong way.
    server = Server(lambda request: error(404, "Not Found"))
    with server.client() as client, pytest.raises(ApiError) as info:
        client.hooks.list()
    assert not hooks_unavailable(info.value)
    assert "no Hooks" not in one_line(info.value)


def test_canary_values_never_in_errors() -> None:
    secrets = {"CANARY": CANARY_VALUE}
    tenant, server = tenant_server()
    with server.client() as client:
        errors: list[BaseException] = []
        # Each call gets the id of a fresh hook that already holds the CANARY secret.
        calls: tuple[Callable[[str], object], ...] = (
            lambda hook_id: client.hooks.add_secrets(MISSING, secrets),
            lambda hook_id: client.hooks.update_secrets(MISSING, secrets),
            # The tenant echoes this payload into its 400: the client must scrub it.
            lambda hook_id: client.hooks.add_secrets(hook_id, {f"K{i}": CANARY_VALUE for i in range(25)}),
            lambda hook_id: client.hooks.add_secrets(hook_id, secrets),  # already exists: 409
            lambda hook_id: client.hooks.update_secrets(hook_id, {"MISSING": CANARY_VALUE}),
        )
        for n, call in enumerate(calls):
            hook = client.hooks.create(f"canary-{n}", TRIGGER, SCRIPT)
            client.hooks.add_secrets(hook["id"], secrets)
            try:
                call(hook["id"])
            except ReconcilerError as exc:
                errors.append(exc)
        token = client._token
    assert [getattr(e, "status", None) for e in errors] == [404, 404, 400, 409, 404]
    assert token == CANARY_TOKEN
    for failure in errors:
        one_line(failure)
        assert CANARY_VALUE not in all_text(failure) and CANARY_TOKEN not in all_text(failure)
    assert "(sensitive)" in str(errors[2])


# -- retries and unknown outcomes --------------------------------------------------------


def test_retries_on_429_and_5xx_converge() -> None:
    tenant, server = tenant_server(faults={"429": 0.05, "500": 0.1, "503": 0.1, "reset": 0.05}, seed=7)
    ft = FakeTime()  # a 429 holds the limiter back: on virtual time
    with server.client(sleep=ft.sleep, clock=ft.clock) as client:
        left = churn(client, 8)
        assert [h["name"] for h in client.hooks.list()] == left
        assert client.stats.retries > 0 and client.stats.rate_limited > 0
    state = tenant.by_name()
    assert sorted(state) == left and len(left) == 4
    assert all(churned(name, h) for name, h in state.items())


@pytest.mark.parametrize("fault", ["500after", "resetafter"])
def test_post_with_unknown_outcome_is_looked_up_not_resent(fault: str) -> None:
    tenant, server = tenant_server()
    tenant.fail_next("POST /api/v2/hooks", fault)  # the hook is created, the answer lost
    with server.client() as client:
        hook = client.hooks.create("dropped", TRIGGER, SCRIPT)
    assert hook["name"] == "dropped" and hook["triggerId"] == TRIGGER
    assert server.requests == ["POST /api/v2/hooks", LIST]  # looked up, not sent again
    assert list(tenant.by_name()) == ["dropped"]


def test_many_unknown_outcomes_leave_exactly_one_of_each() -> None:
    tenant, server = tenant_server(faults={"500after": 0.4, "reset": 0.1, "resetafter": 0.1}, seed=3)
    with server.client() as client:
        for i in range(15):
            hook = client.hooks.create(f"once-{i}", TRIGGER, SCRIPT)
            assert hook["name"] == f"once-{i}"
            client.hooks.add_secrets(hook["id"], {"S1": f"one-{i}", "S2": f"two-{i}"})
        created = tenant.by_name()
        for hook in created.values():
            client.hooks.delete(hook["id"])  # retried deletes hit 404: counted as done
        assert client.stats.retries > 0
    # Exactly one hook per create call (no duplicate from a re-sent POST), each with both keys.
    assert sorted(created) == sorted(f"once-{i}" for i in range(15))
    assert all(h["secrets"] == {"S1": f"one-{name[5:]}", "S2": f"two-{name[5:]}"} for name, h in created.items())
    assert tenant.hooks == {}


def test_post_503_before_processing_is_resent_once() -> None:
    tenant, server = tenant_server()
    tenant.fail_next("POST /api/v2/hooks", "503")  # refused before processing
    with server.client() as client:
        client.hooks.create("later", TRIGGER, SCRIPT)
    assert server.requests == ["POST /api/v2/hooks", LIST, "POST /api/v2/hooks"]
    assert list(tenant.by_name()) == ["later"]


def test_get_503_then_success() -> None:
    tenant, server = tenant_server()
    tenant.seed([{"name": "n", "script": SCRIPT, "triggerId": TRIGGER}])
    hook_id = next(iter(tenant.hooks))
    tenant.fail_next("GET /api/v2/hooks/", "503", "503")
    delays: list[float] = []
    with server.client(sleep=delays.append) as client:
        assert client.hooks.get(hook_id)["id"] == hook_id
        assert client.stats.retries == 2
    assert len(delays) == 2 and len(server.requests) == 3


def test_retry_after_http_date_is_honoured() -> None:
    ft = FakeTime()
    answers = [error(429, "Global limit has been reached", "too_many_requests",
                     **{"Retry-After": email.utils.formatdate(ft.now + 5, usegmt=True)})]
    tenant = HooksTenant()
    tenant.seed([{"name": "n", "script": SCRIPT, "triggerId": TRIGGER}])
    server = Server(lambda request: answers.pop() if answers else tenant(request))
    delays: list[float] = []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        ft.sleep(seconds)

    with server.client(sleep=sleep, clock=ft.clock) as client:
        client.hooks.get(next(iter(tenant.hooks)))
        assert client.stats.rate_limited == 1
    assert delays == [5.0]  # waited as told, and the limiter (blocked as long) no more
    assert len(server.requests) == 2


def test_delete_retried_404_counts_as_done() -> None:
    tenant, server = tenant_server()
    tenant.seed([{"name": f"h{i}", "script": SCRIPT, "triggerId": TRIGGER, "secrets": {"A": "a"}} for i in range(2)])
    first, second = list(tenant.hooks)
    # Deleted, then the connection dropped: the retry's 404 means the first attempt landed.
    tenant.fail_next(f"DELETE /api/v2/hooks/{first}", "resetafter")
    with server.client() as client:
        client.hooks.delete(first)
        assert server.requests == [f"DELETE /api/v2/hooks/{first}"] * 2
        assert first not in tenant.hooks
        # The secrets endpoint of a hook gone meanwhile: same rule.
        tenant.fail_next(f"DELETE /api/v2/hooks/{second}/secrets", "resetafter")
        tenant.fail_next(f"DELETE /api/v2/hooks/{second}/secrets", "404")
        client.hooks.delete_secrets(second, ["A"])
        assert tenant.secrets[second] == {}
        # A 404 on the first attempt is a real error.
        with pytest.raises(ApiError) as info:
            client.hooks.delete(first)
    assert info.value.status == 404


def test_unknown_outcome_then_real_conflict_is_reported() -> None:
    tenant, server = tenant_server()
    tenant.seed([{"name": "taken", "script": SCRIPT, "triggerId": "post-user-registration"}])
    tenant.fail_next("POST /api/v2/hooks", "502")
    with server.client() as client, pytest.raises(ApiError) as info:
        client.hooks.create("taken", TRIGGER, SCRIPT)
    assert info.value.status == 409 and one_line(info.value).startswith("conflict: ")
    assert posts(server) == 2
    assert tenant.by_name()["taken"]["triggerId"] == "post-user-registration"  # left alone


def test_add_secrets_unknown_outcome_switches_to_patch() -> None:
    tenant, server = tenant_server()
    tenant.seed([{"name": "h", "script": SCRIPT, "triggerId": TRIGGER}])
    hook_id = next(iter(tenant.hooks))
    tenant.fail_next(f"POST /api/v2/hooks/{hook_id}/secrets", "resetafter")  # stored, answer lost
    with server.client() as client:
        client.hooks.add_secrets(hook_id, {"A": CANARY_VALUE, "B": "b"})
    assert tenant.secrets[hook_id] == {"A": CANARY_VALUE, "B": "b"}
    secrets = f"/api/v2/hooks/{hook_id}/secrets"
    assert server.requests == [f"POST {secrets}", f"GET {secrets}", f"PATCH {secrets}"]


# -- pacing, on virtual time ---------------------------------------------------------------


def test_rate_limited_tenant_sees_at_most_one_429() -> None:
    ft = FakeTime()
    bucket = ServerBucket(ft, rate=2, burst=10)
    tenant, server = tenant_server(bucket=bucket, latency=0.02)
    tenant.seed([{"name": "only", "script": SCRIPT, "triggerId": TRIGGER}])
    hook_id = next(iter(tenant.hooks))
    start = ft.now
    with server.client(sleep=ft.sleep, clock=ft.clock) as client:
        for _ in range(30):
            client.hooks.get(hook_id)
        assert client.stats.rate_limited <= 1
    assert bucket.rejected <= 1 and bucket.ok == 30
    # ... and not paranoid: 20 requests beyond the burst at 2/s take about 10 s.
    assert ft.now - start <= 1.5 * (30 - 10) / 2, ft.now - start


def test_rate_limited_concurrent_reads_stay_within_budget() -> None:
    ft = FakeTime()
    bucket = ServerBucket(ft, rate=20, burst=20)
    tenant, server = tenant_server(bucket=bucket, latency=0.01)
    tenant.seed([{"name": f"c{i}", "script": SCRIPT, "triggerId": TRIGGER} for i in range(80)])
    with server.client(sleep=ft.sleep, clock=ft.clock) as client:
        live = read_live_state(client)  # one page, then 80 secret reads from 8 threads
        assert client.stats.rate_limited <= 1
    assert len(live.hooks) == 80
    assert bucket.ok == 81 and bucket.rejected <= 1


def test_a_run_started_on_a_drained_bucket_keeps_the_tier_pace() -> None:
    # Issue 21: the apply right after its plan meets an empty free-tier bucket (as the
    # emulator answers: "full again" on a success, "a token back" on a 429). Its first
    # request's 429 costs a wait, not the pace: 40 reads at 2/s take about 20 s, not 25.
    ft = FakeTime()
    bucket = ServerBucket(ft, rate=2, burst=2, reset_means="emulator", tokens=0.0)
    tenant, server = tenant_server(bucket=bucket, latency=0.02)
    tenant.seed([{"name": f"d{i}", "script": SCRIPT, "triggerId": TRIGGER} for i in range(39)])
    with server.client(sleep=ft.sleep, clock=ft.clock, max_workers=1) as client:  # no threads: exact time
        start = ft.now
        read_live_state(client)  # one page, then 39 secret reads
    assert bucket.rejected == 1 and bucket.ok == 40
    assert ft.now - start <= 1.1 + 1.02 * 39 / 2, ft.now - start
