#!/usr/bin/env python3
"""Reference trajectories of torch.optim optimizers whose two parameter groups differ in every
hyperparameter (PyTorch 1.13, Debian's python3-torch), in float64.

The problem is generate_optimizers.py's (the same seed, data and starting weights): a two-layer tanh
network, loss = mean((tanh(x w1) w2 - y)^2) + 0.1 sum(w1^3); w1 is group 0 and w2 group 1. Each
configuration gives both groups' settings under PyTorch's names, exactly as they go into
param_groups; the parameters after every one of 25 steps go into param_groups.json, which
ParamGroupReferenceTest replays through OptimizerRegistry.

Every setting is given for each group, maximize included. Adamax is no optimizer of the library: a test defines it on the public base class
(extension/Adamax.java) and is checked against these trajectories too.

Run from this folder:  /usr/bin/python3 generate_param_groups.py
"""
import torch

from two_layer_problem import train, w1_0, w2_0, write_fixture


STEPS = 25

# Per optimizer: its torch class and configurations, each a list of two group settings.
optimizers = {
    "SGD": (torch.optim.SGD, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.05, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.01, "nesterov": True},
            {"lr": 0.1, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.0, "nesterov": False}]},
        {"name": "momentumInOneGroup", "groups": [
            {"lr": 0.02, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.1, "nesterov": False},
            {"lr": 0.05, "momentum": 0.8, "dampening": 0.0, "weight_decay": 0.05, "nesterov": True}]},
    ]),
    "Adam": (torch.optim.Adam, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.03, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True},
            {"lr": 0.05, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False}]},
        {"name": "amsgradInSecondGroup", "groups": [
            {"lr": 0.01, "betas": [0.5, 0.9], "eps": 1e-3, "weight_decay": 0.0, "amsgrad": False},
            {"lr": 0.04, "betas": [0.95, 0.999], "eps": 1e-8, "weight_decay": 0.02, "amsgrad": True}]},
    ]),
    "AdamW": (torch.optim.AdamW, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.04, "betas": [0.85, 0.98], "eps": 1e-4, "weight_decay": 0.2, "amsgrad": False},
            {"lr": 0.02, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "amsgrad": True}]},
    ]),
    "RMSprop": (torch.optim.RMSprop, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.005, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.02, "momentum": 0.5, "centered": True},
            {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False}]},
        {"name": "momentumAndCenteringSwapped", "groups": [
            {"lr": 0.003, "alpha": 0.95, "eps": 1e-6, "weight_decay": 0.0, "momentum": 0.9, "centered": False},
            {"lr": 0.002, "alpha": 0.8, "eps": 1e-8, "weight_decay": 0.05, "momentum": 0.0, "centered": True}]},
    ]),
    "Adagrad": (torch.optim.Adagrad, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.2, "lr_decay": 0.05, "weight_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-10},
            {"lr": 0.1, "lr_decay": 0.0, "weight_decay": 0.1, "initial_accumulator_value": 1.0, "eps": 1e-3}]},
    ]),
    "Adamax": (torch.optim.Adamax, [
        {"name": "everyOptionDiffers", "groups": [
            {"lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.01},
            {"lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0}]},
    ]),
}


def torch_group(params, settings):
    g = dict(settings, params=params)
    if "betas" in g:
        g["betas"] = tuple(g["betas"])
    return g


# maximize, also per group: group 1 of each first configuration ascends (its loss term in w2 is a
# quadratic, so 25 steps stay finite), every other group descends.
for _, configs in optimizers.values():
    for i, c in enumerate(configs):
        for j, g in enumerate(c["groups"]):
            g["maximize"] = i == 0 and j == 1

out = {}
for opt_name, (cls, configs) in optimizers.items():
    runs = []
    for c in configs:
        w1 = w1_0.clone().requires_grad_(True)
        w2 = w2_0.clone().requires_grad_(True)
        g0, g1 = c["groups"]
        # Every setting is given per group, so the constructor's defaults are never used.
        opt = cls([torch_group([w1], g0), torch_group([w2], g1)], lr=g0["lr"])
        for given, used in zip(c["groups"], opt.param_groups):
            for k, v in given.items():
                assert used[k] == (tuple(v) if k == "betas" else v), (opt_name, k)
            if opt_name == "Adagrad":
                # torch 1.13 fills every sum from the constructor's initial_accumulator_value, whatever
                # the group says; start each from its own group's value, as the library does.
                for p in used["params"]:
                    opt.state[p]["sum"].fill_(used["initial_accumulator_value"])
        steps = train(opt, w1, w2, STEPS)
        runs.append({**c, "steps": steps})
    out[opt_name] = runs

write_fixture("param_groups.json", "optimizers", out)
