#!/usr/bin/env bash
# Runs Debian's Tempest against a running Nimbus whose openrc is sourced, and ends with the line
# "N passed, N failed, N skipped".
#   scripts/tempest/run.sh --regex RE | --load-list FILE  [--workspace DIR] [--concurrency N] [--split-classes]
# --split-classes lets one class's tests run on several workers (each sets the class up on its
# own): worth it where tests mostly wait (Debian's Tempest sleeps 10 s before every subnet delete),
# not where a class's setup boots servers.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
regex=""; list=""; workspace=""; concurrency=2; split=0
while [ $# -gt 0 ]; do
  case "$1" in
    --regex) regex=$2; shift;;
    --load-list) list=$(readlink -f "$2"); shift;;
    --workspace) workspace=$2; shift;;
    --concurrency) concurrency=$2; shift;;
    --split-classes) split=1;;
    *) echo "tempest/run.sh: unknown argument $1" >&2; exit 2;;
  esac
  shift
done
command -v tempest >/dev/null || { echo "tempest/run.sh: apt-get install tempest" >&2; exit 2; }
[ -n "$regex$list" ] || { echo "tempest/run.sh: give --regex or --load-list" >&2; exit 2; }
own_workspace=0
if [ -z "$workspace" ]; then workspace=$(mktemp -d /tmp/nimbus-tempest.XXXXXX); rmdir "$workspace"; own_workspace=1; fi
workspace=$(readlink -m "$workspace")
# tempest init wants a new directory; a private registry file keeps ~/.tempest untouched.
if [ ! -f "$workspace/.stestr.conf" ]; then
  (cd /tmp && tempest init --workspace-path "$workspace.workspaces.yaml" --name "nimbus-$$" "$workspace" >/dev/null) || exit 2
  rm -f "$workspace.workspaces.yaml"
fi
mkdir -p "$workspace/etc" "$workspace/logs" "$workspace/lock"
if [ "$split" = 1 ]; then sed -i '/^group_regex=/d' "$workspace/.stestr.conf"; fi
node "$here/write-conf.mjs" "$workspace" > "$workspace/etc/tempest.conf" || exit 2

args=(--config-file "$workspace/etc/tempest.conf" --concurrency "$concurrency")
cd "$workspace"
if [ -n "$list" ]; then
  # Listed ids may omit attributes Tempest adds (`[id-…,smoke]`): resolve each against Tempest's own
  # listing by name and idempotent id, and fail loudly on any that match nothing.
  tempest run --config-file "$workspace/etc/tempest.conf" --list-tests > "$workspace/all-tests.txt" 2>/dev/null
  : > "$workspace/load-list.txt"
  missing=0
  while IFS= read -r wanted; do
    [ -n "$wanted" ] || continue
    name=${wanted%%[*}; id=$(printf '%s' "$wanted" | grep -o 'id-[0-9a-f-]*' || true)
    found=$(grep -F "$name[" "$workspace/all-tests.txt" | grep -F "$id" | head -1)
    if [ -z "$found" ]; then echo "tempest/run.sh: no such test: $wanted" >&2; missing=$((missing + 1)); continue; fi
    echo "$found" >> "$workspace/load-list.txt"
  done < "$list"
  [ "$missing" = 0 ] || { echo "0 passed, $missing failed, 0 skipped"; exit 1; }
  args+=(--load-list "$workspace/load-list.txt")
else
  args+=(--regex "$regex")
fi
tempest run "${args[@]}" > "$workspace/run.log" 2>&1
rc=$?
grep -E '\.\.\. (FAILED|ok|SKIPPED|skip)|^ - |^Totals' "$workspace/run.log" | grep -vE '\.\.\. ok$' | tail -200
pass=$(grep -E '^ - Passed: ' run.log | tail -1 | awk '{print $3}')
fail=$(grep -E '^ - Failed: ' run.log | tail -1 | awk '{print $3}')
skip=$(grep -E '^ - Skipped: ' run.log | tail -1 | awk '{print $3}')
if [ -z "$pass" ]; then tail -30 run.log >&2; fail=${fail:-1}; fi
echo "tempest workspace: $workspace (log: run.log)" >&2
[ "$own_workspace" = 1 ] && [ "$rc" = 0 ] && [ -n "${NIMBUS_TEMPEST_CLEAN:-}" ] && rm -rf "$workspace"
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
[ "$rc" = 0 ]
