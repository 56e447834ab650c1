#!/usr/bin/python3
"""PyTorch's side of InterleavedPeer.java: runs chunks of a peers.py step when asked, on stdin.

Commands, one a line; each answer is one line on stdout:
  threads N         set torch's and OpenBLAS's thread counts      -> "ok"
  run NAME COUNT    run COUNT steps of NAME (cnn, conv1, conv2,     -> "WALL_SECONDS CPU_SECONDS"
                    char-lstm, char-gru, char-rnn, transformer)
  info              the BLAS libraries loaded                      -> one line of text
"""

import sys
import time

import threadpoolctl
import torch

import peers


def make_step(name):
    if name == "cnn":
        return peers.training_step("cnn", 64)
    if name in ("mlp64", "mlp256"):
        return peers.training_step("mlp", int(name[3:]))
    if name in ("conv1", "conv2"):
        return peers.conv_step(*peers.CONV_LAYERS[int(name[-1]) - 1])
    if name in ("char-lstm", "char-gru", "char-rnn"):
        return peers.char_lstm_step(name[len("char-"):])
    if name == "transformer":
        return peers.transformer_step()
    raise ValueError("turns.py: unknown workload %r (expected mlp64, mlp256, cnn, conv1, conv2, char-lstm, char-gru,"
                     " char-rnn or transformer)" % name)


def main():
    if "--default-malloc" not in sys.argv:
        peers.keep_freed_memory()
    torch.set_grad_enabled(True)
    steps = {}
    limits = None
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        if command[0] == "threads":
            threads = int(command[1])
            limits = threadpoolctl.threadpool_limits(limits=threads, user_api="blas")
            torch.set_num_threads(threads)
            print("ok", flush=True)
        elif command[0] == "run":
            name, count = command[1], int(command[2])
            if name not in steps:
                steps[name] = make_step(name)
            step = steps[name]
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(count):
                step()
            print("%f %f" % (time.perf_counter() - wall, time.process_time() - cpu), flush=True)
        elif command[0] == "info":
            pools = [(p.get("internal_api"), p.get("threading_layer"), p.get("filepath"))
                     for p in threadpoolctl.threadpool_info()]
            print(" ".join(str(p) for p in pools), flush=True)
        else:
            raise ValueError("turns.py: unknown command %r" % line.strip())
    del limits


if __name__ == "__main__":
    main()
