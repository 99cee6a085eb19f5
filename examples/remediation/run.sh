#!/usr/bin/env bash
# The remediation worked example, end to end (docs/guide/remediation.md), in a fresh folder:
#   bash examples/remediation/run.sh /tmp/remediation
# Needs the 'unlearn' extra. About 3 minutes on 2 CPU cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run.sh OUTDIR}
mkdir -p "$out" && cd "$out"
cp "$here"/*.yaml .
export UMR_REGISTRY="sqlite:///$PWD/registry.db"
step() { printf '\n$ %s\n' "$*"; "$@" || printf '(exit %s)\n' "$?"; }
step umr unlearn forget-set --record mnist1d-cnn.yaml --kind mislabeled --fraction 0.1 --out forget.json
step umr unlearn train --record mnist1d-cnn.yaml --forget forget.json --out mnist1d-cnn-1.0.0.safetensors
sha=$(sha256sum mnist1d-cnn-1.0.0.safetensors | cut -d' ' -f1)
printf 'artifacts:\n  - {uri: "file://%s/mnist1d-cnn-1.0.0.safetensors", sha256: %s, format: safetensors}\n' "$PWD" "$sha" >> mnist1d-cnn.yaml
step umr publish mnist1d-labels.yaml mnist1d-cnn.yaml
step umr advisory add UMR-2026-0001.yaml
step umr audit mnist1d-cnn
step umr unlearn run --record mnist1d-cnn@1.0.0 --checkpoint mnist1d-cnn-1.0.0.safetensors \
  --forget forget.json --method del --out fix --publish
step umr advisory fix UMR-2026-0001 --name mnist1d-cnn --version 2.0.0
step umr audit mnist1d-cnn@2.0.0
step umr audit mnist1d-cnn@1.0.0
