#!/usr/bin/env bash
# Install the reconciler from the action's own checkout into a venv under $RUNNER_TEMP
# (nothing is fetched but its PyPI dependencies), or use an installed one.
#
#   INPUT_RECONCILER  path of an installed `reconciler` executable: nothing is installed
#                     (the action's `reconciler` input; the tests point it at their venv)
#   INPUT_PYTHON      the Python (3.11+) that creates the venv (default python3)
# Writes the executable's path as the step output `bin`.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ -n "${INPUT_RECONCILER:-}" ]; then
  bin="$INPUT_RECONCILER"
  [ -x "$bin" ] && [ ! -d "$bin" ] || die "input reconciler: '$bin' is not an executable file"
else
  source_dir="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  venv="${RUNNER_TEMP:?RUNNER_TEMP is not set}/reconciler-venv"
  bin="$venv/bin/reconciler"
  # A second use of the action in one job reuses the venv made from the same checkout.
  if [ ! -x "$bin" ] || [ "$(cat "$venv/.installed-from" 2>/dev/null)" != "$source_dir" ]; then
    rm -rf "$venv"
    "${INPUT_PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$source_dir"
    printf '%s' "$source_dir" > "$venv/.installed-from"
  fi
fi
"$bin" --version
output bin "$bin"
