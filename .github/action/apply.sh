#!/usr/bin/env bash
# `apply`: execute exactly the saved plan file (the reconciler refuses a stale one).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "$PLAN_FILE" ] || die "plan file $PLAN_FILE not found: run the plan command first (or download its artifact)"
rm -f "$(state_file error)" "$(state_file failed-step)"
# The saved plan records whether it deletes (`reconciler apply FILE` refuses --allow-delete
# beside it): the input is checked against the plan instead of passed on.
wanted="$(boolean allow-delete "${INPUT_ALLOW_DELETE:-}" "")"
recorded="$(plan_field allow-delete)"
if [ -n "$wanted" ] && [ "$wanted" != "$recorded" ]; then
  die "input allow-delete is $wanted but the plan $PLAN_FILE was made with allow-delete $recorded: make the plan with the same setting"
fi
export AUTH0_ALLOW_DELETE=false  # never a flag beside a saved plan
errors="$(state_file stderr)"
run_keeping_errors "$errors" apply "$PLAN_FILE" -c "$CONFIG" --yes
code=$CODE
output has-changes "$(plan_field has-changes)"
output plan-path "$(absolute "$PLAN_FILE")"
if [ "$code" != 0 ]; then
  reason="$(error_line "$errors")"
  # The comment step posts it to the pull request that was merged.
  printf '%s' "$reason" > "$(state_file error)"
  printf 'apply' > "$(state_file failed-step)"
  output summary "Apply failed (exit $code): $reason"
  summary "## Apply to tenant \`$TENANT\` failed (exit $code)" "" "$(md_code_span "$reason")" ""
  exit "$code"
fi
output summary "$(plan_field summary)"
summary "## Applied to tenant \`$TENANT\`" ""
plan_markdown >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
