"""Hazards found statically, each with its line: work left running after the callback, require
paths and pins normalised to a package and a dependency, state across executions, webtask
storage, unpinned packages; and where `migrate` reports them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.migrate.classify import ADAPTED, PERSON, TRANSLATED, classify
from reconciler.migrate.requires import rewrite_requires
from reconciler.runner.node import Node
from tests.resources.hooks.hooks_testlib import hook_config

POST, PRE, SMS = "post-user-registration", "pre-user-registration", "send-phone-message"


def kinds(trigger: str, code: str, dependencies: dict[str, str] | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for hazard in classify("h", trigger, code, dependencies).hazards:
        out.setdefault(hazard.kind, hazard.line)
    return out


@pytest.mark.parametrize(("body", "line"), [
    ("  axios.post('https://x', { id: user.email });\n  cb();", 5),
    ("  axios.post('https://x').catch(() => {})\n  cb()", 5),
    ("  request.post({ url: 'https://x' }, function () {});\n  cb();", 5),
    ("  setTimeout(() => console.log(user.email), 100);\n  cb();", 5),
    ("  fetch('https://x').then((r) => r.json());\n  if (user.email) { return cb(); }\n  cb();", 5),
    ("  const m = new ManagementClient({});\n\n  m.updateAppMetadata({ id: user.id }, {}); cb();", 7),
    ("  cb();\n\n  axios.post('https://x');", 7),
    ("  request.get('https://x', function () {\n    cb();\n    request.post('https://y');\n  });", 7),
])
def test_work_nothing_waits_for_is_a_hazard_and_adapted(body: str, line: int) -> None:
    prelude = ("const axios = require('axios@1.6.8');\nconst request = require('request@2.88.2');\n"
               "const { ManagementClient } = require('auth0@3.7.0');\n")
    code = f"{prelude}module.exports = function (user, context, cb) {{\n{body}\n}};\n"
    verdict = classify("h", POST, code)
    assert verdict.status == ADAPTED and "leaves work running after its callback" in verdict.why
    assert [h.line for h in verdict.hazards if h.kind == "pending-work"] == [line] == [verdict.reasons[0].line]


@pytest.mark.parametrize("body", [
    "  await axios.post('https://x');\n  cb();",
    "  axios.post('https://x').then(() => cb());",
    "  request.post({ url: 'https://x' }, () => cb());",
    "  console.log(user.email);\n  sgMail.setApiKey('k');\n  [1, 2].forEach((n) => console.log(n));\n  cb();",
    "  if (user.email) {\n    axios.post('https://x').then(() => cb());\n  } else {\n    cb();\n  }",
])
def test_awaited_or_answering_work_is_not_pending(body: str) -> None:
    prelude = "const axios = require('axios@1.6.8');\nconst request = require('request@2');\nconst sgMail = require('@sendgrid/mail@7');\n"
    code = f"{prelude}module.exports = async function (user, context, cb) {{\n{body}\n}};\n"
    assert "pending-work" not in kinds(POST, code)


def test_require_forms_are_normalised_to_a_package_and_a_dependency() -> None:
    code = ("const v = require('./node_modules/validator@13.7.0');\nconst l = require(\"node_modules/lodash@4.17.21/fp\");\n"
            "const a = require('@scope/pkg@2.0.0');\nconst c = require('crypto');\nconst p = require('plain');\n")
    text, found = rewrite_requires(code)
    assert "require('validator')" in text and 'require("lodash/fp")' in text and "require('@scope/pkg')" in text
    assert found == (("validator", "13.7.0"), ("lodash", "4.17.21"), ("@scope/pkg", "2.0.0"), ("plain", None))
    hook = code + "module.exports = function (user, context, cb) { cb(); };\n"
    assert kinds(POST, hook) == {"require-path": 1, "unpinned-package": 5}
    assert kinds(POST, hook, {"plain": "1.0.0"}) == {"require-path": 1}


def test_require_of_a_local_file_needs_a_person() -> None:
    verdict = classify("h", POST, "const lib = require('./lib/helpers');\nmodule.exports = function (u, c, cb) { cb(); };")
    assert verdict.status == PERSON and "'./lib/helpers'" in verdict.why and verdict.reasons[0].line == 1


@pytest.mark.parametrize(("prelude", "body", "line"), [
    ("let count = 0;", "  count++;", 3),
    ("var last;", "  last = user.email;", 3),
    ("const seen = new Set();", "  seen.add(user.email);", 3),
    ("const cache = {};", "  cache[user.email] = Date.now();", 3),
])
def test_module_state_written_by_the_hook_is_named(prelude: str, body: str, line: int) -> None:
    code = f"{prelude}\nmodule.exports = function (user, context, cb) {{\n{body}\n  cb();\n}};\n"
    verdict = classify("h", POST, code)
    assert verdict.status == TRANSLATED
    assert [(h.kind, h.line) for h in verdict.hazards] == [("global-state", line)]


def test_module_state_only_read_is_no_hazard() -> None:
    code = ("const LIMIT = 3;\nconst axios = require('axios@1');\nlet calls = 0;\ncalls = 1;\n"
            "module.exports = function (user, context, cb) { console.log(LIMIT, calls, axios); cb(); };\n")
    assert kinds(POST, code) == {}


def test_webtask_storage_is_a_hazard_and_needs_a_person() -> None:
    verdict = classify("h", PRE, "module.exports = function (u, context, cb) {\n  const s = context.webtask.storage;\n  cb();\n};")
    assert verdict.status == PERSON and verdict.reasons[0].line == 2
    assert [(h.kind, h.line) for h in verdict.hazards] == [("webtask-storage", 2)]


def test_migrate_reports_each_hooks_hazards_with_lines(tmp_path: Path) -> None:
    code = ("const axios = require('axios');\nlet sent = 0;\n"
            "module.exports = function (recipient, text, context, cb) {\n  sent++;\n  axios.post(context.webtask.secrets.URL, { recipient });\n  cb(null, {});\n};\n")
    config = hook_config(tmp_path, "sms", SMS, code)
    result = CliRunner().invoke(cli, ["migrate", "-c", str(config)], env={"PATH": ""})
    assert "sms: adapted (leaves work running after its callback" in result.stderr
    assert "  hazard: axios is required without a version or a dependency entry; pinned to \"latest\": pin a version (line 1)" in result.stderr
    assert "  hazard: keeps state across executions in the module-level `sent`" in result.stderr
    assert "  hazard: starts work nothing waits for before the hook answers" in result.stderr and "(line 5)" in result.stderr


def test_check_reports_the_hooks_hazards_too(node: Node, tmp_path: Path) -> None:
    code = "let calls = 0;\nmodule.exports = function (user, context, cb) {\n  calls++;\n  cb();\n};\n"
    config = hook_config(tmp_path, "counter", POST, code)
    result = CliRunner().invoke(cli, ["migrate", "-c", str(config), "--check"])
    assert "counter" in result.stdout
    assert "  hazard: keeps state across executions in the module-level `calls` (kept only while a container stays warm) (line 3)" in result.stdout
