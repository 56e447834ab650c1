#!/usr/bin/env python3
"""Reference results of torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (PyTorch 1.13, Debian's
python3-torch).

Three parameters with fixed gradients (shapes [3, 4], [5], [2, 3]) and a fourth without one; for
each configuration, the total norm returned and the gradients after clipping go into
clipping.json, in float64 and (for two cases) float32. GradientClippingTest replays them.

Run from this folder:  /usr/bin/python3 generate_clipping.py
"""
import json

import torch

torch.manual_seed(11)
SHAPES = [[3, 4], [5], [2, 3]]
grads = [torch.randn(*s, dtype=torch.float64) * scale for s, scale in zip(SHAPES, [0.7, 2.0, 0.1])]

configs = [
    {"name": "l2Clips", "kind": "norm", "maxNorm": 1.0, "normType": 2.0},
    {"name": "l2Unclipped", "kind": "norm", "maxNorm": 100.0, "normType": 2.0},
    {"name": "infClips", "kind": "norm", "maxNorm": 0.5, "normType": "inf"},
    {"name": "infUnclipped", "kind": "norm", "maxNorm": 10.0, "normType": "inf"},
    {"name": "l1Clips", "kind": "norm", "maxNorm": 2.0, "normType": 1.0},
    {"name": "l3Clips", "kind": "norm", "maxNorm": 0.7, "normType": 3.0},
    {"name": "zeroMaxNorm", "kind": "norm", "maxNorm": 0.0, "normType": 2.0},
    {"name": "value", "kind": "value", "clipValue": 0.3},
    {"name": "l2ClipsFloat32", "kind": "norm", "maxNorm": 1.0, "normType": 2.0, "float32": True},
    {"name": "valueFloat32", "kind": "value", "clipValue": 0.5, "float32": True},
]

out = []
for c in configs:
    dtype = torch.float32 if c.get("float32") else torch.float64
    params = [torch.zeros(*s, dtype=dtype, requires_grad=True) for s in SHAPES + [[2]]]
    for p, g in zip(params, grads):
        p.grad = g.to(dtype).clone()
    norm_type = float("inf") if c.get("normType") == "inf" else c.get("normType")
    total = None
    if c["kind"] == "norm":
        total = torch.nn.utils.clip_grad_norm_(params, c["maxNorm"], norm_type).item()
    else:
        torch.nn.utils.clip_grad_value_(params, c["clipValue"])
    out.append({**c, "total": total, "after": [p.grad.reshape(-1).tolist() for p in params[:3]]})

with open("clipping.json", "w") as f:
    json.dump({"torch": torch.__version__, "shapes": SHAPES, "grads": [g.reshape(-1).tolist() for g in grads],
               "configs": out}, f)
print("wrote clipping.json:", len(out), "configurations")
