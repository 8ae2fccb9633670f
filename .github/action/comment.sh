#!/usr/bin/env bash
# `comment`: the sticky pull-request comment for this tenant. INPUT_STATUS is the job's status
# so far (`${{ job.status }}`): success posts the saved plan, failure replaces the plan on
# display with a note that the latest plan failed, cancelled leaves the comment alone (a
# newer run follows). A plan skipped because the pull request no longer changes the config
# edits the comment to say so. INPUT_RESULT_OF=apply posts the apply's result (applied, no
# changes, or failed and why; a failed plan for the apply: nothing applied, and why) to the
# pull request the pushed commit came from. Pull requests
# from forks get no comment.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if event_is_fork; then
  echo "Pull request from a fork: no comment (its token cannot write)."
  output summary "No comment on a pull request from a fork."
  exit 0
fi
export GITHUB_TOKEN="${INPUT_GITHUB_TOKEN:-${GITHUB_TOKEN:-}}"
after="${INPUT_RESULT_OF:-plan}"
case "$after" in plan | apply) ;; *) die "input result-of must be plan or apply" ;; esac
mode=()
[ "$after" = apply ] && mode=(--applied)
reason=""
[ -f "$(state_file error)" ] && reason="$(cat "$(state_file error)")"
case "${INPUT_STATUS:-success}" in
  success)
    if [ "$after" = plan ] && [ -f "$(state_file skipped)" ]; then
      # A push undid the pull request's config change: the plan shown before must go.
      result="$("$RECONCILER" comment --unchanged --tenant "$TENANT")"
    else
      [ -f "$PLAN_FILE" ] || die "plan file $PLAN_FILE not found: run the plan command first"
      result="$("$RECONCILER" comment "${mode[@]}" --plan "$PLAN_FILE" --tenant "$TENANT")"
    fi ;;
  failure)
    # After a merge, a failed plan job (not the apply) posts that nothing was applied.
    if [ "$after" = apply ] && [ "$(cat "$(state_file failed-step)" 2> /dev/null || true)" = plan ]; then
      mode+=(--failed-step plan)
    fi
    result="$("$RECONCILER" comment "${mode[@]}" --failed --reason "$reason" --tenant "$TENANT")" ;;
  cancelled)
    echo "Cancelled: the comment is left as it is."
    exit 0 ;;
  *) die "input status must be success, failure or cancelled (use \${{ job.status }})" ;;
esac
echo "$result"
output summary "$result"
