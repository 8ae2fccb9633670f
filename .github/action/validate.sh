#!/usr/bin/env bash
# `validate`: the offline check (no tenant, no secrets needed with allow-missing-keywords).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

missing="$(boolean allow-missing-keywords "${INPUT_ALLOW_MISSING_KEYWORDS:-}" false)"
args=(validate -c "$CONFIG")
[ "$missing" = true ] && args+=(--allow-missing-keywords)
set +e
result="$("$RECONCILER" "${args[@]}")"
code=$?
set -e
printf '%s\n' "$result"
if [ "$code" != 0 ]; then
  output summary "Invalid config $CONFIG."
  summary "### \`$CONFIG\` is not valid; the errors are in the job log"
  exit "$code"
fi
output summary "$result"
summary "### \`$CONFIG\`: $result"
