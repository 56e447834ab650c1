#!/usr/bin/python3
"""Times the peer implementations of the workloads that PeerHarness times in Java.

Peers: numpy (OpenBLAS) for square SGEMM, PyTorch 1.13 CPU for SGEMM, the MLP layer products,
conv2d forward+backward, whole training steps of the Fashion-MNIST MLP and CNN, and of a
character-level LSTM and a Transformer encoder; with --loop, the full training loop of one
workload (randperm, index, zero_grad, forward, loss, backward, step), one line per epoch. Run with Debian's /usr/bin/python3 (python3-torch, python3-numpy,
python3-threadpoolctl, libopenblas0-openmp).

Output: one flat JSON object per line, so that the Java side can read it with a regular
expression instead of a JSON library:

  {"kind": "info", ...}                     versions, and the BLAS kernel OpenBLAS picked
  {"kind": "result", "workload": ..., "threads": t, "peer": ..., "unit": ..., "best": x,
   "median": y, "cores": c}                 "GFLOP/s" (higher is better) or "ms" (lower is better)
  {"kind": "epoch", "workload": ..., "epoch": e, "seconds": s, "samples_per_s": r, "cores": c, "loss": l}
                                            --loop: one per epoch, e from 1

Timing: a warm-up, then `--reps` repetitions, each running the workload enough times to last at
least `--min-time` seconds; the best and the median repetition are reported, and the cores the
process kept busy during the best one (CPU seconds per wall second: on a shared 2-core machine a
2-thread result with 1.1 cores busy was starved by other work).
"""

import argparse
import ctypes
import json
import statistics
import time

import numpy as np
import threadpoolctl
import torch
import torch.nn.functional as F

SQUARE_SIZES = (128, 256, 512, 1024)
# The products of a 784-512-... MLP's first layer at batch 64 and 256: [m, k] x [k, n].
MLP_SHAPES = ((64, 784, 512), (256, 784, 512))
# (batch, in channels, height, width, out channels, kernel, input needs grad), as ConvLayer.java.
CONV_LAYERS = (
    (64, 1, 28, 28, 32, 5, False),
    (64, 32, 12, 12, 64, 5, True),
)


def emit(**fields):
    print(json.dumps(fields), flush=True)


def time_per_call(fn, reps, min_time, warmup):
    """Seconds per call of fn: (best, median) over `reps` repetitions, and cores busy in the best."""
    end = time.perf_counter() + warmup
    fn()
    while time.perf_counter() < end:
        fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-9)
    calls = max(1, int(min_time / once))
    samples = []
    for _ in range(reps):
        cpu = time.process_time()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        wall = time.perf_counter() - start
        samples.append((wall / calls, (time.process_time() - cpu) / wall))
    best = min(samples)
    return best[0], statistics.median(s[0] for s in samples), best[1]


def report_gemm(workload, threads, peer, m, n, k, timed):
    best, median, cores = timed
    flops = 2.0 * m * n * k
    emit(kind="result", workload=workload, threads=threads, peer=peer, unit="GFLOP/s",
         best=flops / best / 1e9, median=flops / median / 1e9, cores=cores)


