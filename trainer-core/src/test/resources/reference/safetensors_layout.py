"""The safetensors layout by hand, for the fixture generators: an 8-byte little-endian header
length, the JSON header, the raw little-endian data. The safetensors package is not needed."""
import json
import struct

import numpy as np
import torch


def write_safetensors(path, tensors):
    """Writes the float32 values of a name -> tensor map in the safetensors layout."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """A safetensors file's tensors (F32, F64, I32, I64) as float64 torch tensors, by name."""
    codes = {"F32": "<f4", "F64": "<f8", "I32": "<i4", "I64": "<i8"}
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(body[b:e], dtype=codes[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float64))
    return out
