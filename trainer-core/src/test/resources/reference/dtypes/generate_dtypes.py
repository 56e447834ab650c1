#!/usr/bin/env python3
"""Half-precision safetensors entries from PyTorch 1.13, for trainer-core's SafetensorsDtypesTest.

dtypes.safetensors holds an F16 and a BF16 entry (ordinary values, the largest finite values,
subnormals, signed zeros, infinities and NaN) and the state dict of a BatchNorm1d after three
training-mode passes, whose num_batches_tracked PyTorch keeps as int64 (I64). The layout is written
by hand, as safetensors_layout.py does, with each entry's own dtype. dtypes.json holds what PyTorch's
widening to float32 (tensor.float()) gives for the half entries, as IEEE 754 bit patterns (so that
NaN and -0.0 compare exactly), and the batch-norm counter.

Run from this folder:  /usr/bin/python3 generate_dtypes.py
"""
import json
import struct

import numpy as np
import torch

VALUES = [0.0, -0.0, 1.0, -2.5, 0.1, 3.14159, 65504.0, -65504.0, 6.1e-5, 6.0e-8, -6.0e-8, 1e-6,
          float("inf"), float("-inf"), float("nan"), 1234.5678]
BF16_VALUES = VALUES + [3.0e38, -1.0e-38, 9.2e-41]

half = torch.tensor(VALUES, dtype=torch.float32).to(torch.float16).reshape(4, 4)
brain = torch.tensor(BF16_VALUES, dtype=torch.float32).to(torch.bfloat16)

torch.manual_seed(3)
bn = torch.nn.BatchNorm1d(3)
for _ in range(3):
    bn(torch.randn(8, 3))


def raw(t, code):
    """The little-endian bytes of a tensor, through an integer view for the half types."""
    if code in ("F16", "BF16"):
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.detach().contiguous().numpy().astype({"F32": "<f4", "I64": "<i8"}[code]).tobytes()


def code_of(t):
    return {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.int64: "I64"}[t.dtype]


entries = {"half": half, "brain": brain}
entries.update({"bn." + k: v for k, v in bn.state_dict().items()})
header, blobs, offset = {}, [], 0
for name, t in entries.items():
    data = raw(t, code_of(t))
    header[name] = {"dtype": code_of(t), "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
h = json.dumps(header).encode("utf-8")
h += b" " * ((8 - len(h) % 8) % 8)
with open("dtypes.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for b in blobs:
        f.write(b)


def bits(t):
    return [int(x) for x in t.float().contiguous().view(torch.int32).reshape(-1).tolist()]


with open("dtypes.json", "w") as f:
    json.dump({"half": {"shape": list(half.shape), "float32_bits": bits(half)},
               "brain": {"shape": list(brain.shape), "float32_bits": bits(brain)},
               "num_batches_tracked": int(bn.num_batches_tracked),
               "torch": torch.__version__}, f, indent=1)
    f.write("\n")
