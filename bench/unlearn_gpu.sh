#!/usr/bin/env bash
# The reduced GPU run of the unlearning benchmark (docs/benchmarks.md, "GPU suite"), as one
# prepared call on a lent GPU (about 10 minutes): MNIST-1D at 200,000 samples, resnet18_1d with
# BatchNorm (64 to 512 channels), the non-IID forget set, DEL and two baselines (finetune,
# NegGrad+), one reported seed plus the search seed, bf16 autocast and torch.compile, and DEL's
# masked finetuning throughput against a plain PyTorch loop on the same model.
#   bash bench/unlearn_gpu.sh [OUTDIR]
# Needs the 'unlearn' extra and a CUDA build of torch. Writes OUTDIR/results.{json,md}, plots,
# runs.jsonl and OUTDIR/env.txt (device, driver, torch version, the exact command).
set -euo pipefail
out=${1:-${OUT:-bench-gpu}}
mkdir -p "$out"
cmd=(umr unlearn bench --suite gpu --seed 0 --forget-set non_iid
     --method del --method finetune --method neggrad_plus --device cuda --out "$out")
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  python -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
  printf '%q ' "${cmd[@]}"; echo
} | tee "$out/env.txt"
start=$(date +%s)
"${cmd[@]}"
echo "wall_s $(( $(date +%s) - start ))" | tee -a "$out/env.txt"
