#!/usr/bin/env bash
# From advisory to action, end to end, on the files of examples/ci/ (docs/guide/ci.md):
# an advisory lands on a dataset; a record trained on it fails its audit before it is
# published; the owner sees the route and the fix, publishes, the dataset owner sees the
# impact, and both fixes (a retrained version, an unlearned one named fixed) audit clear.
#   bash tests/e2e/flow.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/../../examples/ci" && pwd)
out=${1:?usage: flow.sh OUTDIR}
mkdir -p "$out" && cd "$out"
cp -r "$here"/. .
export UMR_REGISTRY="sqlite:///$PWD/registry.db"
# run "EXPECTED_EXIT umr ARGS...": print the command, its output and its exit status, and stop
# the script when the status is not the one expected
run() {
  local want=$1 rc=0
  shift
  printf '$ %s\n' "$*"
  "$@" 2>&1 || rc=$?
  printf '(exit %s)\n' "$rc"
  if [ "$rc" != "$want" ]; then echo "expected exit $want from: $*" >&2; exit 1; fi
}
run 0 umr publish upstream/
run 0 umr advisory add UMR-EX-0001.yaml
run 1 umr audit records/ --fail-on high
run 1 umr publish records/ --fail-on high
run 0 umr publish records/
run 0 umr impact "web-scrape@<2"
cp fix/support-bot.yaml records/support-bot.yaml
run 0 umr audit records/ --fail-on high
run 0 umr publish records/ --fail-on high
run 1 umr audit support-bot@1.0.0
run 0 umr publish unlearned.yaml
run 1 umr audit support-bot@1.1.0
run 2 umr advisory fix UMR-EX-0001 support-bot@1.0.0
run 0 umr advisory fix UMR-EX-0001 support-bot@1.1.0
run 0 umr audit support-bot@1.1.0
run 0 umr impact "web-scrape@<2"