def gemm_operands(m, n, k, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    return a, b, np.empty((m, n), dtype=np.float32)


def time_gemms(threads, args):
    for size in SQUARE_SIZES:
        a, b, c = gemm_operands(size, size, size, seed=size)
        workload = "sgemm %d" % size
        timed = time_per_call(lambda: np.matmul(a, b, out=c), args.reps, args.min_time, args.warmup)
        report_gemm(workload, threads, "numpy", size, size, size, timed)
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        timed = time_per_call(lambda: torch.mm(ta, tb, out=tc), args.reps, args.min_time, args.warmup)
        report_gemm(workload, threads, "torch", size, size, size, timed)
    for m, k, n in MLP_SHAPES:
        a, b, c = gemm_operands(m, n, k, seed=m)
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        workload = "mlp [%dx%d]x[%dx%d]" % (m, k, k, n)
        timed = time_per_call(lambda: torch.mm(ta, tb, out=tc), args.reps, args.min_time, args.warmup)
        report_gemm(workload, threads, "torch", m, n, k, timed)


def conv_step(batch, cin, height, width, cout, kernel, input_grad):
    """The same step as ConvLayer.Step.run(): forward, backward with a fixed gradient, zero grads."""
    gen = torch.Generator().manual_seed(42)
    scale = 1.0 / (cin * kernel * kernel) ** 0.5
    x = torch.randn(batch, cin, height, width, generator=gen).requires_grad_(input_grad)
    w = (torch.randn(cout, cin, kernel, kernel, generator=gen) * scale).requires_grad_(True)
    b = (torch.randn(cout, generator=gen) * scale).requires_grad_(True)
    upstream = torch.randn(batch, cout, height - kernel + 1, width - kernel + 1, generator=gen)
    leaves = [t for t in (x, w, b) if t.requires_grad]

    def step():
        y = F.conv2d(x, w, b, stride=1, padding=0, dilation=1)
        y.backward(upstream)
        # zero_() keeps the gradient buffers, as our zeroGrad() does.
        for t in leaves:
            t.grad.zero_()

    return step


def time_convs(threads, args):
    for layer in CONV_LAYERS:
        batch, cin, height, width, cout, kernel, _ = layer
        workload = "conv %dx%dx%d->%d %dx%d" % (cin, height, width, cout, kernel, kernel)
        best, median, cores = time_per_call(conv_step(*layer), args.reps, args.min_time, args.warmup)
        emit(kind="result", workload=workload, threads=threads, peer="torch", unit="ms",
             best=best * 1e3, median=median * 1e3, cores=cores)


# (name, batch): the training steps of TrainingStep.java, as the Fashion-MNIST examples train.
TRAINING = (("mlp", 64), ("mlp", 256), ("cnn", 64))


def training_step(model_name, batch):
    """The same step as TrainingStep.run(): forward, cross-entropy, backward, SGD momentum 0.9."""
    torch.manual_seed(42)
    model = build_model(model_name)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 1, 28, 28)
    y = torch.arange(batch) % 10

    def step():
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def time_training(threads, args):
    for model_name, batch in TRAINING:
        best, median, cores = time_per_call(training_step(model_name, batch), args.reps, args.min_time, args.warmup)
        emit(kind="result", workload="train %s b%d" % (model_name, batch), threads=threads, peer="torch",
             unit="ms", best=best * 1e3, median=median * 1e3, cores=cores)


# Sequence length and batch of the sequence workloads, as SequenceStep.java.
SEQ_STEPS, SEQ_BATCH = 64, 32


def char_lstm_step(cell="lstm"):
    """As SequenceStep.CharLstm: embedding 96->64, LSTM (or GRU, tanh RNN) 256, linear to 96, cross-entropy, Adam."""
    torch.manual_seed(42)
    vocab, embed, hidden = 96, 64, 256
    embedding = torch.nn.Embedding(vocab, embed)
    lstm = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](embed, hidden)
    readout = torch.nn.Linear(hidden, vocab)
    params = list(embedding.parameters()) + list(lstm.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=1e-3)
    ids = torch.randint(0, vocab, (SEQ_STEPS + 1, SEQ_BATCH))
    tokens, targets = ids[:-1], ids[1:].reshape(-1)

    def step():
        out, _ = lstm(embedding(tokens))
        loss = F.cross_entropy(readout(out.reshape(-1, hidden)), targets)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def transformer_step(activation):
    """As SequenceStep.Transformer: 2 post-norm encoder layers (d 128, 4 heads, ff 512), MSE, Adam."""
    torch.manual_seed(42)
    layers = torch.nn.Sequential(*[torch.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.1,
                                                                     activation=activation, batch_first=True)
                                   for _ in range(2)])
    layers.train()
    optimizer = torch.optim.Adam(layers.parameters(), lr=1e-3)
    x = torch.randn(SEQ_BATCH, SEQ_STEPS, 128)
    target = torch.randn(SEQ_BATCH, SEQ_STEPS, 128)

    def step():
        loss = F.mse_loss(layers(x), target)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def time_sequences(threads, args):
    best, median, cores = time_per_call(char_lstm_step(), args.reps, args.min_time, args.warmup)
    tokens = SEQ_STEPS * SEQ_BATCH
    emit(kind="result", workload="char-lstm h256 T64 b32", threads=threads, peer="torch", unit="tokens/s",
         best=tokens / best, median=tokens / median, cores=cores)
    for activation, workload in (("relu", "transformer d128 x2 T64 b32"), ("gelu", "transformer gelu d128 x2 T64 b32")):
        best, median, cores = time_per_call(transformer_step(activation), args.reps, args.min_time, args.warmup)
        emit(kind="result", workload=workload, threads=threads, peer="torch", unit="ms",
             best=best * 1e3, median=median * 1e3, cores=cores)


