#!/usr/bin/env python3
"""PyTorch's side of the GPU comparison: fp32 (TF32 off), data on the GPU, CUDA events for timing.

Prints one line per workload: 'peer <workload> <value> <unit>'. Run on the GPU machine with its
own python3 (which has a CUDA build of torch); prints 'peer unavailable <reason>' otherwise.
"""
import sys
import time

try:
    import torch
    import torch.nn as nn
except Exception as e:  # noqa: BLE001 - any import failure means no peer here
    print(f"peer unavailable {e!r}")
    sys.exit(0)
if not torch.cuda.is_available():
    print("peer unavailable torch.cuda.is_available() is False")
    sys.exit(0)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")
print(f"peer device {torch.cuda.get_device_name(0)} torch {torch.__version__}")


def timed(fn, iters, warmup=10):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - t0) / iters)
    return best


a = torch.randn(4096, 4096, device=dev)
b = torch.randn(4096, 4096, device=dev)
s = timed(lambda: a @ b, 20)
print(f"peer sgemm4096 {2 * 4096 ** 3 / s / 1e12:.2f} TFLOP/s")


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                         nn.Linear(256, 10)).to(dev)


def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 256), nn.ReLU(), nn.Linear(256, 10)).to(dev)


def step_time(model, opt, batch):
    x = torch.randn(batch, 1, 28, 28, device=dev)
    y = torch.arange(batch, device=dev) % 10
    loss = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss(model(x), y).backward()
        opt.step()
    return timed(step, 50)


for batch in (64, 256, 4096):
    m = mlp()
    print(f"peer mlp_sgd_b{batch} {step_time(m, torch.optim.SGD(m.parameters(), 0.01, momentum=0.9), batch) * 1e3:.3f} ms")
m = mlp()
print(f"peer mlp_adam_b128 {step_time(m, torch.optim.Adam(m.parameters(), 1e-3), 128) * 1e3:.3f} ms")
for batch in (64, 256):
    m = cnn()
    print(f"peer cnn_sgd_b{batch} {step_time(m, torch.optim.SGD(m.parameters(), 0.01, momentum=0.9), batch) * 1e3:.3f} ms")


def loop_time(model, opt, batch):
    """A training loop's step from host batches: pinned (DataLoader pin_memory=True), copied without
    blocking, and the loss read back each step (loss.item()), as a progress bar or logger does."""
    x = torch.randn(batch, 1, 28, 28).pin_memory()
    y = (torch.arange(batch) % 10).pin_memory()
    loss = nn.CrossEntropyLoss()

    def step():
        xd = x.to(dev, non_blocking=True)
        yd = y.to(dev, non_blocking=True)
        opt.zero_grad()
        out = loss(model(xd), yd)
        out.backward()
        opt.step()
        out.item()
    return timed(step, 50)


for batch in (64, 4096):
    m = mlp()
    print(f"peer mlp_loop_b{batch} {loop_time(m, torch.optim.SGD(m.parameters(), 0.01, momentum=0.9), batch) * 1e3:.3f} ms")
