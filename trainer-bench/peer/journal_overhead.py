#!/usr/bin/python3
"""Times Optuna's study coordination over a journal file, as JournalOverhead times ours.

Optuna 3.1 (Debian's python3-optuna) with JournalStorage(JournalFileStorage(path)): its default
lock (a symlink), every log appended under it and fsync'ed. A RandomSampler, and an objective
that only suggests three parameters (two floats, one int) and returns a quadratic, so the time
per trial is the coordination alone: the sampler, the journal reads and appends, the dispatch.

Each repetition runs `--trials` trials in a fresh journal in `--dir` and prints

  {"kind": "result", "rep": r, "trials": n, "ms_per_trial": x}

after {"kind": "info", "optuna": version}. Run with Debian's /usr/bin/python3.
"""

import argparse
import json
import os
import time
import warnings

import optuna


def objective(trial):
    x = trial.suggest_float("x", -5.0, 5.0)
    y = trial.suggest_float("y", -5.0, 5.0)
    k = trial.suggest_int("k", 0, 4)
    return x * x + y * y + k


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--dir", required=True, help="where the journals are written (one per repetition)")
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
    print(json.dumps({"kind": "info", "optuna": optuna.__version__}), flush=True)
    for rep in range(args.reps):
        path = os.path.join(args.dir, "optuna-%d.log" % rep)
        storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))
        study = optuna.create_study(storage=storage, study_name="overhead-%d" % rep,
                                    sampler=optuna.samplers.RandomSampler(seed=rep))
        start = time.perf_counter()
        study.optimize(objective, n_trials=args.trials)
        elapsed = time.perf_counter() - start
        done = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE)
        if done != args.trials:
            raise SystemExit("journal_overhead.py: %d of %d trials COMPLETE" % (done, args.trials))
        print(json.dumps({"kind": "result", "rep": rep, "trials": args.trials,
                          "ms_per_trial": elapsed * 1e3 / args.trials}), flush=True)


if __name__ == "__main__":
    main()
