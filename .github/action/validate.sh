#!/usr/bin/env bash
# `validate`: the offline check (no tenant). With allow-missing-keywords, unset keyword values
# are a note (as `reconciler validate` does by default); without it they fail the step, for a
# job that holds the values and wants them checked.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

missing="$(boolean allow-missing-keywords "${INPUT_ALLOW_MISSING_KEYWORDS:-}" false)"
args=(validate -c "$CONFIG")
[ "$missing" = true ] || args+=(--require-keywords)
errors="$(state_file validate-stderr)"
set +e
result="$("$RECONCILER" "${args[@]}" 2> "$errors")"
code=$?
set -e
cat "$errors" >&2
printf '%s\n' "$result"
if [ "$code" != 0 ]; then
  reason="$(error_line "$errors")"
  output summary "Invalid config $CONFIG: $reason"
  summary "### \`$CONFIG\` is not valid" "" "$(md_code_span "$reason")"
  exit "$code"
fi
output summary "$result"
summary "### \`$CONFIG\`: $result"
