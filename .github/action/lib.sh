# Helpers shared by the action's scripts (sourced, not run). Every input arrives as an
# environment variable (INPUT_*), never pasted into shell code, so no input can inject code.
set -euo pipefail

# One-line error as a workflow annotation, then exit 1.
die() {
  echo "::error title=auth0 reconciler::$*" >&2
  exit 1
}

# Append NAME=VALUE to $GITHUB_OUTPUT (heredoc form: safe for any value).
output() {
  local delimiter="reconciler_${RANDOM}${RANDOM}${RANDOM}"
  printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
}

# Append text to the job summary (a no-op outside a runner).
summary() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '%s\n' "$@" >> "$GITHUB_STEP_SUMMARY"
  fi
}

# A true/false input; "" gives the default ($2).
boolean() {
  local name="$1" value="${2:-}" default="$3"
  case "${value,,}" in
    "") echo "$default" ;;
    true | false) echo "${value,,}" ;;
    *) die "input $name must be true or false, got '${value//[^A-Za-z0-9_.-]/?}'" ;;
  esac
}

# The inputs every command shares, checked once.
common_inputs() {
  RECONCILER="${RECONCILER_BIN:-}"
  [ -n "$RECONCILER" ] && [ -x "$RECONCILER" ] || die "reconciler is not installed (the install step did not run)"
  CONFIG="${INPUT_CONFIG:-tenant-config}"
  TENANT="${INPUT_TENANT:-default}"
  PLAN_FILE="${INPUT_PLAN_FILE:-plan.json}"
  # The tenant goes into annotations, headings and the comment marker: a strict alphabet.
  [[ "$TENANT" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || die "input tenant must be 1-64 letters, digits, '.', '_' or '-'"
  case "$CONFIG$PLAN_FILE" in *$'\n'* | *$'\r'*) die "inputs config and plan-file must be one line" ;; esac
}

# --allow-delete / AUTH0_ALLOW_DELETE from the allow-delete input ("" leaves the environment alone).
delete_args() {
  local value
  DELETE_ARGS=()
  value="$(boolean allow-delete "${INPUT_ALLOW_DELETE:-}" "")"
  case "$value" in
    true) DELETE_ARGS=(--allow-delete) ;;
    false) export AUTH0_ALLOW_DELETE=false ;;
  esac
}

# The Python next to the reconciler (its venv), else python3: reads JSON for the scripts.
tool_python() {
  local python
  python="$(dirname "$RECONCILER")/python"
  [ -x "$python" ] && echo "$python" || echo python3
}

# A field of the saved plan (JSON).
plan_field() {
  "$(tool_python)" - "$PLAN_FILE" "$1" <<'PY'
import json, sys
data = json.load(open(sys.argv[1], encoding="utf-8"))
value = {"summary": lambda: data["summary"]["text"], "has-changes": lambda: data["has_changes"],
         "allow-delete": lambda: data.get("allow_delete") is True}[sys.argv[2]]()
print(str(value).lower() if isinstance(value, bool) else value)
PY
}

# The saved plan as markdown (the same body the pull-request comment gets).
plan_markdown() {
  "$RECONCILER" comment --dry-run --plan "$PLAN_FILE" --tenant "$TENANT"
}

# True when the event is a pull request from a fork (its token is read-only, no secrets).
event_is_fork() {
  [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ] || return 1
  [ "$("$(tool_python)" - "$GITHUB_EVENT_PATH" <<'PY'
import json, sys
try:
    event = json.load(open(sys.argv[1], encoding="utf-8"))
    print(event["pull_request"]["head"]["repo"]["fork"] is True)
except Exception:
    print(False)
PY
)" = True ]
}

absolute() {
  case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac
}

# With INPUT_CHANGED_SINCE (a commit, e.g. the pull request's base), succeed without doing
# anything when the config did not change since it: a required check is never left pending.
skip_if_unchanged() {
  local since="${INPUT_CHANGED_SINCE:-}"
  [ -n "$since" ] || return 0
  [[ "$since" =~ ^[0-9A-Fa-f]{7,64}$ ]] || die "input changed-since must be a commit SHA"
  git rev-parse --quiet --verify "$since^{commit}" > /dev/null \
    || die "changed-since $since is not in the checkout; use actions/checkout with fetch-depth: 0"
  if git diff --quiet "$since" HEAD -- "$CONFIG"; then
    echo "No change under $CONFIG since ${since:0:12}: nothing to do."
    # The comment step then says so in place of a plan shown for an earlier push.
    : > "$(state_file skipped)"
    summary "### Tenant \`$TENANT\`: no change under \`$CONFIG\`, nothing to plan"
    output skipped true
    output has-changes false
    output summary "No change under $CONFIG."
    exit 0
  fi
  output skipped false
  # The config as at that commit: the plan names the keywords this change adds or drops.
  KEYWORDS_BASE="$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/reconciler-base.XXXXXX")"
  if git cat-file -e "$since:./$CONFIG" 2> /dev/null; then
    git archive "$since" -- "$CONFIG" | tar -x -C "$KEYWORDS_BASE"
  fi
  KEYWORDS_BASE="$KEYWORDS_BASE/$CONFIG"
}

# Files one step leaves for a later use of the action in the same job (the comment step):
# the error line of a failed plan or apply, and a note that the plan was skipped.
state_file() {
  printf '%s/reconciler-%s-%s' "${RUNNER_TEMP:-${TMPDIR:-/tmp}}" "$TENANT" "$1"
}

# Run the reconciler with its stderr kept in FILE too (shown in the log as usual); sets CODE.
run_keeping_errors() {
  local file="$1"
  shift
  set +e
  "$RECONCILER" "$@" 2> "$file"
  CODE=$?
  set -e
  cat "$file" >&2
}

# The line that says why a command failed: its last `error:` line (else its last line; for an
# invalid config, the problems listed before it), one line of printable text, at most 500
# characters. The reconciler never prints a secret.
error_line() {
  local line
  line="$(grep -a '^error:' "$1" | tail -n 1 || true)"
  [ -n "$line" ] || line="$(grep -a -v '^[[:space:]]*$' "$1" | tail -n 1 || true)"
  line="${line#error: }"
  # "N problem(s) in the configuration": the problems are the lines before it (at most 3).
  # So is validate's "N error(s), M warning(s)".
  if [[ "$line" == *"problem(s) in the configuration"* || "$line" =~ ^[0-9]+\ errors?,\ [0-9]+\ warnings?$ ]]; then
    line="$(grep -a -v -E -e '^(error|note|warning):' -e '^[0-9]+ errors?, [0-9]+ warnings?$' -e '^[[:space:]]*$' "$1" \
      | tail -n 3 | paste -sd '|' | sed 's/|/ · /g') ($line)"
  fi
  line="$(printf '%s' "$line" | tr -d '\000-\037\177')"
  printf '%s' "${line:0:500}"
}

# TEXT as one markdown code span (backticks and HTML cannot escape it): the reconciler's own
# escaping, so the job summary and the comment quote an error alike.
md_code_span() {
  "$(tool_python)" -c 'import sys; from reconciler.escape import md_code; print(md_code(sys.argv[1]))' "$1"
}
