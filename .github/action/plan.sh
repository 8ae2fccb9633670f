#!/usr/bin/env bash
# `plan`: plan against the tenant, save the plan file, put it in the job summary.
# `drift` (argument "drift"): the same, read for drift: keywords may be unset (by default),
# and changes (exit 2) fail the step (by default) with the plan in the summary.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
mode="${1:-plan}"

if [ "$mode" = drift ]; then
  missing="$(boolean allow-missing-keywords "${INPUT_ALLOW_MISSING_KEYWORDS:-}" true)"
  detailed="$(boolean detailed-exitcode "${INPUT_DETAILED_EXITCODE:-}" true)"
else
  missing="$(boolean allow-missing-keywords "${INPUT_ALLOW_MISSING_KEYWORDS:-}" false)"
  detailed="$(boolean detailed-exitcode "${INPUT_DETAILED_EXITCODE:-}" false)"
fi
format="${INPUT_FORMAT:-text}"
case "$format" in text | json | markdown) ;; *) die "input format must be text, json or markdown" ;; esac

delete_args
rm -f "$(state_file skipped)" "$(state_file error)" "$(state_file failed-step)"
KEYWORDS_BASE=""
skip_if_unchanged
mkdir -p "$(dirname "$PLAN_FILE")"
args=(plan -c "$CONFIG" --tenant "$TENANT" --out "$PLAN_FILE" --format "$format" --detailed-exitcode "${DELETE_ARGS[@]}")
[ "$missing" = true ] && args+=(--allow-missing-keywords)
[ -n "$KEYWORDS_BASE" ] && args+=(--keywords-base "$KEYWORDS_BASE")

errors="$(state_file stderr)"
run_keeping_errors "$errors" "${args[@]}"
code=$CODE
if [ "$code" != 0 ] && [ "$code" != 2 ]; then
  reason="$(error_line "$errors")"
  printf '%s' "$reason" > "$(state_file error)"
  # After a merge, the comment step says the plan (not the apply) failed: nothing was applied.
  printf 'plan' > "$(state_file failed-step)"
  output summary "The $mode failed: $reason"
  summary "### Tenant \`$TENANT\`: the $mode failed (exit $code)" "" "$(md_code_span "$reason")"
  exit "$code"
fi

changes="$(plan_field has-changes)"
output has-changes "$changes"
output plan-path "$(absolute "$PLAN_FILE")"
output summary "$(plan_field summary)"
if [ "$mode" = drift ]; then
  if [ "$changes" = true ]; then
    summary "## Drift in tenant \`$TENANT\`" ""
    echo "::error title=Drift in $TENANT::the tenant differs from $CONFIG; see the job summary"
  else
    summary "## Tenant \`$TENANT\`: no drift" ""
  fi
fi
plan_markdown >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
if [ "$detailed" = true ] && [ "$changes" = true ]; then
  exit 2
fi
