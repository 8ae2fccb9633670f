#!/usr/bin/env bash
# Entry point of the action's main step: checks `command` and runs its script.
set -euo pipefail
here="$(dirname "$0")"
source "$here/lib.sh"

command="${INPUT_COMMAND:-}"
case "$command" in
  validate | plan | apply | drift | comment) ;;
  *) die "input command must be one of validate, plan, apply, drift, comment; got '${command//[^A-Za-z0-9_.-]/?}'" ;;
esac
common_inputs
# Only the comment needs the GitHub token; no other command sees it.
[ "$INPUT_COMMAND" = comment ] || unset INPUT_GITHUB_TOKEN
export RECONCILER CONFIG TENANT PLAN_FILE
case "$INPUT_COMMAND" in
  drift) exec bash "$here/plan.sh" drift ;;
  *) exec bash "$here/$INPUT_COMMAND.sh" ;;
esac
