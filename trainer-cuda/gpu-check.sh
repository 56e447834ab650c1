#!/usr/bin/env bash
# Everything trainer-cuda needs a GPU machine for, in one call on that machine, from the project
# root, with the run bundle .gpu/ there (a Java runtime, every module's classes and jars, and the
# run.sh that starts them):
#
#   bash trainer-cuda/gpu-check.sh              # gpu tests, CudaSmoke, PyTorch's figures
#
# It runs every test tagged gpu (conformance against the CPU, fused optimizers, the fused layer norm,
# dropout mask and recurrences against the CPU's (FusedKernelsGpuTest), transfers through
# pinned memory, the trainer on the GPU, the profiler's device figures, ...), then CudaSmoke and
# trainer-bench/peer/gpu_peer.py (PyTorch with the machine's own python3) for the speed table of
# trainer-bench/README.md, and prints a summary last. Logs go to $OUT/gpu-check/ (or /tmp). It
# stays under eight minutes (each part has a time limit), so one 10-minute call holds it.
#
# The Fashion-MNIST comparison (FashionMnistGpuTest) needs the data, which does not fit into the
# same call as the bundle. Stage it first, in a call of its own just before, carrying .fmnist:
#
#   mkdir -p .fmnist && cp /usr/share/datasets/fashion-mnist/*.gz .fmnist/    # here
#   bash trainer-cuda/gpu-check.sh stash-data                                 # there, carry .fmnist
#
# which copies it to /tmp/fashion-mnist, where the next call finds it while the machine stays
# warm; without it that one test is skipped.
set -uo pipefail
stash=/tmp/fashion-mnist
if [ "${1:-}" = stash-data ]; then
  mkdir -p "$stash" && cp .fmnist/*.gz "$stash"/ && ls -l "$stash"
  exit $?
fi
[ -f "$stash/train-images-idx3-ubyte.gz" ] && export FASHION_MNIST_DIR="$stash"
out="${OUT:-/tmp}/gpu-check"
mkdir -p "$out"

start=$(date +%s)
timeout 330 bash .gpu/run.sh test > "$out/tests.txt" 2>&1
tests_rc=$?
timeout 75 bash .gpu/run.sh main org.trainer.cuda.CudaSmoke > "$out/smoke.txt" 2>&1
timeout 45 python3 trainer-bench/peer/gpu_peer.py > "$out/peer.txt" 2>&1

echo "== failed or aborted tests"
grep -E "✘|\[X\]|MethodSource|Assum" "$out/tests.txt" | grep -vE "✔" | head -40
echo "== test summary (rc $tests_rc)"
grep -E "tests (found|successful|skipped|aborted|failed)|containers failed" "$out/tests.txt"
grep -E "Fashion-MNIST MLP on" "$out/tests.txt"
echo "== ours (CudaSmoke)"
tail -12 "$out/smoke.txt"
echo "== PyTorch"
cat "$out/peer.txt"
echo "== $(( $(date +%s) - start )) s"
