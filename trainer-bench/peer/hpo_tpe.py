#!/usr/bin/python3
"""Optuna's multivariate TPE on HpoRegretHarness's battery of test functions.

The functions are those of HpoTestFunctions.java, term for term: Branin, Hartmann-6,
Rosenbrock-4, Dixon-Price-5, Ackley-5, Levy-5, Mixed Branin and Mixed Hartmann-3. Optuna 3.1
(Debian's python3-optuna), TPESampler(multivariate=True, seed=seed) with its other defaults,
`--budget` sequential trials per seed. For each problem and seed it prints one line

  {"kind": "result", "problem": name, "seed": s, "regret": "r1 r2 ... rB", "ms_per_trial": x}

with the simple regret after each trial (best value so far minus the global minimum), after
{"kind": "info", "optuna": version}. Run with Debian's /usr/bin/python3.
"""

import argparse
import json
import math
import time
import warnings

import optuna

H_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
        [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
H3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.0381, 0.5743, 0.8828]]


def hartmann(x, a, p):
    total = 0.0
    for i in range(4):
        e = sum(a[i][j] * (x[j] - p[i][j]) ** 2 for j in range(len(x)))
        total += H_ALPHA[i] * math.exp(-e)
    return -total


def branin(x1, x2):
    b = 5.1 / (4 * math.pi * math.pi)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    a = x2 - b * x1 * x1 + c * x1 - 6
    return a * a + 10 * (1 - t) * math.cos(x1) + 10


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (x[i] - 1) ** 2 for i in range(len(x) - 1))


def dixon_price(x):
    return (x[0] - 1) ** 2 + sum((i + 1) * (2 * x[i] ** 2 - x[i - 1]) ** 2 for i in range(1, len(x)))


def ackley(x):
    d = len(x)
    sq = sum(v * v for v in x)
    cs = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(sq / d)) - math.exp(cs / d) + 20 + math.e


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(len(w) - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def box(trial, d, low, high):
    return [trial.suggest_float("x%d" % (i + 1), low, high) for i in range(d)]


def mixed_branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    k = trial.suggest_int("k", 0, 8)
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    return branin(x1, x2) + 0.25 * (k - 5) ** 2 + {"a": 4.0, "b": 1.5, "c": 0.0}[c]


def mixed_hartmann3(trial):
    x = [trial.suggest_float("x%d" % (i + 1), 0, 1) for i in range(3)]
    n = trial.suggest_int("n", 1, 64, log=True)
    opt = trial.suggest_categorical("opt", ["sgd", "adam", "rmsprop", "adagrad"])
    l2 = math.log(n) / math.log(2) - 4
    return hartmann(x, H3_A, H3_P) + 0.1 * l2 * l2 + {"sgd": 1.0, "adam": 0.4, "rmsprop": 0.0, "adagrad": 0.7}[opt]


PROBLEMS = [
    ("Branin", lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)), 0.397887),
    ("Hartmann-6", lambda t: hartmann(box(t, 6, 0, 1), H6_A, H6_P), -3.32237),
    ("Rosenbrock-4", lambda t: rosenbrock(box(t, 4, -5, 10)), 0.0),
    ("Dixon-Price-5", lambda t: dixon_price(box(t, 5, -10, 10)), 0.0),
    ("Ackley-5", lambda t: ackley(box(t, 5, -32.768, 32.768)), 0.0),
    ("Levy-5", lambda t: levy(box(t, 5, -10, 10)), 0.0),
    ("Mixed Branin", mixed_branin, 0.397887),
    ("Mixed Hartmann-3", mixed_hartmann3, -3.86278),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=50)
    parser.add_argument("--only", default=None, help="one problem's name")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    print(json.dumps({"kind": "info", "optuna": optuna.__version__}), flush=True)
    for name, objective, minimum in PROBLEMS:
        if args.only is not None and name != args.only:
            continue
        for seed in range(args.seeds):
            sampler = optuna.samplers.TPESampler(multivariate=True, seed=seed)
            study = optuna.create_study(direction="minimize", sampler=sampler)
            start = time.perf_counter()
            study.optimize(objective, n_trials=args.budget)
            elapsed = time.perf_counter() - start
            best = math.inf
            regret = []
            for t in study.trials:
                best = min(best, t.value)
                regret.append(best - minimum)
            print(json.dumps({"kind": "result", "problem": name, "seed": seed,
                              "regret": " ".join("%.9g" % r for r in regret),
                              "ms_per_trial": 1000 * elapsed / args.budget}), flush=True)


if __name__ == "__main__":
    main()
