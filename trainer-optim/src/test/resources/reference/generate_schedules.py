#!/usr/bin/env python3
"""Reference learning rates of torch.optim.lr_scheduler (PyTorch 1.13, Debian's python3-torch).

Each schedule drives an SGD optimizer with two parameter groups (initial rates 0.1 and 0.05) for
200 steps; the rate of each group before every step (what optimizer.step() uses at step t) goes
into schedules.json. Torch's schedulers are run as a user runs them (scheduler.step() after each
optimizer step, the chainable form), so the Java closed forms are checked against the recursive
ones. ReduceLROnPlateau is driven by a fixed sequence of metric values (stored too) and records the
rates after each step(metric). ScheduleReferenceTest and ReduceLrOnPlateauTest replay the file.

Cases are named by a kind and its parameters; composites (sequential, chained) hold the specs of their
parts. ScheduleRegistry.KINDS builds the Java schedule of each kind, so a new schedule is one
branch of make() here, one case, and one row there. CyclicLR and OneCycleLR take one base_lr/max_lr
for both groups (their Java forms set absolute rates), so both groups follow the same curve.

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

# The schedules added with composition are described by nested specs {"kind", "params"} that both
# this script and ScheduleReferenceTest turn into schedules, so a composite is built from its parts.
LAMBDAS = {  # the same functions as ScheduleReferenceTest.LAMBDAS
    "one": lambda t: 1.0,
    "inverseSqrt": lambda t: 1.0 / math.sqrt(1.0 + t),
    "quadraticDecay": lambda t: (1.0 - t / 250.0) ** 2,
    "piecewise": lambda t: 0.1 if t < 10 else (1.0 if t < 100 else 0.5),
    # Factors per step for MultiplicativeLR (t >= 1).
    "decay97": lambda t: 0.97,
    "harmonic": lambda t: t / (t + 1.0),
    "tenthEvery30": lambda t: 0.1 if t % 30 == 0 else 1.0,
}


def make(spec):
    kind, p = spec["kind"], spec["params"]

    def build(o):
        if kind == "constant":
            return S.LambdaLR(o, LAMBDAS["one"])
        if kind == "step":
            return S.StepLR(o, step_size=p["stepSize"], gamma=p["gamma"])
        if kind == "multistep":
            return S.MultiStepLR(o, p["milestones"], gamma=p["gamma"])
        if kind == "exponential":
            return S.ExponentialLR(o, gamma=p["gamma"])
        if kind == "cosine":
            return S.CosineAnnealingLR(o, T_max=p["tMax"], eta_min=p["etaMin"])
        if kind == "cosineRestarts":
            return S.CosineAnnealingWarmRestarts(o, T_0=p["t0"], T_mult=p["tMult"], eta_min=p["etaMin"])
        if kind == "polynomial":
            return S.PolynomialLR(o, total_iters=p["totalIters"], power=p["power"])
        if kind == "linear":
            return S.LinearLR(o, start_factor=p["startFactor"], end_factor=p["endFactor"],
                              total_iters=p["totalIters"])
        if kind == "constantFactor":
            return S.ConstantLR(o, factor=p["factor"], total_iters=p["totalIters"])
        if kind == "lambda":
            return S.LambdaLR(o, LAMBDAS[p["fn"]])
        if kind == "multiplicative":
            return S.MultiplicativeLR(o, LAMBDAS[p["fn"]])
        if kind == "cyclic":
            return S.CyclicLR(o, base_lr=p["baseLr"], max_lr=p["maxLr"], step_size_up=p["stepSizeUp"],
                              step_size_down=p["stepSizeDown"], mode=p["mode"], gamma=p["gamma"],
                              cycle_momentum=False)
        if kind == "oneCycle":
            return S.OneCycleLR(o, max_lr=p["maxLr"], total_steps=p["totalSteps"], pct_start=p["pctStart"],
                                anneal_strategy=p["anneal"], div_factor=p["divFactor"],
                                final_div_factor=p["finalDivFactor"], three_phase=p["threePhase"],
                                cycle_momentum=False)
        if kind == "sequential":
            return S.SequentialLR(o, [make(c)(o) for c in p["schedules"]], milestones=p["milestones"])
        if kind == "chained":
            return S.ChainedScheduler([make(c)(o) for c in p["schedules"]])
        raise ValueError("unknown kind " + kind)
    return build


def spec(kind, **params):
    return {"kind": kind, "params": params}


def add_spec(sp):
    add(sp["kind"], sp["params"], make(sp))


add_spec(spec("constant"))
for sf, ef, n in [(1 / 3, 1.0, 5), (0.1, 1.0, 50), (1.0, 0.05, 120), (0.5, 0.25, 300)]:
    add_spec(spec("linear", startFactor=sf, endFactor=ef, totalIters=n))
for factor, n in [(1 / 3, 5), (0.5, 40), (0.1, 250)]:
    add_spec(spec("constantFactor", factor=factor, totalIters=n))
for fn in ["inverseSqrt", "quadraticDecay", "piecewise"]:
    add_spec(spec("lambda", fn=fn))
for fn in ["decay97", "harmonic", "tenthEvery30"]:
    add_spec(spec("multiplicative", fn=fn))
for base_lr, max_lr, up, down, mode, gamma in [(0.001, 0.1, 20, 20, "triangular", 1.0),
                                               (0.01, 0.05, 15, 35, "triangular", 1.0),
                                               (0.001, 0.1, 10, 10, "triangular2", 1.0),
                                               (0.002, 0.2, 25, 5, "triangular2", 1.0),
                                               (0.001, 0.1, 20, 20, "exp_range", 0.99),
                                               (0.0, 0.08, 7, 13, "exp_range", 0.995),
                                               (0.01, 0.1, 30, 0, "triangular", 1.0)]:
    add_spec(spec("cyclic", baseLr=base_lr, maxLr=max_lr, stepSizeUp=up, stepSizeDown=down, mode=mode,
                  gamma=gamma))
for max_lr, total, pct, anneal, div, final, three in [
        (0.1, 200, 0.3, "cos", 25.0, 1e4, False), (0.05, 200, 0.25, "cos", 10.0, 100.0, False),
        (0.2, 250, 0.5, "cos", 5.0, 1e3, False), (0.1, 200, 0.1, "cos", 25.0, 1e4, False),
        (0.1, 200, 0.3, "linear", 25.0, 1e4, False), (0.1, 200, 0.3, "cos", 25.0, 1e4, True),
        (0.08, 200, 0.2, "linear", 10.0, 1e3, True), (0.3, 220, 0.45, "cos", 20.0, 1e2, True),
        (0.1, 200, 0.0, "linear", 25.0, 1e4, False), (0.1, 200, 0.95, "cos", 25.0, 1e4, False)]:
    add_spec(spec("oneCycle", maxLr=max_lr, totalSteps=total, pctStart=pct, anneal=anneal, divFactor=div,
                  finalDivFactor=final, threePhase=three))

for sp in [
    # Warm-up then cosine, torch's recipe.
    spec("sequential", schedules=[spec("linear", startFactor=0.1, endFactor=1.0, totalIters=10),
                                  spec("cosine", tMax=190, etaMin=0.0)], milestones=[10]),
    spec("sequential", schedules=[spec("linear", startFactor=0.01, endFactor=1.0, totalIters=30),
                                  spec("cosine", tMax=100, etaMin=0.001)], milestones=[25]),
    spec("sequential", schedules=[spec("constantFactor", factor=0.5, totalIters=5),
                                  spec("exponential", gamma=0.98),
                                  spec("step", stepSize=30, gamma=0.5)], milestones=[20, 80]),
    spec("sequential", schedules=[spec("linear", startFactor=0.2, endFactor=1.0, totalIters=15),
                                  spec("lambda", fn="inverseSqrt"),
                                  spec("cosineRestarts", t0=20, tMult=2, etaMin=0.0),
                                  spec("polynomial", totalIters=40, power=2.0)], milestones=[15, 50, 170]),
    spec("sequential", schedules=[spec("linear", startFactor=0.25, endFactor=1.0, totalIters=10),
                                  spec("cyclic", baseLr=0.001, maxLr=0.1, stepSizeUp=20, stepSizeDown=20,
                                       mode="triangular2", gamma=1.0)], milestones=[10]),
    spec("sequential", schedules=[spec("multistep", milestones=[5, 30], gamma=0.3),
                                  spec("linear", startFactor=1.0, endFactor=0.1, totalIters=60)], milestones=[100]),
    # MultiplicativeLR first only: after a milestone torch's would start from the rate the part
    # before left (it has no closed form), where SequentialSchedule starts each part from base.
    spec("sequential", schedules=[spec("multiplicative", fn="decay97"),
                                  spec("cosine", tMax=150, etaMin=0.001)], milestones=[50]),
    # Exponential x step, and others whose parts scale the rate.
    spec("chained", schedules=[spec("exponential", gamma=0.99), spec("step", stepSize=30, gamma=0.5)]),
    spec("chained", schedules=[spec("linear", startFactor=0.1, endFactor=1.0, totalIters=20),
                               spec("cosine", tMax=250, etaMin=0.0)]),
    spec("chained", schedules=[spec("constantFactor", factor=0.5, totalIters=10),
                               spec("multistep", milestones=[50, 120], gamma=0.2),
                               spec("exponential", gamma=0.995)]),
    spec("chained", schedules=[spec("linear", startFactor=1.0, endFactor=0.1, totalIters=150),
                               spec("polynomial", totalIters=180, power=1.0)]),
    spec("chained", schedules=[spec("multiplicative", fn="harmonic"), spec("step", stepSize=50, gamma=0.5)]),
]:
    add_spec(sp)

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
