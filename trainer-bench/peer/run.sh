#!/bin/sh
# Builds the benchmarks jar and runs the peer harness: our CPU backend against numpy/OpenBLAS and
# PyTorch on the same SGEMM, conv2d and training-step workloads at 1 and 2 threads, and the full
# training loops at 2 threads. Arguments are passed to the harness (see trainer-bench/README.md),
# e.g. run.sh --reps 9 --only gemm, or run.sh --only loop --epochs 10
set -eu

# The harness finds peers.py relative to the repository root.
cd "$(dirname "$0")/../.."

if ! /usr/bin/python3 -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
    echo "run.sh: the peers need Debian's PyTorch, numpy and threadpoolctl with OpenMP OpenBLAS:" >&2
    echo "    apt-get install python3-torch python3-numpy python3-threadpoolctl libopenblas0-openmp" >&2
    exit 1
fi

mvn -B -q -DskipTests install
exec java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar \
    org.trainer.bench.PeerHarness "$@"
