"""The Actions endpoints: requests, a shape check of every answer, look-first writes, waits.

What this module relies on of the real API (Management API v2, as a real tenant answers):

- Lists omit zero-valued keys (page 0 has no ``page``, an empty list no ``total``) and reject
  ``include_totals``: pages are read until a short or empty one, 100 at a time.
- ``installed=false`` is not sent: marketplace actions are listed too (a binding may run one,
  the config may name one) and carry ``integration``; callers leave them alone.
- POST create and POST deploy are not idempotent: after an unknown outcome the action is looked
  up by its exact name (or the draft compared with the deployed version) before re-sending.
- A PATCH replaces ``dependencies`` and ``secrets`` whole: :meth:`ActionsApi.update` takes the
  complete secret set (name -> value) or nothing; there is no way to send part of it.
- Bindings are one ordered list per trigger, written whole, referenced by action id; binding
  ids change on every PATCH and are never used.
- DELETE never forces unless asked; 409 is :class:`ActionBoundError`; a 404 after an attempt
  that may have landed counts as done.
- Builds and deploys finish in the background: :meth:`ActionsApi.wait_built` and
  :meth:`ActionsApi.wait_deployed` poll with back-off, bounded and announced (:mod:`.action_waits`).
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from reconciler.errors import (
    ActionBoundError,
    ApiError,
    BuildFailedError,
    DeploySupersededError,
)

from .action_answers import Answers
from .action_denials import explain
from .action_shapes import (
    BUILT,
    FAILED,
    Pair,
    binding_ref,
    build_message,
    check_action,
    check_binding,
    check_trigger,
    check_version,
    dependencies_body,
    draft_is_deployed,
    is_marketplace,
    secrets_body,
    trigger_body,
    triggers_of,
)
from .action_status import StatusBoard
from .action_waits import build_expect, paced, wait_for_action
from .hooks import Requester
from .pagination import PER_PAGE, Page, paginate
from .polling import Backoff
from .responses import bad, expect_count, expect_dict, json_body, where
from .transport import send_looking_first

ACTIONS = "/api/v2/actions/actions"
TRIGGERS = "/api/v2/actions/triggers"
# Tenant limits are 100 actions, 20 bindings per trigger and 50 versions per action [doc]:
# ten times that bounds what a hostile server can make us read (and how many requests).
MAX_ACTIONS = 1_000
MAX_BINDINGS = 200
MAX_VERSIONS = 500
# No real server pages by fewer than its default of 20: a smaller `per_page` in an answer
# is not believed (it would turn a bounded listing into one request per item).
MIN_PAGE = 20
# Looks for a create whose answer was lost before it is sent again (the name filter may lag).
LOOKS = 2


def action_path(action_id: str) -> str:
    return f"{ACTIONS}/" + quote(str(action_id), safe="")


def bindings_path(trigger_id: str) -> str:
    return f"{TRIGGERS}/" + quote(str(trigger_id), safe="") + "/bindings"


def _id(value: Any) -> str:
    return str(value)[:60]


class ActionsApi:
    """``client.actions``: every Actions endpoint the reconciler uses. Thread-safe: its state
    is ``backoff`` (tests may replace it to poll on a fake clock) and ``status``, where waits
    running at once share list requests."""

    def __init__(
        self, api: Requester, backoff: Backoff | None = None, *, limit: float | None = None,
        notify: Callable[[str], None] | None = None, per_request: Callable[[], float] = lambda: 0.0,
        quiet: Callable[[float], bool] = lambda within: True,
    ) -> None:
        self.api = api
        self.per_request = per_request  # seconds the rate limit gives each request (0: unknown)
        self.backoff = backoff or Backoff()
        self.limit = limit  # AUTH0_WAIT_LIMIT: no wait for a build or deploy is longer
        self.notify = notify or (lambda line: None)
        # Polls yield to the requests waiting for the rate limit (``quiet``: RateLimiter.quiet).
        self.status = StatusBoard(self.get, self.list, per_request=per_request, quiet=quiet)
        self.answers = Answers()  # the read-back's source (action_answers.py)

    # -- one request, Actions wording for the errors that mean something here ---------------

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self.api.send(method, path, **kwargs)
        except ApiError as exc:
            raise explain(exc, method, path) from None

    # -- reads -------------------------------------------------------------------------------

    def _page(
        self, path: str, key: str, params: Mapping[str, str], number: int,
        check: Callable[[httpx.Response, Any, str], dict[str, Any]],
    ) -> Page[dict[str, Any]]:
        query = {"page": str(number), "per_page": str(PER_PAGE), **params}
        response = self._send("GET", path, params=query)
        data = expect_dict(response, json_body(response))
        items = data.get(key)
        if not isinstance(items, list):
            raise bad(response, f"{key!r} is {'missing' if items is None else 'not a list'}")
        # Zero-valued keys are left out by the real API: no `page` on page 0, no `total` when empty.
        if data.get("page") is not None and expect_count(response, data["page"], "'page'") != number:
            raise bad(response, f"answered page {data['page']} when asked for page {number}")
        total = expect_count(response, data["total"], "'total'") if data.get("total") is not None else None
        if total is not None and number == 0 and total < len(items):
            raise bad(response, f"'total' says {total} but the first page holds {len(items)}")
        size = expect_count(response, data["per_page"], "'per_page'") if data.get("per_page") is not None else None
        if size is not None and size < MIN_PAGE:
            size = None
        checked = [check(response, item, f"{key}[{i}]") for i, item in enumerate(items)]
        return Page(checked, total=total, size=size, where=where(response))

    def list(self, *, name: str | None = None) -> list[dict[str, Any]]:
        """Every action, marketplace ones included (check ``integration``); with ``name``,
        only those with exactly that name (``actionName`` is an exact filter; checked again)."""
        params = {} if name is None else {"actionName": name}
        found = paginate(
            lambda n: self._page(ACTIONS, "actions", params, n, check_action),
            key=lambda action: str(action["id"]), max_items=MAX_ACTIONS,
        )
        return [action for action in found if name is None or action["name"] == name]

    def find(self, name: str) -> dict[str, Any] | None:
        """The custom action with exactly this name; refuses (one line) when there are two."""
        same = [action for action in self.list(name=name) if not is_marketplace(action)]
        if len(same) > 1:
            ids = ", ".join(sorted(_id(a["id"]) for a in same))
            raise ApiError(f"two actions are named {name[:80]!r} ({ids}): rename or delete one; "
                           "names must be unique for this tool", status=0, method="GET", path=ACTIONS)
        return same[0] if same else None

    def get(self, action_id: str) -> dict[str, Any]:
        response = self._send("GET", action_path(action_id))
        return check_action(response, json_body(response))

    def list_versions(self, action_id: str) -> builtins.list[dict[str, Any]]:
        path = action_path(action_id) + "/versions"
        return list(paginate(
            lambda n: self._page(path, "versions", {}, n, check_version),
            key=lambda version: str(version["id"]), max_items=MAX_VERSIONS,
        ))

    def get_version(self, action_id: str, version_id: str) -> dict[str, Any]:
        response = self._send("GET", action_path(action_id) + "/versions/" + quote(str(version_id), safe=""))
        return check_version(response, json_body(response))

    def list_triggers(self) -> builtins.list[dict[str, Any]]:
        """``GET /actions/triggers``: every trigger version the tenant offers (not paged)."""
        response = self._send("GET", TRIGGERS)
        data = expect_dict(response, json_body(response))
        items = data.get("triggers")
        if not isinstance(items, list):
            raise bad(response, f"'triggers' is {'missing' if items is None else 'not a list'}")
        if not items:  # every tenant with Actions offers post-login and more: this is not one
            raise bad(response, "'triggers' is empty (a tenant with Actions offers post-login at least)")
        return [check_trigger(response, item, f"triggers[{i}]") for i, item in enumerate(items)]

    def bindings(self, trigger_id: str) -> builtins.list[dict[str, Any]]:
        """The ordered bindings of a trigger (every page; order = execution order)."""
        path = bindings_path(trigger_id)
        # The key only spots a repeated page; nothing is dropped (an ordered list).
        return list(paginate(
            lambda n: self._page(path, "bindings", {}, n, check_binding),
            key=lambda binding: str(binding["action"]["id"]), max_items=MAX_BINDINGS, dedupe=False, whole=True,
        ))

    # -- writes ------------------------------------------------------------------------------

    def create(
        self, name: str, trigger: Pair, code: str, *, runtime: str | None = None,
        dependencies: Iterable[Pair] = (), secrets: Mapping[str, str] | None = None,
        sensitive: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Create an action (its draft; never ``deploy:true``: deploying waits for the build).

        When an attempt's outcome is unknown, the action is looked up by its exact name before
        sending again, so a retry never makes a second action. ``sensitive``: values (filled
        keywords) that must not appear in an error even if the server echoes the code.
        """
        body: dict[str, Any] = {"name": name, "supported_triggers": [trigger_body(trigger)], "code": code}
        if runtime:
            body["runtime"] = runtime
        body["dependencies"] = dependencies_body(dependencies)
        hidden = [*sensitive]
        if secrets:
            body["secrets"] = secrets_body(secrets)
            hidden.extend(secrets.values())

        def send() -> dict[str, Any]:
            response = self._send("POST", ACTIONS, json=body, sensitive=hidden)
            return check_action(response, json_body(response))

        def look(exc: Exception) -> dict[str, Any] | None:
            self.answers.mark_unsure()  # a second action of this name may exist: list it later
            existing = self._look_for(name)
            if existing is None:
                return None
            if [trigger_body(trigger)] == triggers_of(existing):
                return existing  # our earlier attempt landed
            raise ApiError(
                f"an action named {name[:80]!r} already exists ({_id(existing['id'])}) for another trigger; "
                "not creating a second one (POST /api/v2/actions/actions)", status=409, method="POST", path=ACTIONS,
            )

        return self.answers.keep(send_looking_first(send, look, self.api.policy, stats=self.api.stats,
                                                    conflict=_is_conflict))

    def _look_for(self, name: str) -> dict[str, Any] | None:
        """After a create's answer was lost: the action of that name, if it landed. The name
        filter may lag behind a create, so a miss is checked in the whole listing, and once
        more by name after a pause, before the caller sends the create again."""
        for attempt in range(LOOKS):
            found = self.find(name)
            if found is None:
                same = [a for a in self.list() if a["name"] == name and not is_marketplace(a)]
                found = same[0] if len(same) == 1 else (self.find(name) if same else None)
            if found is not None:
                return found
            if attempt + 1 < LOOKS:
                self.api.policy.sleep(self.backoff.cap / 2 * (attempt + 1))
        return None

    def create_once(self, name: str, trigger: Pair, code: str) -> dict[str, Any]:
        """One plain POST, never re-sent or looked up on an unknown outcome (the tenant lease's
        marker: names are not unique, so the caller lists them and the oldest wins)."""
        body = {"name": name, "supported_triggers": [trigger_body(trigger)], "code": code}
        response = self._send("POST", ACTIONS, json=body)
        return check_action(response, json_body(response))

    def update(
        self, action_id: str, *, name: str | None = None, trigger: Pair | None = None, code: str | None = None,
        runtime: str | None = None, dependencies: Iterable[Pair] | None = None,
        secrets: Mapping[str, str] | None = None, sensitive: Iterable[str] = (),
    ) -> dict[str, Any]:
        """PATCH the draft. ``dependencies`` and ``secrets`` replace the whole list (``[]`` /
        ``{}`` clear it): ``secrets`` must be the complete set, name -> value; None keeps them."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if trigger is not None:
            body["supported_triggers"] = [trigger_body(trigger)]
        if code is not None:
            body["code"] = code
        if runtime is not None:
            body["runtime"] = runtime
        if dependencies is not None:
            body["dependencies"] = dependencies_body(dependencies)
        hidden = [*sensitive]
        if secrets is not None:
            body["secrets"] = secrets_body(secrets)
            hidden.extend(secrets.values())
        if not body:
            raise TypeError("update takes at least one of name, trigger, code, runtime, dependencies, secrets")
        response = self._send("PATCH", action_path(action_id), json=body, sensitive=hidden)
        return self.answers.keep(check_action(response, json_body(response)))

    def deploy(self, action_id: str) -> dict[str, Any]:
        """Deploy the built draft: the new **version** (its ``deployed`` says false even on
        success; :meth:`wait_deployed` waits for it to go live). After an unknown outcome, the
        action is read: a deployed version equal to the draft means the deploy landed."""
        path = action_path(action_id) + "/deploy"

        def send() -> dict[str, Any]:
            response = self._send("POST", path)
            return check_version(response, json_body(response))

        def look(exc: Exception) -> dict[str, Any] | None:
            action = self.get(action_id)
            deployed = action.get("deployed_version")
            return deployed if deployed and draft_is_deployed(action) else None

        return send_looking_first(send, look, self.api.policy, stats=self.api.stats)

    def delete(self, action_id: str, *, force: bool = False) -> None:
        """Delete an action. Never ``force`` unless asked (it silently unbinds); a 409 (still
        bound) is :class:`ActionBoundError`; a 404 after an attempt that may have landed is done."""
        path = action_path(action_id)
        try:
            self._send("DELETE", path, params={"force": "true"} if force else None, not_found_done=True)
            self.answers.deleted(action_id)
        except ApiError as exc:
            if exc.status == 409:
                raise ActionBoundError(
                    f"action {_id(action_id)} is still bound to a trigger and was not deleted (unbind it "
                    f"first): {exc.message}", status=409, error_code=exc.error_code, method="DELETE", path=path,
                ) from None
            raise

    def set_bindings(self, trigger_id: str, bindings: Sequence[tuple[str, str | None]]) -> builtins.list[dict[str, Any]]:
        """Replace a trigger's whole ordered list: ``[(action id, display name or None), ...]``
        (``[]`` unbinds everything). Returns the bindings as the server now has them."""
        body = {"bindings": [binding_ref(action_id, display) for action_id, display in bindings]}
        response = self._send("PATCH", bindings_path(trigger_id), json=body)
        data = expect_dict(response, json_body(response))
        items = data.get("bindings")
        if not isinstance(items, list):
            raise bad(response, f"'bindings' is {'missing' if items is None else 'not a list'}")
        return [check_binding(response, item, f"bindings[{i}]") for i, item in enumerate(items)]

    # -- waiting for the background work ----------------------------------------------------

    def wait_built(self, action_id: str, *, timeout: float | None = None,
                   written: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Poll until the draft is ``built`` (the action, checked); ``failed`` raises
        :class:`BuildFailedError` with the build's message, too long :class:`ActionWaitTimeout`.
        ``pending``/``building``/``retrying``/``packaged`` (or a state this tool does not know)
        keep waiting. ``written``: the create's or PATCH's answer a moment ago (``pending``):
        the first poll waits one back-off step instead of asking again at once, and a shared
        list counts only if it shows the draft that write made (its ``updated_at``)."""
        seen: dict[str, Any] = {}
        since = self.status.now()  # after the write this wait is for
        until = since + self._budget(timeout)  # a poll yields to other requests no longer
        stamp = written.get("updated_at") if written is not None else None

        def after_write(action: dict[str, Any]) -> bool:
            return written is None or (stamp is not None and action.get("updated_at") == stamp)

        def check() -> dict[str, Any] | None:
            action = self.status.read(action_id, since, after_write, until=until)
            seen["action"] = action
            status = action.get("status")
            if status == BUILT:
                return action
            if status == FAILED:
                raise self._failed(action)
            return None

        return self.answers.keep(self._poll(check, seen, action_id, "to build", timeout, settle=written is not None,
                                            expect=build_expect(written)))

    def wait_deployed(
        self, action_id: str, version_id: str, *, number: int | None = None, timeout: float | None = None,
    ) -> dict[str, Any]:
        """Poll until ``deployed_version`` is ``version_id``, ``deployed: true`` and ``built``
        (the action, checked). With the version's ``number``, a newer deployed version (someone
        else deployed meanwhile) raises :class:`DeploySupersededError` instead of waiting."""
        seen: dict[str, Any] = {}
        since = self.status.now()
        until = since + self._budget(timeout)

        def live_now(action: dict[str, Any]) -> bool:
            """Only the state after the deploy can show the new version (the older ones can
            only say "not yet")."""
            return bool((action.get("deployed_version") or {}).get("id") == version_id)

        def check() -> dict[str, Any] | None:
            action = self.status.read(action_id, since, live_now, until=until)
            seen["action"] = action
            live = action.get("deployed_version") or {}
            if live.get("id") == version_id:
                if live.get("status") == FAILED:
                    raise self._failed(action, live)
                return action if live.get("deployed") is True and live.get("status") == BUILT else None
            other = live.get("number")
            if number is not None and isinstance(other, int) and other > number:
                raise DeploySupersededError(
                    f"action {str(action['name'])[:80]!r}: version {other} was deployed while waiting for "
                    f"version {number} ({_id(version_id)}) to go live (GET {action_path(action_id)})",
                    method="GET", path=action_path(action_id),
                )
            return None

        return self.answers.keep(self._poll(check, seen, action_id, f"to deploy version {_id(version_id)}", timeout))

    def _budget(self, timeout: float | None) -> float:
        """Seconds a wait may take: the step's timeout (else the client's), at most the limit."""
        budget = self.backoff.timeout if timeout is None else timeout
        return budget if self.limit is None else min(budget, self.limit)

    def _poll(
        self, check: Callable[[], dict[str, Any] | None], seen: dict[str, Any], action_id: str,
        doing: str, timeout: float | None, settle: bool = False, expect: float = 0.0,
    ) -> dict[str, Any]:
        backoff = paced(self.backoff, self.per_request())
        if timeout is not None:
            backoff = dataclasses.replace(backoff, timeout=timeout)

        def label() -> str:
            action = seen.get("action") or {}
            return repr(str(action.get("name"))[:80]) if action.get("name") else _id(action_id)

        with self.status.waiting():
            return wait_for_action(
                check, seen, backoff, action_id=action_id, label=label, doing=doing, path=action_path(action_id),
                limit=self.limit, notify=self.notify, settle=settle, expect=expect,
            )

    def _failed(self, action: dict[str, Any], version: dict[str, Any] | None = None) -> BuildFailedError:
        message = build_message(version or action)
        scrub = getattr(self.api, "scrub", None)
        if message and scrub is not None:
            message = scrub(message)
        message = " ".join(message.split())[:300]
        name = str(action["name"])[:80]
        return BuildFailedError(
            f"the build of action {name!r} failed{': ' + message if message else ''} "
            f"(GET {action_path(action['id'])}); the version deployed before, if any, keeps running",
            action_id=str(action["id"]), name=name, build_message=message, path=action_path(action["id"]),
        )


# -- errors ------------------------------------------------------------------------------------


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, ApiError) and exc.status == 409
