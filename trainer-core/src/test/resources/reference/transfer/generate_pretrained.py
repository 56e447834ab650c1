#!/usr/bin/env python3
"""A pre-trained PyTorch model for trainer-core's transfer-learning test, from PyTorch 1.13.

A small CNN is built and given non-trivial weights and batch-norm running statistics (a few
training-mode forward passes); its state dict is written under PyTorch's own names
(features.0.weight, features.1.running_mean, ..., classifier.bias) in the safetensors layout to
pretrained.safetensors. The layout is written by hand (an 8-byte little-endian header length, the
JSON header, the raw little-endian data), so the safetensors package is not needed. pretrained.json
holds a fixed input and the evaluation-mode output. PretrainedWeightsTest loads the file through a
name map into a Java model whose modules are named differently and reproduces the output.

Run from this folder:  /usr/bin/python3 generate_pretrained.py
"""
import json
import struct

import torch
import torch.nn as nn

torch.manual_seed(11)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(4 * 4 * 4, 16), nn.ReLU())
        self.classifier = nn.Linear(16, 3)

    def forward(self, x):
        return self.classifier(self.features(x))


DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def save_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        code, _ = DTYPES[t.dtype]
        data = t.detach().contiguous().numpy().astype(DTYPES[t.dtype][1]).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


model = Net()
with torch.no_grad():
    for p in model.parameters():
        p.add_(0.1 * torch.randn_like(p))
    model.train()
    for _ in range(3):
        model(torch.randn(8, 1, 8, 8) * 2 + 0.5)
model.eval()
x = torch.randn(2, 1, 8, 8)
with torch.no_grad():
    y = model(x)

save_safetensors(model.state_dict(), "pretrained.safetensors")
with open("pretrained.json", "w") as f:
    json.dump({"names": list(model.state_dict().keys()),
               "input": {"shape": list(x.shape), "data": x.flatten().tolist()},
               "output": {"shape": list(y.shape), "data": y.flatten().tolist()}}, f, indent=1)
