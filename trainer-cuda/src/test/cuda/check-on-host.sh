#!/usr/bin/env bash
# Runs the kernel sources of norm.cu, recurrent.cu and random.cu's dropout mask on the CPU, without
# a GPU or nvcc: cuda_host.h lets g++ compile them, each block's threads become host threads that
# meet at a barrier for __syncthreads and warp shuffles, and each check compares a kernel's results
# with double-precision reference math (the CPU backend's formulas), at several grid and block
# shapes. It checks the kernels' arithmetic, indexing and reductions; it cannot show a data race
# reliably, or what the GPU's compiler and hardware do differently (fused multiply-adds, the math
# library), which the gpu-tagged conformance tests check on a device.
#
#   bash trainer-cuda/src/test/cuda/check-on-host.sh      # needs g++ with C++20; about 10 s
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cu="$here/../../main/cuda"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for check in norm_check recurrent_check dropout_check; do
  g++ -std=c++20 -O1 -ffp-contract=off -pthread -I"$here" -I"$cu" -x c++ "$here/$check.cpp" -o "$tmp/$check"
  if "$tmp/$check" > "$tmp/$check.log"; then
    echo "$check: $(tail -1 "$tmp/$check.log")"
  else
    echo "$check FAILED:"; cat "$tmp/$check.log"; status=1
  fi
done
exit $status
