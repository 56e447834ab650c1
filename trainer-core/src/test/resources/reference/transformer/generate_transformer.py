#!/usr/bin/env python3
"""Reference values for trainer-core's TransformerEncoderLayer, TransformerEncoder and
SinusoidalPositionalEncoding, from PyTorch 1.13 (Debian's python3-torch).

Each case builds nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=12, nhead=3,
dim_feedforward=20, batch_first=True, ...), num_layers=2) in float64 with weights drawn from a seeded
NumPy generator (rounded to 4 decimals), runs it in eval mode (dropout off) on a fixed input
x [3, 5, 12] with the case's masks, and backpropagates L = sum(output * u).

PyTorch's fast path (a fused kernel that returns zeros at padded positions) runs only without
gradients; every run here records gradients, so the reference is the documented composition.

transformer.json holds, per case: the settings, the state dict (PyTorch's names), the input, masks
(bool as int32 0/1, 1 = masked), u, the output and the gradient of L for every parameter and for x;
and "positional": the sinusoidal table of "Attention is all you need" for 7 positions and 12 features.

It also writes transformer.safetensors: a float32 two-layer pre-norm encoder with a final norm
(torch.manual_seed(7) initialization), with the float64 output of those weights in
transformer_safetensors.json.

Run from this folder:  /usr/bin/python3 generate_transformer.py
To check that a file written by the library loads into PyTorch and gives the reference output:
    /usr/bin/python3 generate_transformer.py --check-library-file FILE
(TransformerSafetensorsTest writes such a file to target/transformer/encoder-from-library.safetensors.)
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from safetensors_layout import read_safetensors, write_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)

D, HEADS, FF, T, N, LAYERS = 12, 3, 20, 5, 3, 2
LENGTHS = [3, 5, 4]


def short(a):
    return torch.from_numpy(np.round(a, 4))


def tj(t, dtype=None):
    """A tensor as JSON; floats to 13 significant digits (the tests compare to 1e-9 relative), to keep the file small."""
    t = t.detach()
    out = {"shape": list(t.shape),
           "data": [float(f"{v:.13g}") if dtype is None else int(v) for v in t.reshape(-1).tolist()]}
    if dtype is not None:
        out["dtype"] = dtype
    return out


def encoder(norm_first, activation, final_norm):
    layer = nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, activation=activation, batch_first=True,
                                       norm_first=norm_first)
    return nn.TransformerEncoder(layer, LAYERS, norm=nn.LayerNorm(D) if final_norm else None,
                                 enable_nested_tensor=False)


def padding_mask():
    kpm = torch.zeros(N, T, dtype=torch.bool)
    for i, n in enumerate(LENGTHS):
        kpm[i, n:] = True
    return kpm


def case(seed, norm_first, activation, final_norm, key_padding, causal):
    rng = np.random.default_rng(seed)
    m = encoder(norm_first, activation, final_norm).double()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.copy_(short(1 + rng.uniform(-0.3, 0.3, size=tuple(p.shape))))
            else:
                p.copy_(short(rng.uniform(-0.5, 0.5, size=tuple(p.shape))))
    m.eval()
    x = short(rng.standard_normal((N, T, D))).requires_grad_()
    kpm = padding_mask() if key_padding else None
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1) if causal else None
    out = m(x, mask=mask, src_key_padding_mask=kpm)
    u = short(rng.standard_normal(tuple(out.shape)))
    (out * u).sum().backward()
    entry = {"norm_first": norm_first, "activation": activation, "final_norm": final_norm,
             "state": {n: tj(p) for n, p in m.state_dict().items()}, "input": tj(x), "u": tj(u),
             "output": tj(out), "grads": {n: tj(p.grad) for n, p in m.named_parameters()}, "grad_input": tj(x.grad)}
    if kpm is not None:
        entry["key_padding_mask"] = tj(kpm, "int32")
    if mask is not None:
        entry["mask"] = tj(mask, "int32")
    return entry


def sinusoidal(length, d):
    """The table of the PyTorch word-language-model and tutorial PositionalEncoding."""
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2, dtype=torch.float64) * (-math.log(10000.0) / d))
    pe = torch.zeros(length, d)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


def safetensors_model():
    return encoder(True, "gelu", True)


def run_safetensors_model(m, x):
    m.eval()
    # Gradients stay on so that PyTorch takes the composed path, not the fused eval kernel.
    return m(x, mask=torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1),
             src_key_padding_mask=padding_mask()).detach()


def safetensors_encoder():
    torch.manual_seed(7)
    m = safetensors_model().float()
    write_safetensors("transformer.safetensors", m.state_dict())
    m = m.double()
    x = short(np.random.default_rng(5).standard_normal((N, T, D)))
    out = run_safetensors_model(m, x)
    with open("transformer_safetensors.json", "w") as f:
        json.dump({"torch": torch.__version__, "input": tj(x), "key_padding_mask": tj(padding_mask(), "int32"),
                   "output": tj(out)}, f)


def check_library_file(path):
    """Loads a state dict the library wrote into nn.TransformerEncoder (strict) and compares."""
    m = safetensors_model().double()
    m.load_state_dict(read_safetensors(path), strict=True)
    with open("transformer_safetensors.json") as f:
        ref = json.load(f)
    x = torch.tensor(ref["input"]["data"]).reshape(ref["input"]["shape"])
    out = run_safetensors_model(m, x)
    e = torch.tensor(ref["output"]["data"]).reshape(ref["output"]["shape"])
    err = float(((out - e).abs() / (1 + e.abs())).max())
    print(f"{path}: loaded into torch.nn.TransformerEncoder (strict); largest relative difference {err:.3g}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-library-file":
        check_library_file(sys.argv[2])
        return
    cases = {
        "post_norm_relu_padding_causal": case(1, False, "relu", False, True, True),
        "pre_norm_gelu_padding_causal_final_norm": case(2, True, "gelu", True, True, True),
        "post_norm_gelu_padding_final_norm": case(3, False, "gelu", True, True, False),
        "pre_norm_relu_causal": case(4, True, "relu", False, False, True),
    }
    with open("transformer.json", "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases, "positional": tj(sinusoidal(7, D))}, f)
    safetensors_encoder()
    print("wrote transformer.json, transformer.safetensors, transformer_safetensors.json")


if __name__ == "__main__":
    main()
