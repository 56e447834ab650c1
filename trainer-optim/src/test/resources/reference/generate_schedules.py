#!/usr/bin/env python3
"""Reference learning rates of torch.optim.lr_scheduler (PyTorch 1.13, Debian's python3-torch).

Each schedule drives an SGD optimizer with two parameter groups (initial rates 0.1 and 0.05) for
200 steps; the rate of each group before every step (what optimizer.step() uses at step t) goes
into schedules.json. Torch's schedulers are run as a user runs them (scheduler.step() after each
optimizer step, the chainable form), so the Java closed forms are checked against the recursive
ones. ReduceLROnPlateau is driven by a fixed sequence of metric values (stored too) and records the
rates after each step(metric). ScheduleReferenceTest and ReduceLrOnPlateauTest replay the file.

Run from this folder:  /usr/bin/python3 generate_schedules.py
"""
import json
import math
import warnings

import torch
from torch.optim import lr_scheduler as S

STEPS = 200
BASE = [0.1, 0.05]

warnings.filterwarnings("ignore")  # the epoch-argument deprecation warning of SequentialLR's milestone step


def optimizer():
    w = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    return torch.optim.SGD([{"params": [w[0]], "lr": BASE[0]}, {"params": [w[1]], "lr": BASE[1]}], lr=BASE[0],
                           momentum=0.9)


def run(make):
    opt = optimizer()
    sched = make(opt)
    lrs = [[], []]
    for _ in range(STEPS):
        for i, g in enumerate(opt.param_groups):
            lrs[i].append(g["lr"])
        opt.step()
        sched.step()
    return lrs


def warmup(start_factor, warmup_steps, after):
    def make(opt):
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=start_factor, end_factor=1.0,
                                               total_iters=warmup_steps), after(opt)], milestones=[warmup_steps])
    return make


schedules = []


def add(kind, params, make):
    schedules.append({"name": kind + " " + json.dumps(params, sort_keys=True), "kind": kind, "params": params,
                      "lr": run(make)})


for k, gamma in [(30, 0.1), (7, 0.5), (1, 0.97)]:
    add("step", {"stepSize": k, "gamma": gamma}, lambda o, k=k, g=gamma: S.StepLR(o, step_size=k, gamma=g))
for ms, gamma in [([30, 80, 150], 0.1), ([10, 10, 50], 0.5), ([0, 100], 0.3)]:
    add("multistep", {"milestones": ms, "gamma": gamma}, lambda o, ms=ms, g=gamma: S.MultiStepLR(o, ms, gamma=g))
for gamma in [0.99, 0.95, 1.0]:
    add("exponential", {"gamma": gamma}, lambda o, g=gamma: S.ExponentialLR(o, gamma=g))
for lam in [0.02, 0.005]:
    add("exponentialRate", {"lambda": lam}, lambda o, lam=lam: S.ExponentialLR(o, gamma=math.exp(-lam)))
for t_max, eta_min in [(200, 0.0), (50, 0.001), (37, 0.01), (1, 0.0)]:
    add("cosine", {"tMax": t_max, "etaMin": eta_min},
        lambda o, t=t_max, e=eta_min: S.CosineAnnealingLR(o, T_max=t, eta_min=e))
for t0, mult, eta_min in [(10, 1, 0.0), (33, 1, 0.002), (7, 2, 0.001), (5, 2, 0.0), (4, 3, 0.0)]:
    add("cosineRestarts", {"t0": t0, "tMult": mult, "etaMin": eta_min},
        lambda o, t0=t0, m=mult, e=eta_min: S.CosineAnnealingWarmRestarts(o, T_0=t0, T_mult=m, eta_min=e))
for total, power in [(100, 1.0), (150, 2.0), (300, 0.5), (50, 0.9)]:
    add("polynomial", {"totalIters": total, "power": power},
        lambda o, n=total, p=power: S.PolynomialLR(o, total_iters=n, power=p))
for sf, w, t_max, eta_min in [(0.1, 10, 190, 0.0), (1 / 3, 25, 100, 0.001), (0.01, 1, 199, 0.0)]:
    add("warmupCosine", {"startFactor": sf, "warmupSteps": w, "tMax": t_max, "etaMin": eta_min},
        warmup(sf, w, lambda o, t=t_max, e=eta_min: S.CosineAnnealingLR(o, T_max=t, eta_min=e)))
add("warmupStep", {"startFactor": 0.25, "warmupSteps": 20, "stepSize": 40, "gamma": 0.5},
    warmup(0.25, 20, lambda o: S.StepLR(o, step_size=40, gamma=0.5)))
for total, pct, div, final in [(200, 0.3, 25.0, 1e4), (200, 0.25, 10.0, 100.0), (250, 0.5, 5.0, 1e3),
                               (200, 0.1, 25.0, 1e4)]:
    add("oneCycle", {"totalSteps": total, "pctStart": pct, "divFactor": div, "finalDivFactor": final},
        lambda o, n=total, p=pct, d=div, f=final: S.OneCycleLR(o, max_lr=BASE, total_steps=n, pct_start=p,
                                                               div_factor=d, final_div_factor=f,
                                                               anneal_strategy="cos", cycle_momentum=False,
                                                               three_phase=False))

# A loss-like and an accuracy-like curve: fast progress, then noisy plateaus.
torch.manual_seed(7)
noise = torch.rand(STEPS, dtype=torch.float64).tolist()
falling = [round(0.3 + 2.0 * math.exp(-t / 25.0) + 0.04 * noise[t], 6) for t in range(STEPS)]
rising = [round(0.95 - 0.6 * math.exp(-t / 30.0) - 0.02 * noise[t], 6) for t in range(STEPS)]
plateau = []
for name, metrics, kw in [
    ("minRel", falling, {"mode": "min", "factor": 0.5, "patience": 3}),
    ("minAbsCooldown", falling, {"mode": "min", "factor": 0.3, "patience": 2, "threshold": 0.01,
                                 "threshold_mode": "abs", "cooldown": 3, "min_lr": [0.01, 0.001]}),
    ("maxRel", rising, {"mode": "max", "factor": 0.2, "patience": 5, "threshold": 0.002, "min_lr": 1e-4}),
    ("maxAbsEps", rising, {"mode": "max", "factor": 0.9, "patience": 0, "threshold": 0.0, "threshold_mode": "abs",
                           "cooldown": 2, "eps": 1e-3}),
    ("defaults", falling, {}),
]:
    opt = optimizer()
    sched = S.ReduceLROnPlateau(opt, **kw)
    lrs = [[], []]
    for m in metrics:
        sched.step(m)
        for i, g in enumerate(opt.param_groups):
            lrs[i].append(g["lr"])
    plateau.append({"name": name, "params": kw, "metrics": metrics, "lr": lrs})

with open("schedules.json", "w") as f:
    json.dump({"torch": torch.__version__, "steps": STEPS, "base": BASE, "schedules": schedules,
               "plateau": plateau}, f)
print("wrote schedules.json:", len(schedules), "schedules,", len(plateau), "plateau runs")
