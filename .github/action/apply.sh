#!/usr/bin/env bash
# `apply`: execute exactly the saved plan file (the reconciler refuses a stale one).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ -f "$PLAN_FILE" ] || die "plan file $PLAN_FILE not found: run the plan command first (or download its artifact)"
delete_args
set +e
"$RECONCILER" apply "$PLAN_FILE" -c "$CONFIG" --yes "${DELETE_ARGS[@]}"
code=$?
set -e
output has-changes "$(plan_field has-changes)"
output plan-path "$(absolute "$PLAN_FILE")"
if [ "$code" != 0 ]; then
  output summary "Apply failed (exit $code)."
  summary "## Apply to tenant \`$TENANT\` failed (exit $code); see the job log" ""
  exit "$code"
fi
output summary "$(plan_field summary)"
summary "## Applied to tenant \`$TENANT\`" ""
plan_markdown >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
