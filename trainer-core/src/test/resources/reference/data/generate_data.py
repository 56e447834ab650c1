#!/usr/bin/env python3
"""Reference values for trainer-core's data utilities, computed with scikit-learn (Debian's python3-sklearn).

classWeights: compute_class_weight('balanced', classes=range(C), y=labels), i.e. n / (C * count_c),
for label arrays drawn at random with skewed class probabilities, plus the UCI digits' labels made
binary (digit 0 against the rest).
timeSeriesSplit: the train and test indices of every fold of TimeSeriesSplit(n_splits, max_train_size,
test_size, gap) for a few settings. ClassWeightsTest and WalkForwardTest replay them.

Run from this folder:  /usr/bin/python3 generate_data.py  (writes data.json)
"""
import json

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils.class_weight import compute_class_weight

rng = np.random.default_rng(11)
class_weights = []


def weights_case(name, labels, c):
    labels = np.asarray(labels, dtype=np.int64)
    w = compute_class_weight("balanced", classes=np.arange(c), y=labels)
    class_weights.append({"name": name, "numClasses": c, "labels": [int(v) for v in labels],
                          "weights": [float(v) for v in w]})


for c, n in [(2, 50), (3, 200), (5, 97), (10, 1000)]:
    p = rng.dirichlet(np.ones(c) * 0.7)
    labels = rng.choice(c, size=n, p=p)
    labels[:c] = np.arange(c)  # every class present, as compute_class_weight requires
    weights_case(f"skewed_c{c}_n{n}", labels, c)
digits_binary = (load_digits().target == 0).astype(np.int64)
weights_case("digits_zero_vs_rest", digits_binary, 2)

splits = []
for n, n_splits, max_train, test_size, gap in [(20, 4, None, None, 0), (23, 3, None, None, 2), (30, 5, 6, None, 0),
                                              (50, 3, 10, 7, 3), (309, 5, None, 20, 1)]:
    folds = [{"train": [int(i) for i in tr], "validation": [int(i) for i in te]}
             for tr, te in TimeSeriesSplit(n_splits=n_splits, max_train_size=max_train, test_size=test_size,
                                           gap=gap).split(np.zeros(n))]
    splits.append({"n": n, "folds": n_splits, "trainSize": max_train or 0, "validationSize": test_size or 0,
                   "gap": gap, "expected": folds})

with open("data.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "classWeights": class_weights, "timeSeriesSplit": splits}, f,
              indent=1)
