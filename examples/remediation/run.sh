#!/usr/bin/env bash
# The remediation worked example, end to end (docs/guide/remediation.md), in a fresh folder:
#   bash examples/remediation/run.sh /tmp/remediation
# Needs the 'unlearn' extra. A few minutes on 2 CPU cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out" && cd "$out"
cp "$here"/*.yaml .
export UMR_REGISTRY="sqlite:///$PWD/registry.db"
# Every step must succeed, except that an audit exits 1 when it finds something (by design).
step() { printf '\n$ %s\n' "$*"; "$@"; }
audit() {
  printf '\n$ umr audit %s\n' "$*"
  local rc=0
  umr audit "$@" || rc=$?
  if [ "$rc" -gt 1 ]; then echo "umr audit failed (exit $rc)" >&2; exit "$rc"; fi
  printf '(exit %s)\n' "$rc"
}
step umr unlearn forget-set mnist1d-cnn.yaml --kind mislabeled --fraction 0.1 --out forget.json
step umr unlearn train mnist1d-cnn.yaml --forget forget.json --out mnist1d-cnn-1.0.0.safetensors
sha=$(sha256sum mnist1d-cnn-1.0.0.safetensors | cut -d' ' -f1)
printf 'artifacts:\n  - {uri: "file://%s/mnist1d-cnn-1.0.0.safetensors", sha256: %s, format: safetensors}\n' "$PWD" "$sha" >> mnist1d-cnn.yaml
step umr publish mnist1d-labels.yaml mnist1d-cnn.yaml
step umr advisory add UMR-2026-0001.yaml
audit mnist1d-cnn
step umr unlearn remediate mnist1d-cnn@1.0.0 --checkpoint mnist1d-cnn-1.0.0.safetensors \
  --forget forget.json --method del --out fix --publish
step umr advisory fix UMR-2026-0001 mnist1d-cnn@2.0.0
audit mnist1d-cnn@2.0.0
audit mnist1d-cnn@1.0.0
