#!/usr/bin/env bash
# `comment`: the sticky pull-request comment for this tenant. INPUT_STATUS is the job's status
# so far (`${{ job.status }}`): success posts the saved plan, failure replaces the plan on
# display with a note that the latest plan failed, cancelled leaves the comment alone (a
# newer run follows). Pull requests from forks get no comment.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if event_is_fork; then
  echo "Pull request from a fork: no comment (its token cannot write)."
  output summary "No comment on a pull request from a fork."
  exit 0
fi
export GITHUB_TOKEN="${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}"
case "${INPUT_STATUS:-success}" in
  success)
    [ -f "$PLAN_FILE" ] || die "plan file $PLAN_FILE not found: run the plan command first"
    result="$("$RECONCILER" comment --plan "$PLAN_FILE" --tenant "$TENANT")" ;;
  failure)
    result="$("$RECONCILER" comment --failed --tenant "$TENANT")" ;;
  cancelled)
    echo "Cancelled: the comment is left as it is."
    exit 0 ;;
  *) die "input status must be success, failure or cancelled (use \${{ job.status }})" ;;
esac
echo "$result"
output summary "$result"
