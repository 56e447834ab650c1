#!/usr/bin/python3
"""The CharLanguageModel example (examples/.../CharLanguageModel.java) in PyTorch 1.13, for the
bits-per-character comparison in the README.

Same data, split and hyperparameters: the regular files of /usr/share/common-licenses (or the folder
given as the first argument) in name order as one character stream, the vocabulary its sorted
distinct characters, the first 90% for training and the last 10% for validation; embedding 64, one
LSTM layer, a linear head; the training stream batchified into 32 parallel streams read in windows of
64 characters, each window starting from the previous one's detached state; Adam, gradients clipped
to norm 1. Weights are PyTorch's own initialisation (the Java run draws its own), so the two agree
statistically, not bitwise.

Run with Debian's PyTorch:  /usr/bin/python3 trainer-bench/peer/char_lstm.py [FOLDER]
"""
import math
import os
import sys
import time

import torch
import torch.nn as nn

EMBED, HIDDEN, WINDOW, BATCH, LR, CLIP, EPOCHS, TRAIN_FRACTION = 64, 128, 64, 32, 0.004, 1.0, 3, 0.9


def corpus(folder):
    texts = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and not os.path.islink(path):
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
    return "".join(texts)


def batchify(ids, n):
    length = len(ids) // n
    return torch.tensor(ids[:n * length], dtype=torch.long).view(n, length)


def windows(streams):
    length = streams.shape[1]
    for s in range(0, length - 1, WINDOW):
        n = min(WINDOW, length - 1 - s)
        yield streams[:, s:s + n], streams[:, s + 1:s + 1 + n]


class Model(nn.Module):
    def __init__(self, vocabulary):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, vocabulary)

    def forward(self, x, state):
        out, state = self.lstm(self.embedding(x), state)
        return self.head(out), state


def main():
    torch.manual_seed(7)
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    text = corpus(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/common-licenses")
    vocabulary = sorted(set(text))
    index = {c: i for i, c in enumerate(vocabulary)}
    ids = [index[c] for c in text]
    split = int(len(ids) * TRAIN_FRACTION)
    train, validation = ids[:split], ids[split:]
    counts = torch.bincount(torch.tensor(train), minlength=len(vocabulary)).double()
    p = counts[counts > 0] / len(train)
    unigram = float(-(p * torch.log2(p)).sum())

    model = Model(len(vocabulary))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    streams = batchify(train, BATCH)
    start = time.time()
    for epoch in range(EPOCHS):
        model.train()
        state = None
        for x, y in windows(streams):
            optimizer.zero_grad()
            logits, state = model(x, state)
            loss = loss_fn(logits.reshape(-1, len(vocabulary)), y.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), CLIP)
            optimizer.step()
            state = tuple(s.detach() for s in state)
    seconds = time.time() - start

    model.eval()
    nats, count, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in windows(batchify(validation, BATCH)):
            logits, state = model(x, state)
            nats += float(nn.functional.cross_entropy(logits.reshape(-1, len(vocabulary)), y.reshape(-1),
                                                      reduction="sum"))
            count += y.numel()
    print(f"pytorch {torch.__version__}: validation {nats / count / math.log(2):.3f} bits per character; unigram "
          f"baseline (training character entropy) {unigram:.3f}; trained {EPOCHS} epoch(s) in {seconds:.0f} s "
          f"({torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
