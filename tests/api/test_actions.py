"""The Actions endpoints against scripted servers in the real API's shapes (and the recorded
answers themselves where shared/ is present): paging with omitted keys, look-first writes,
unforced deletes, whole-list bindings, bounded waits, Actions-specific errors."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reconciler.api.polling import Backoff
from reconciler.errors import (
    ActionBoundError,
    ActionsUnavailableError,
    ActionWaitTimeout,
    ApiError,
    AuthError,
    BuildFailedError,
    DeploySupersededError,
)
from tests.actions_fakes import (
    CODE,
    Router,
    action,
    binding,
    json_response,
    not_found,
    page,
    recorded,
    recorded_deploy_cli,
    version_of,
)
from tests.api.api_helpers import CANARY_SECRET, CANARY_TOKEN, all_text, one_line

ACTIONS = "/api/v2/actions/actions"
CANARY_VALUE = "canary-action-secret-value-71d3e2"


def _gets(server: Any, prefix: str = "GET") -> list[str]:
    return [r for r in server.requests if r.startswith(prefix)]


# -- listing -----------------------------------------------------------------------------------


def test_list_reads_pages_with_omitted_keys_and_never_sends_include_totals() -> None:
    first = [action(i) for i in range(100)]
    second = [action(i) for i in range(100, 130)]
    router = Router({f"GET {ACTIONS}": [
        json_response(200, page("actions", first, total=130)),  # page 0: no `page` key
        json_response(200, page("actions", second, number=1, total=130)),
    ]})
    server = router.server()
    with server.client() as client:
        found = client.actions.list()
    assert [a["id"] for a in found] == [f"act-{i}" for i in range(130)]
    assert server.requests == [f"GET {ACTIONS}?page=0&per_page=100", f"GET {ACTIONS}?page=1&per_page=100"]
    assert not any("include_totals" in r or "installed" in r for r in server.requests)


def test_empty_list_has_no_total_and_costs_one_request() -> None:
    server = Router({f"GET {ACTIONS}": json_response(200, {"actions": [], "per_page": 100})}).server()
    with server.client() as client:
        assert client.actions.list() == []
    assert len(server.requests) == 1


def test_recorded_list_pages_parse() -> None:
    # deploy-cli 2026: one custom action on page 0, later an empty tenant; go-auth0 2024: many actions
    answers = [body for method, _, status, body in recorded_deploy_cli(r"^GET /api/v2/actions/actions\?page=0") if status == 200]
    _, many = recorded("go-auth0_TestApplyActionsListDefaultsWithNilOptions.yaml", 0)
    for body in [answers[0], answers[-1], many]:
        server = Router({f"GET {ACTIONS}": json_response(200, body)}).server()
        with server.client() as client:
            assert [a["id"] for a in client.actions.list()] == [a["id"] for a in body["actions"]]


def test_find_uses_the_exact_name_filter_and_refuses_two_of_a_name() -> None:
    twins = [action(1, name="same"), action(2, name="same")]
    router = Router({f"GET {ACTIONS}": [json_response(200, page("actions", [action(1, name="same-ish")])),
                                        json_response(200, page("actions", twins))]})
    server = router.server()
    with server.client() as client:
        assert client.actions.find("same") is None  # a server filtering loosely is checked again
        with pytest.raises(ApiError) as info:
            client.actions.find("same")
    assert "two actions are named 'same' (act-1, act-2)" in one_line(info.value)
    assert server.requests[0] == f"GET {ACTIONS}?page=0&per_page=100&actionName=same"


# -- reading one action, the 2023 and 2026 shapes ------------------------------------------------


@pytest.mark.parametrize("recording, index", [
    ("terraform-provider-auth0_TestAccAction.yaml", 12),  # 2026: deployed, current_version, node18-actions
    ("terraform-provider-auth0_TestAccAction.yaml", 17),  # PATCH answer: draft differs from deployed
    ("go-auth0_TestActionManager_Read.yaml", 1),  # 2023: building, registry_url, node16
    ("go-auth0_TestActionManager_CreateWithDeploy.yaml", 0),  # deploy:true: pending deployed_version
])
def test_recorded_actions_pass_the_shape_check(recording: str, index: int) -> None:
    status, body = recorded(recording, index)
    server = Router({f"GET {ACTIONS}/{body['id']}": json_response(200, body)}).server()
    with server.client() as client:
        assert client.actions.get(body["id"]) == body


def test_get_404_without_error_code_is_one_line() -> None:
    server = Router({f"GET {ACTIONS}/gone": not_found()}).server()
    with server.client() as client, pytest.raises(ApiError) as info:
        client.actions.get("gone")
    assert one_line(info.value) == f"not found: That action does not exist. (GET {ACTIONS}/gone)"
    assert info.value.status == 404


def test_recorded_trigger_lists_2023_and_2026() -> None:
    _, old = recorded("go-auth0_TestActionManager_Triggers.yaml", 0)
    new = [b for m, _, s, b in recorded_deploy_cli(r"^GET /api/v2/actions/triggers$")][0]
    for body in (old, new):
        server = Router({"GET /api/v2/actions/triggers": json_response(200, body)}).server()
        with server.client() as client:
            assert [(t["id"], t["version"]) for t in client.actions.list_triggers()] == [
                (t["id"], t["version"]) for t in body["triggers"]]


# -- creating: never twice ------------------------------------------------------------------------


def test_create_sends_the_draft_without_deploy_and_returns_the_pending_action() -> None:
    created = action(1, status="pending", secrets=("API_KEY",))
    router = Router({f"POST {ACTIONS}": json_response(201, created)})
    server = router.server()
    with server.client() as client:
        got = client.actions.create("action-1", ("post-login", "v3"), CODE, runtime="node22",
                                    dependencies=[("auth0", "4.0.0")], secrets={"API_KEY": CANARY_VALUE})
    assert got["status"] == "pending"
    body = router.bodies[0]
    assert body == {"name": "action-1", "supported_triggers": [{"id": "post-login", "version": "v3"}], "code": CODE,
                    "runtime": "node22", "dependencies": [{"name": "auth0", "version": "4.0.0"}],
                    "secrets": [{"name": "API_KEY", "value": CANARY_VALUE}]}


@pytest.mark.parametrize("failure", ["503", "dropped"])
def test_create_with_unknown_outcome_looks_up_the_name_before_sending_again(failure: str) -> None:
    created = action(1, status="pending")
    lookups = [json_response(200, {"actions": [], "per_page": 100}), json_response(200, page("actions", [created]))]

    def post(request: httpx.Request) -> httpx.Response:
        if failure == "dropped":
            raise httpx.ReadError("connection reset after sending")
        return httpx.Response(503)

    router = Router({f"POST {ACTIONS}": post, f"GET {ACTIONS}": lambda r: lookups.pop(0) if len(lookups) > 1 else lookups[0]})
    server = router.server()
    with server.client() as client:
        # The name filter lags (nothing by that name yet); the whole listing shows our action:
        # it is not sent again.
        got = client.actions.create("action-1", ("post-login", "v3"), CODE)
    assert got["id"] == "act-1"
    assert [r.split("?")[0] for r in server.requests] == [f"POST {ACTIONS}", f"GET {ACTIONS}", f"GET {ACTIONS}"]
    by_name, whole = _gets(server)
    assert "actionName=action-1" in by_name and "actionName" not in whole


def test_create_after_unknown_outcome_refuses_a_namesake_on_another_trigger() -> None:
    other = action(9, name="action-1", trigger="credentials-exchange", version="v2")
    router = Router({f"POST {ACTIONS}": httpx.Response(502), f"GET {ACTIONS}": json_response(200, page("actions", [other]))})
    server = router.server()
    with server.client() as client, pytest.raises(ApiError) as info:
        client.actions.create("action-1", ("post-login", "v3"), CODE)
    assert "already exists (act-9) for another trigger" in one_line(info.value)
    assert sum(r.startswith("POST") for r in server.requests) == 1


# -- updating: whole lists, values never shown -----------------------------------------------------


def test_update_sends_complete_secret_set_and_clears_dependencies() -> None:
    router = Router({f"PATCH {ACTIONS}/act-1": json_response(200, action(1, status="pending", secrets=("A", "B")))})
    server = router.server()
    with server.client() as client:
        client.actions.update("act-1", code=CODE, dependencies=[], secrets={"B": "value-b", "A": "value-a"})
    assert router.bodies[0] == {"code": CODE, "dependencies": [],
                                "secrets": [{"name": "A", "value": "value-a"}, {"name": "B", "value": "value-b"}]}


def test_update_never_sends_a_secret_without_value_and_names_only_the_secret() -> None:
    server = Router({}).server()
    with server.client() as client, pytest.raises(ValueError) as info:
        client.actions.update("act-1", secrets={"GOOD": CANARY_VALUE, "EMPTY": ""})
    assert "'EMPTY' has no value" in str(info.value) and CANARY_VALUE not in all_text(info.value)
    assert server.requests == []
    with server.client() as client, pytest.raises(TypeError):
        client.actions.update("act-1")


def test_a_server_echoing_secret_values_and_keywords_is_scrubbed() -> None:
    keyword = "canary-keyword-value-0f9a1b"
    echo = lambda request: httpx.Response(400, json={"statusCode": 400, "error": "Bad Request",  # noqa: E731
                                                     "message": f"invalid: {request.content.decode()}"})
    server = Router({f"PATCH {ACTIONS}/act-1": echo, f"POST {ACTIONS}": echo}).server()
    with server.client() as client:
        calls: tuple[Callable[[], object], ...] = (
            lambda: client.actions.update("act-1", code=f"// {keyword}", secrets={"K": CANARY_VALUE},
                                          sensitive=[keyword]),
            lambda: client.actions.create("x", ("post-login", "v3"), f"// {keyword}",
                                          secrets={"K": CANARY_VALUE}, sensitive=[keyword]),
        )
        for call in calls:
            with pytest.raises(ApiError) as info:
                call()
            text = all_text(info.value)
            assert CANARY_VALUE not in text and keyword not in text and CANARY_SECRET not in text
            one_line(info.value)


# -- deploying and waiting ---------------------------------------------------------------------------


def test_build_wait_follows_the_recorded_pending_building_built_sequence() -> None:
    # terraform TestAccAction: the PATCH answer says pending, then 4 polls building, then built.
    states = [recorded("terraform-provider-auth0_TestAccAction.yaml", i)[1] for i in range(6, 11)]
    sleeps: list[float] = []
    server = Router({f"GET {ACTIONS}/{states[0]['id']}": [json_response(200, s) for s in states]}).server()
    with server.client(sleep=sleeps.append) as client:
        built = client.actions.wait_built(states[0]["id"])
    assert built["status"] == "built" and len(server.requests) == 5
    assert sleeps == [0.25, 0.3125, 0.390625, 0.48828125]  # back-off from 0.25 s, growing by 1.25


def test_build_wait_right_after_a_write_first_waits_one_step() -> None:
    # The create or PATCH answered `pending` a moment ago: asking again at once is a request
    # that cannot say `built`; the first poll comes one back-off step later.
    states = [recorded("terraform-provider-auth0_TestAccAction.yaml", i)[1] for i in range(6, 11)]
    sleeps: list[float] = []
    server = Router({f"GET {ACTIONS}/{states[0]['id']}": [json_response(200, s) for s in states[1:]]}).server()
    with server.client(sleep=sleeps.append) as client:
        built = client.actions.wait_built(states[0]["id"], written=states[0])
    assert built["status"] == "built" and len(server.requests) == 4
    # one back-off step, or a second for each npm dependency the draft installs (this one has 1)
    assert len(states[0]["dependencies"]) == 1
    assert sleeps == [1.0, 0.3125, 0.390625, 0.48828125]


def test_build_wait_without_dependencies_first_waits_one_step() -> None:
    states = [recorded("terraform-provider-auth0_TestAccAction.yaml", i)[1] for i in range(6, 11)]
    written = {**states[0], "dependencies": []}
    sleeps: list[float] = []
    server = Router({f"GET {ACTIONS}/{states[0]['id']}": [json_response(200, s) for s in states[1:]]}).server()
    with server.client(sleep=sleeps.append) as client:
        client.actions.wait_built(states[0]["id"], written=written)
    assert sleeps == [0.25, 0.3125, 0.390625, 0.48828125]


def test_concurrent_build_waits_share_list_requests() -> None:
    # Two actions built a moment after their creates: their polls read one list, not a GET each.
    listed = {"actions": [action(1, status="built"), action(2, status="built")], "total": 2, "per_page": 100}
    server = Router({f"GET {ACTIONS}": json_response(200, listed)}).server()
    barrier = threading.Barrier(2)
    with server.client() as client:
        def meet(seconds: float) -> None:  # both poll at once
            barrier.wait(5)

        client.actions.backoff = Backoff(sleep=meet)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            done = list(pool.map(lambda n: client.actions.wait_built(f"act-{n}", written=action(n, status="pending")), (1, 2)))
    assert [a["status"] for a in done] == ["built", "built"]
    assert [r for r in server.requests if "oauth" not in r] == [f"GET {ACTIONS}?page=0&per_page=100"]


def test_build_and_deploy_waits_vouch_only_for_states_after_their_write() -> None:
    # What a poll may take from a list sent before its write: for a build, only the draft
    # that write made (its updated_at); for a deploy, only the new version live.
    patched = action(1, status="pending", updated_at="2026-11-23T10:00:00.000000001Z")
    vouched: list[Any] = []
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, {**patched, "status": "built",
                                                                    "deployed_version": {"id": "v2", "deployed": True, "status": "built"}})}).server()
    with server.client() as client:
        board = client.actions.status
        real_read = board.read

        def read(action_id: str, not_before: float, current: Any = None, **more: Any) -> dict[str, Any]:
            vouched.append(current)
            return real_read(action_id, not_before, current, **more)

        board.read = read  # type: ignore[method-assign]
        client.actions.wait_built("act-1", written=patched)
        client.actions.wait_deployed("act-1", "v2")
    build, deploy = vouched
    assert build({**patched, "status": "built"}) and not build(action(1, status="built"))  # the old draft
    assert deploy({"deployed_version": {"id": "v2"}}) and not deploy({"deployed_version": {"id": "v1"}})


def test_a_poll_yields_to_other_requests_no_longer_than_its_wait_may_take() -> None:
    # The step's timeout, or AUTH0_WAIT_LIMIT when shorter: past it the poll goes as any
    # request (and the wait ends with its last answer, as before).
    live = {**action(1, status="built"), "deployed_version": {"id": "v2", "deployed": True, "status": "built"}}
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, live)}).server()
    budgets: list[float] = []
    with server.client() as client:
        board = client.actions.status
        real_read = board.read

        def read(action_id: str, not_before: float, current: Any = None, **more: Any) -> dict[str, Any]:
            budgets.append(more["until"] - not_before)
            return real_read(action_id, not_before, current, **more)

        board.read = read  # type: ignore[method-assign]
        client.actions.wait_built("act-1", timeout=300.0)
        client.actions.limit = 20.0
        client.actions.wait_built("act-1", timeout=300.0)
        client.actions.wait_deployed("act-1", "v2", timeout=10.0)
    assert budgets == [300.0, 20.0, 10.0]


def test_build_that_fails_stops_with_the_builds_message() -> None:
    # building / retrying ... failed, as recorded with an unresolvable dependency; the deployed version stays.
    states = [recorded("terraform-provider-auth0_TestAccAction.yaml", i)[1] for i in range(37, 44)]
    assert [s["status"] for s in states][-1] == "failed"
    server = Router({f"GET {ACTIONS}/{states[0]['id']}": [json_response(200, s) for s in states]}).server()
    with server.client() as client, pytest.raises(BuildFailedError) as info:
        client.actions.wait_built(states[0]["id"])
    assert one_line(info.value).startswith("the build of action 'Test Action TestAccAction' failed (GET ")
    assert "keeps running" in str(info.value) and len(server.requests) == len(states)

    failed = action(2, status="failed", errors=[{"id": "e1", "msg": "npm ERR! 404 crypto@17.7.1\nnot found"}])
    server = Router({f"GET {ACTIONS}/act-2": json_response(200, failed)}).server()
    with server.client() as client, pytest.raises(BuildFailedError) as info:
        client.actions.wait_built("act-2")
    assert "failed: npm ERR! 404 crypto@17.7.1 not found (GET" in one_line(info.value)
    assert info.value.build_message == "npm ERR! 404 crypto@17.7.1 not found"


def test_build_wait_is_bounded_in_time_and_requests() -> None:
    now = [0.0]
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, action(1, status="retrying"))}).server()
    with server.client() as client:
        client.actions.backoff = Backoff(timeout=30, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
        with pytest.raises(ActionWaitTimeout) as info:
            client.actions.wait_built("act-1")
    assert one_line(info.value).startswith("action 'action-1' did not finish to build within 30s (last status 'retrying')")
    assert now[0] == pytest.approx(30.0)
    # at 0, 0.25, 0.56, 0.95, 1.44, 2.05, ... 21.74, 27.42 (x1.25, 10 s cap), then 30: the last look
    assert len(server.requests) == 17
    # A sleep that returns at once (no clock injected) still ends after the same bounded polls.
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, action(1, status="building"))}).server()
    with server.client(actions_wait=30) as client, pytest.raises(ActionWaitTimeout):
        client.actions.wait_built("act-1")
    assert len(server.requests) == 17


def test_a_deploy_that_never_goes_live_is_named_while_waiting_and_ends_at_the_wait_limit() -> None:
    now = [0.0]
    draft = action(1)
    pending = action(1, deployed_version=version_of(draft, 1, deployed=False, status="pending"))
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, pending)}).server()
    said: list[str] = []
    with server.client() as client:
        client.actions.backoff = Backoff(timeout=120, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
        client.actions.limit, client.actions.notify = 25.0, said.append
        with pytest.raises(ActionWaitTimeout) as info:
            client.actions.wait_deployed("act-1", str(pending["deployed_version"]["id"]), number=1)
    assert "did not finish to deploy version" in one_line(info.value) and "within 25s (AUTH0_WAIT_LIMIT)" in one_line(info.value)
    assert now[0] == pytest.approx(25.0)
    assert said and all(line.startswith("waiting for action 'action-1' to deploy version") for line in said)
    assert said[0].endswith("(2 s)") and len(said) == 3  # after 2 s, then every 10 s or more


def test_deploy_answer_with_deployed_false_then_wait_until_live() -> None:
    draft = action(1)
    new = version_of(draft, 1, deployed=False)  # the recorded deploy answer says deployed: false
    still_old = action(1)  # not yet showing the version
    pending_live = action(1, deployed_version=version_of(draft, 1, deployed=True, status="pending"))
    live = action(1, deployed=1)
    router = Router({
        f"POST {ACTIONS}/act-1/deploy": json_response(200, new),
        f"GET {ACTIONS}/act-1": [json_response(200, b) for b in (still_old, pending_live, live)],
    })
    server = router.server()
    with server.client() as client:
        version = client.actions.deploy("act-1")
        assert version["deployed"] is False and version["number"] == 1
        done = client.actions.wait_deployed("act-1", version["id"], number=1)
    assert done["deployed_version"]["id"] == new["id"]
    assert router.bodies[0] is None  # no body on deploy
    assert len(_gets(server)) == 3


def test_recorded_deploy_answers_pass_the_shape_check() -> None:
    for recording, index in (("terraform-provider-auth0_TestAccAction.yaml", 11), ("go-auth0_TestActionManager_Deploy.yaml", 4)):
        status, body = recorded(recording, index)
        server = Router({f"POST {ACTIONS}/a/deploy": json_response(status, body)}).server()
        with server.client() as client:
            assert client.actions.deploy("a")["id"] == body["id"]
    # the spec says 202: accepted the same way
    server = Router({f"POST {ACTIONS}/a/deploy": json_response(202, version_of(action(1), 1, deployed=False))}).server()
    with server.client() as client:
        assert client.actions.deploy("a")["number"] == 1


def test_deploy_with_unknown_outcome_reads_the_action_before_deploying_again() -> None:
    router = Router({f"POST {ACTIONS}/act-1/deploy": httpx.Response(504), f"GET {ACTIONS}/act-1": json_response(200, action(1, deployed=3))})
    server = router.server()
    with server.client() as client:
        version = client.actions.deploy("act-1")
    assert version["number"] == 3
    assert [r.split(" ")[0] for r in server.requests] == ["POST", "GET"]


def test_wait_deployed_stops_when_someone_else_deploys_a_newer_version() -> None:
    server = Router({f"GET {ACTIONS}/act-1": json_response(200, action(1, deployed=5))}).server()
    with server.client() as client, pytest.raises(DeploySupersededError) as info:
        client.actions.wait_deployed("act-1", "ver-act-1-4", number=4)
    assert "version 5 was deployed while waiting for version 4" in one_line(info.value)


# -- deleting ---------------------------------------------------------------------------------------


def test_delete_never_forces_and_a_bound_action_is_a_typed_error() -> None:
    bound = httpx.Response(409, json={"statusCode": 409, "error": "Conflict",
                                      "message": "Unable to delete an action bound to a trigger."})
    server = Router({f"DELETE {ACTIONS}/act-1": bound}).server()
    with server.client() as client, pytest.raises(ActionBoundError) as info:
        client.actions.delete("act-1")
    assert "still bound to a trigger and was not deleted" in one_line(info.value)
    assert server.requests == [f"DELETE {ACTIONS}/act-1"]
    server = Router({f"DELETE {ACTIONS}/act-1": httpx.Response(204)}).server()
    with server.client() as client:
        client.actions.delete("act-1", force=True)
    assert server.requests == [f"DELETE {ACTIONS}/act-1?force=true"]


def test_retried_delete_that_finds_404_is_done_but_a_first_404_is_not() -> None:
    server = Router({f"DELETE {ACTIONS}/act-1": [httpx.Response(503), not_found()]}).server()
    with server.client() as client:
        client.actions.delete("act-1")
    assert len(server.requests) == 2
    server = Router({f"DELETE {ACTIONS}/act-1": not_found()}).server()
    with server.client() as client, pytest.raises(ApiError, match="That action does not exist"):
        client.actions.delete("act-1")


# -- bindings ---------------------------------------------------------------------------------------


def test_bindings_read_every_page_in_order_keeping_repeats() -> None:
    acts = [action(i) for i in range(3)]
    first = [binding(acts[i % 3], n=i) for i in range(100)]
    second = [binding(acts[0], "last", n=100)]
    path = "/api/v2/actions/triggers/post-login/bindings"
    server = Router({f"GET {path}": [json_response(200, page("bindings", first, total=101)),
                                     json_response(200, page("bindings", second, number=1, total=101))]}).server()
    with server.client() as client:
        got = client.actions.bindings("post-login")
    assert [b["action"]["id"] for b in got] == [f"act-{i % 3}" for i in range(100)] + ["act-0"]
    assert server.requests == [f"GET {path}?page=0&per_page=100", f"GET {path}?page=1&per_page=100"]


def test_recorded_bindings_pages() -> None:
    _, first = recorded("terraform-provider-auth0_TestAccAction.yaml", 45)
    _, past_end = recorded("terraform-provider-auth0_TestAccAction.yaml", 46)
    path = "/api/v2/actions/triggers/post-login/bindings"
    server = Router({f"GET {path}": [json_response(200, first), json_response(200, past_end)]}).server()
    with server.client() as client:
        got = client.actions.bindings("post-login")
    assert [b["action"]["id"] for b in got] == [b["action"]["id"] for b in first["bindings"]]
    assert len(server.requests) == 1  # `total` said 1: the empty page past the end is not needed


def test_set_bindings_sends_the_whole_ordered_list_by_action_id() -> None:
    a, b = action(1), action(2)
    path = "/api/v2/actions/triggers/post-login/bindings"
    router = Router({f"PATCH {path}": [json_response(200, {"bindings": [binding(b, "second first"), binding(a)]}),
                                       json_response(200, {"bindings": []})]})
    server = router.server()
    with server.client() as client:
        got = client.actions.set_bindings("post-login", [("act-2", "second first"), ("act-1", None)])
        assert [x["action"]["id"] for x in got] == ["act-2", "act-1"]
        assert client.actions.set_bindings("post-login", []) == []
    assert router.bodies == [
        {"bindings": [{"ref": {"type": "action_id", "value": "act-2"}, "display_name": "second first"},
                      {"ref": {"type": "action_id", "value": "act-1"}}]},
        {"bindings": []},
    ]


# -- tenant without Actions, scopes ---------------------------------------------------------------------


def test_feature_not_enabled_says_the_tenant_has_no_actions() -> None:
    denied = httpx.Response(403, json={"statusCode": 403, "error": "Forbidden", "message": "Actions are not enabled.",
                                       "errorCode": "feature_not_enabled"})
    server = Router({f"GET {ACTIONS}": denied}).server()
    with server.client() as client, pytest.raises(ActionsUnavailableError) as info:
        client.actions.list()
    assert one_line(info.value).startswith("this tenant has no Actions (403 feature_not_enabled, GET ")
    assert len(server.requests) == 1


@pytest.mark.parametrize("message, code, method, expected", [
    ("Insufficient scope, expected any of: create:actions", "insufficient_scope", "POST", "create:actions"),
    ("Insufficient scope", "insufficient_scope", "PATCH", "update:actions"),
    ("Insufficient scope", "insufficient_scope", "DELETE", "delete:actions"),
    ("Insufficient scope", "insufficient_scope", "GET", "read:actions"),
])
def test_missing_scope_is_named(message: str, code: str, method: str, expected: str) -> None:
    answer = httpx.Response(403, json={"statusCode": 403, "error": "Forbidden", "message": message, "errorCode": code})
    server = Router({f"POST {ACTIONS}": answer, "PATCH /api/v2/actions/triggers/post-login/bindings": answer,
                     f"DELETE {ACTIONS}/a": answer, "GET /api/v2/actions/triggers": answer}).server()
    calls = {"POST": lambda c: c.actions.create("x", ("post-login", "v3"), CODE),
             "PATCH": lambda c: c.actions.set_bindings("post-login", []),
             "DELETE": lambda c: c.actions.delete("a"), "GET": lambda c: c.actions.list_triggers()}
    with server.client() as client, pytest.raises(AuthError) as info:
        calls[method](client)
    assert f"lacks scope {expected}" in one_line(info.value)


# -- hostile answers: one line naming the request, bounded requests, no canary ----------------------------


LIST = f"GET {ACTIONS}?page=0&per_page=100"
HOSTILE: dict[str, tuple[Any, str]] = {
    "non-JSON": (httpx.Response(200, text="<html>proxy</html>", headers={"content-type": "text/html"}), "is not JSON"),
    "JSON list": (httpx.Response(200, json=[action(1)]), "the answer is a list, not an object"),
    "actions missing": (httpx.Response(200, json={"per_page": 100}), "'actions' is missing"),
    "actions not a list": (httpx.Response(200, json={"actions": {"id": "x"}}), "'actions' is not a list"),
    "action without id": (httpx.Response(200, json=page("actions", [{"name": "x"}])), "actions[0]'s id is null"),
    "id a number": (httpx.Response(200, json=page("actions", [action(1, id=7)])), "actions[0]'s id is a number"),
    "name empty": (httpx.Response(200, json=page("actions", [action(1, name="")])), "field 'name' is a string, not a non-empty"),
    "code a number": (httpx.Response(200, json=page("actions", [action(1, code=5)])), "field 'code' is a number"),
    "triggers a dict": (httpx.Response(200, json=page("actions", [action(1, supported_triggers={"id": "x"})])),
                        "field 'supported_triggers' is an object"),
    "dependency without name": (httpx.Response(200, json=page("actions", [action(1, dependencies=[{"version": "1"}])])),
                                "dependencies[0].name is null"),
    "secrets strings": (httpx.Response(200, json=page("actions", [action(1) | {"secrets": ["K"]}])), "secrets[0] is a string"),
    "deployed_version a list": (httpx.Response(200, json=page("actions", [action(1, deployed_version=[])])),
                                "deployed_version is a list"),
    "all_changes_deployed a string": (httpx.Response(200, json=page("actions", [action(1, all_changes_deployed="yes")])),
                                      "'all_changes_deployed' is a string, not a boolean"),
    "total a string": (httpx.Response(200, json={"actions": [], "total": "many"}), "'total' is a string"),
    "total smaller than the page": (httpx.Response(200, json=page("actions", [action(1), action(2)], total=1)),
                                    "'total' says 1 but the first page holds 2"),
    "page number wrong": (httpx.Response(200, json={"actions": [], "page": 3}), "answered page 3 when asked for page 0"),
    "redirect": (httpx.Response(302, headers={"location": "https://evil.test/"}), "unexpected redirect 302"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_list_answer_is_one_line_naming_the_request(case: str) -> None:
    answer, expected = HOSTILE[case]
    server = Router({f"GET {ACTIONS}": answer}).server()
    with server.client() as client, pytest.raises(ApiError) as info:
        client.actions.list()
    message = one_line(info.value)
    assert message.startswith(LIST + ": ") or case == "redirect", message
    assert expected in message, message
    assert len(server.requests) == 1
    text = all_text(info.value)
    assert CANARY_SECRET not in text and CANARY_TOKEN not in text


@pytest.mark.parametrize("case, route, call, answer, expected", [
    ("bindings not a list", "GET /api/v2/actions/triggers/post-login/bindings", lambda c: c.actions.bindings("post-login"),
     {"bindings": {"0": {}}}, "'bindings' is not a list"),
    ("binding without action", "GET /api/v2/actions/triggers/post-login/bindings", lambda c: c.actions.bindings("post-login"),
     page("bindings", [{"id": "b", "display_name": "x"}]), "bindings[0].action is null"),
    ("binding action id missing", "GET /api/v2/actions/triggers/post-login/bindings", lambda c: c.actions.bindings("post-login"),
     page("bindings", [{"action": {"name": "x"}}]), "bindings[0].action.id is null"),
    ("patch answer not a list", "PATCH /api/v2/actions/triggers/post-login/bindings",
     lambda c: c.actions.set_bindings("post-login", []), {"bindings": "none"}, "'bindings' is not a list"),
    ("triggers missing", "GET /api/v2/actions/triggers", lambda c: c.actions.list_triggers(), {}, "'triggers' is missing"),
    ("trigger runtimes not strings", "GET /api/v2/actions/triggers", lambda c: c.actions.list_triggers(),
     {"triggers": [{"id": "post-login", "version": "v3", "runtimes": [22]}]}, "triggers[0].runtimes[0] is a number"),
    ("deploy answer without id", f"POST {ACTIONS}/a/deploy", lambda c: c.actions.deploy("a"), {"number": 1}, "the version's id is null"),
    ("deploy number negative", f"POST {ACTIONS}/a/deploy", lambda c: c.actions.deploy("a"),
     {"id": "v", "number": -1}, "field 'number' is a number, not a count"),
    ("create answer a string", f"POST {ACTIONS}", lambda c: c.actions.create("x", ("post-login", "v3"), CODE), "ok",
     "the action is a string"),
    ("status a number", f"GET {ACTIONS}/a", lambda c: c.actions.wait_built("a"), action(1, id="a", status=3),
     "field 'status' is a number"),
])
def test_hostile_answers_elsewhere(case: str, route: str, call: Any, answer: Any, expected: str) -> None:
    server = Router({route: json_response(200, answer)}).server()
    with server.client() as client, pytest.raises(ApiError) as info:
        call(client)
    message = one_line(info.value)
    assert message.startswith(route.split(" ")[0] + " /api/v2/actions/"), message
    assert expected in message, message
    assert len(server.requests) == 1


def test_page_ignoring_server_is_stopped_after_two_requests() -> None:
    full = page("actions", [action(i) for i in range(100)], total=500)  # a lying total, and `page` ignored
    server = Router({f"GET {ACTIONS}": json_response(200, full)}).server()
    with server.client() as client, pytest.raises(ApiError) as info:
        client.actions.list()
    assert "answered page 0 again (it ignores `page`)" in one_line(info.value)
    assert len(server.requests) == 2


def test_endless_fresh_pages_and_a_tiny_claimed_page_size_stay_bounded() -> None:
    count = [0]

    def fresh(request: httpx.Request) -> httpx.Response:
        count[0] += 1
        n = int(request.url.params["page"])
        if n % 2:  # alternate a full page and a one-item page claiming per_page 1
            return json_response(200, {"actions": [action(f"{n}-0")], "page": n, "per_page": 1, "total": 10**6})
        return json_response(200, page("actions", [action(f"{n}-{i}") for i in range(100)], number=n, total=10**6))

    server = Router({f"GET {ACTIONS}": fresh}).server()
    with server.client() as client:
        found = client.actions.list()
    assert count[0] == 2 and len(found) == 101  # a per_page below 20 is not believed: the short page ends it

    server = Router({f"GET {ACTIONS}": lambda r: json_response(200, page(
        "actions", [action(f"{r.url.params['page']}-{i}") for i in range(100)], number=int(r.url.params["page"]),
        total=10**6))}).server()
    with server.client() as client, pytest.raises(ApiError, match="more than 1000 items"):
        client.actions.list()
    assert len(server.requests) == 10


def test_create_that_never_lands_gives_up_bounded_without_showing_values() -> None:
    echo = lambda request: httpx.Response(503, text=request.content.decode())  # noqa: E731
    router = Router({f"POST {ACTIONS}": echo, f"GET {ACTIONS}": json_response(200, {"actions": [], "per_page": 100})})
    server = router.server()
    with server.client(max_attempts=3) as client, pytest.raises(ApiError) as info:
        client.actions.create("x", ("post-login", "v3"), CODE, secrets={"K": CANARY_VALUE})
    assert one_line(info.value).startswith("outcome unknown: 503")
    assert CANARY_VALUE not in all_text(info.value)
    # Each look: by name, the whole listing, a pause, both again; then the POST again.
    assert [r.split("?")[0] for r in server.requests] == ([f"POST {ACTIONS}"] + [f"GET {ACTIONS}"] * 4) * 3