def build_model(model_name):
    """The Fashion-MNIST MLP or CNN of TrainingModels.java."""
    if model_name == "mlp":
        return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                   torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return torch.nn.Sequential(torch.nn.Conv2d(1, 32, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Conv2d(32, 64, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                               torch.nn.Flatten(), torch.nn.Linear(1024, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def full_loop(workload, threads, epochs, samples):
    """The full training loop of FullLoop.java, as a PyTorch user writes it, one line per epoch.

    `workload` is "loop <mlp|cnn> <sgd|adam> b<batch>". Synthetic MNIST-shaped data (standard
    normal images, uniform labels 0..9); each epoch draws torch.randperm, then per batch indexes the
    tensors, zero_grad, forward, cross-entropy, backward, step, and reads the loss (as Trainer.fit
    sums the epoch's loss). SGD is lr 0.01 momentum 0.9, Adam lr 1e-3, as LoopWorkload.java.
    """
    _, model_name, optimizer_name, batch_text = workload.split()
    batch = int(batch_text[1:])
    torch.manual_seed(42)
    images = torch.randn(samples, 1, 28, 28)
    labels = torch.randint(0, 10, (samples,))
    model = build_model(model_name)
    if optimizer_name == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for epoch in range(epochs):
        cpu = time.process_time()
        start = time.perf_counter()
        order = torch.randperm(samples)
        loss_sum = 0.0
        for first in range(0, samples, batch):
            index = order[first:first + batch]
            x, y = images[index], labels[index]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(index)
        wall = time.perf_counter() - start
        emit(kind="epoch", workload=workload, threads=threads, epoch=epoch + 1, seconds=wall,
             samples_per_s=samples / wall, cores=(time.process_time() - cpu) / wall, loss=loss_sum / samples)


def keep_freed_memory():
    """Stops glibc from handing large freed blocks back to the kernel.

    By default glibc serves the multi-megabyte temporaries of a conv step (oneDNN's reorders, the
    output, the gradients) with fresh mmap'd or trimmed pages and returns them on free, so every
    step page-faults its ~13 MB in again: conv 1x28x28->32 then takes about 9 ms instead of about
    1.8 ms at 1 thread. Which regime a process lands in even depends on the order of
    torch.set_num_threads calls. Keeping freed memory measures torch at its steady state, as a
    caching allocator (jemalloc, tcmalloc) would, and as the JVM's heap does for us.
    Returns whether glibc accepted both settings.
    """
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc = ctypes.CDLL("libc.so.6")
    return bool(libc.mallopt(m_trim_threshold, 2**31 - 1)) and bool(libc.mallopt(m_mmap_threshold, 2**30))


def blas_info():
    """The OpenBLAS that numpy and torch share (Debian links both to libblas.so.3)."""
    for pool in threadpoolctl.threadpool_info():
        if pool.get("internal_api") == "openblas":
            return pool
    return {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--reps", type=int, default=7, help="timed repetitions per workload")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds per repetition, at least")
    parser.add_argument("--warmup", type=float, default=0.5, help="seconds of warm-up per workload")
    parser.add_argument("--only", choices=("gemm", "conv", "train", "seq"), help="time one group of workloads")
    parser.add_argument("--loop", metavar="WORKLOAD",
                        help='time the full training loop of one workload ("loop mlp sgd b64"), per epoch,'
                             ' at the first thread count of --threads')
    parser.add_argument("--epochs", type=int, default=10, help="epochs of --loop")
    parser.add_argument("--samples", type=int, default=30000, help="samples per epoch of --loop")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc malloc as it is (see keep_freed_memory)")
    args = parser.parse_args()
    malloc = "glibc default" if args.default_malloc else "glibc keeping freed memory"
    if not args.default_malloc and not keep_freed_memory():
        malloc = "glibc default (mallopt refused)"

    torch.set_grad_enabled(True)
    blas = blas_info()
    emit(kind="info", torch=torch.__version__, numpy=np.__version__,
         blas=blas.get("internal_api", "unknown"), blas_version=blas.get("version"),
         architecture=blas.get("architecture"), threading=blas.get("threading_layer"),
         filepath=blas.get("filepath"), mkldnn=torch.backends.mkldnn.is_available(), malloc=malloc)
    if args.loop:
        threads = int(args.threads.split(",")[0])
        with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
            torch.set_num_threads(threads)
            full_loop(args.loop, threads, args.epochs, args.samples)
        return
    for threads in (int(t) for t in args.threads.split(",")):
        # OpenBLAS's own thread count and torch's OpenMP pool are separate knobs: set both.
        with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
            torch.set_num_threads(threads)
            if args.only in (None, "gemm"):
                time_gemms(threads, args)
            if args.only in (None, "conv"):
                time_convs(threads, args)
            if args.only in (None, "train"):
                time_training(threads, args)
            if args.only in (None, "seq"):
                time_sequences(threads, args)


if __name__ == "__main__":
    main()
