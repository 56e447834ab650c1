#!/usr/bin/env python3
"""Reference trajectories of torch.optim.Adam, AdamW, RMSprop and Adagrad (PyTorch 1.13, Debian's
python3-torch), in float64.

The problem is generate_sgd.py's: a two-layer tanh network on fixed data, loss =
mean((tanh(x w1) w2 - y)^2) + 0.1 sum(w1^3), non-convex; w1 and w2 are two parameter groups, each
with its own learning rate and weight decay. For each optimizer and configuration, the parameters
after every one of 25 steps go into optimizers.json; OptimizerReferenceTest replays them.

Run from this folder:  /usr/bin/python3 generate_optimizers.py
"""
import torch

from two_layer_problem import train, w1_0, w2_0, write_fixture


STEPS = 25

# Per optimizer: its torch class and configurations. "lr" and "wd" are per group (w1, w2); every
# other key is passed to the constructor as it is named in PyTorch.
optimizers = {
    "Adam": (torch.optim.Adam, [
        {"name": "defaults", "lr": [0.05, 0.02], "wd": [0.0, 0.0]},
        {"name": "l2Decay", "lr": [0.03, 0.05], "wd": [0.1, 0.01], "betas": [0.8, 0.99], "eps": 1e-6},
        {"name": "amsgrad", "lr": [0.05, 0.05], "wd": [0.05, 0.0], "betas": [0.9, 0.95], "amsgrad": True},
        {"name": "amsgradBigEps", "lr": [0.1, 0.02], "wd": [0.0, 0.02], "eps": 0.1, "amsgrad": True},
    ]),
    "AdamW": (torch.optim.AdamW, [
        {"name": "defaultDecay", "lr": [0.05, 0.02], "wd": [0.01, 0.01]},
        {"name": "strongDecay", "lr": [0.05, 0.1], "wd": [0.5, 0.1], "betas": [0.85, 0.98]},
        {"name": "amsgrad", "lr": [0.04, 0.03], "wd": [0.1, 0.0], "betas": [0.9, 0.9], "eps": 1e-4,
         "amsgrad": True},
    ]),
    "RMSprop": (torch.optim.RMSprop, [
        {"name": "defaults", "lr": [0.01, 0.005], "wd": [0.0, 0.0]},
        {"name": "centeredDecay", "lr": [0.005, 0.01], "wd": [0.01, 0.0], "alpha": 0.9, "centered": True},
        {"name": "momentumDecay", "lr": [0.005, 0.002], "wd": [0.0, 0.05], "alpha": 0.95, "momentum": 0.9},
        {"name": "centeredMomentum", "lr": [0.003, 0.003], "wd": [0.02, 0.02], "alpha": 0.8, "eps": 1e-4,
         "momentum": 0.5, "centered": True},
    ]),
    "Adagrad": (torch.optim.Adagrad, [
        {"name": "defaults", "lr": [0.1, 0.05], "wd": [0.0, 0.0]},
        {"name": "lrDecay", "lr": [0.2, 0.1], "wd": [0.01, 0.02], "lr_decay": 0.05,
         "initial_accumulator_value": 0.1},
        {"name": "accumulatorEps", "lr": [0.3, 0.3], "wd": [0.0, 0.1], "initial_accumulator_value": 1.0,
         "eps": 1e-3},
    ]),
}


out = {}
for opt_name, (cls, configs) in optimizers.items():
    runs = []
    for c in configs:
        kwargs = {k: v for k, v in c.items() if k not in ("name", "lr", "wd")}
        if "betas" in kwargs:
            kwargs["betas"] = tuple(kwargs["betas"])
        w1 = w1_0.clone().requires_grad_(True)
        w2 = w2_0.clone().requires_grad_(True)
        opt = cls([{"params": [w1], "lr": c["lr"][0], "weight_decay": c["wd"][0]},
                   {"params": [w2], "lr": c["lr"][1], "weight_decay": c["wd"][1]}], lr=c["lr"][0], **kwargs)
        steps = train(opt, w1, w2, STEPS)
        runs.append({**c, "steps": steps})
    out[opt_name] = runs

write_fixture("optimizers.json", "optimizers", out)
