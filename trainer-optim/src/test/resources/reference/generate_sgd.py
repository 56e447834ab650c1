#!/usr/bin/env python3
"""Reference trajectories of torch.optim.SGD (PyTorch 1.13, Debian's python3-torch), in float64.

The problem: a two-layer tanh network on fixed data, loss = mean((tanh(x w1) w2 - y)^2) + 0.1 sum(w1^3),
non-convex; w1 and w2 are two parameter groups with different learning rates. For each
configuration, the parameters after every one of 25 steps go into sgd.json; SgdTest replays them.

Run from this folder:  /usr/bin/python3 generate_sgd.py
"""
import torch

from two_layer_problem import train, w1_0, w2_0, write_fixture


configs = [
    {"name": "plain", "lr": [0.1, 0.05], "momentum": 0.0, "dampening": 0.0, "nesterov": False, "wd": [0.0, 0.0]},
    {"name": "momentum", "lr": [0.05, 0.1], "momentum": 0.9, "dampening": 0.0, "nesterov": False, "wd": [0.0, 0.0]},
    {"name": "nesterovDecay", "lr": [0.05, 0.02], "momentum": 0.9, "dampening": 0.0, "nesterov": True,
     "wd": [1e-2, 0.0]},
    {"name": "dampenedDecay", "lr": [0.08, 0.08], "momentum": 0.8, "dampening": 0.3, "nesterov": False,
     "wd": [1e-3, 5e-2]},
]


out = []
for c in configs:
    w1 = w1_0.clone().requires_grad_(True)
    w2 = w2_0.clone().requires_grad_(True)
    opt = torch.optim.SGD([{"params": [w1], "lr": c["lr"][0], "weight_decay": c["wd"][0]},
                           {"params": [w2], "lr": c["lr"][1], "weight_decay": c["wd"][1]}],
                          lr=c["lr"][0], momentum=c["momentum"], dampening=c["dampening"], nesterov=c["nesterov"])
    steps = train(opt, w1, w2, 25)
    out.append({**c, "steps": steps})

write_fixture("sgd.json", "configs", out)
