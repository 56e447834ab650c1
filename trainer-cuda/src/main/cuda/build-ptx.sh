#!/usr/bin/env bash
# Regenerates the PTX resources from the .cu sources, so that the Maven build needs no nvcc:
#
#   bash trainer-cuda/src/main/cuda/build-ptx.sh      # needs nvcc and ptxas on the PATH
#
# trainer-cuda/src/test/cuda/check-on-host.sh runs the layer-norm, recurrence and dropout-mask
# kernels on the CPU (g++, no GPU) against reference math; run it after changing them.
#
# PTX is JIT-compiled by the driver, and a driver refuses PTX whose ISA version (the .version
# line) is newer than it knows: CUDA 13's nvcc writes ISA 9.0 whatever -arch says, which CUDA 12
# drivers reject. So we compile for compute_80 (A100 and newer; the driver JITs it forward to
# H100 and later), declare the ISA the kernels need (7.0, understood by CUDA 11.0 and newer
# drivers), and let ptxas check that the code is valid at that version: ptxas names any
# instruction that needs a newer ISA, and the script fails then.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../resources/org/trainer/cuda"
arch=${PTX_ARCH:-compute_80}
isa=${PTX_ISA:-7.0}
sm=sm_${arch#compute_}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cu in "$here"/*.cu; do
  name=$(basename "$cu" .cu)
  nvcc -arch="$arch" -ptx -O3 -std=c++17 -I"$here" "$cu" -o "$tmp/$name.ptx"
  sed -i -E "s/^\.version [0-9]+\.[0-9]+$/.version $isa/" "$tmp/$name.ptx"
  # Generated files carry no build paths or dates, so a rebuild with the same nvcc is byte-identical.
  sed -i -E '/^\/\/ (Compiler Build ID|Cuda compilation tools|Based on)/d' "$tmp/$name.ptx"
  ptxas -arch="$sm" "$tmp/$name.ptx" -o /dev/null
  cp "$tmp/$name.ptx" "$out/$name.ptx"
  echo "$name.ptx: $(grep -m1 '^\.version' "$out/$name.ptx"), $(grep -m1 '^\.target' "$out/$name.ptx")"
done
