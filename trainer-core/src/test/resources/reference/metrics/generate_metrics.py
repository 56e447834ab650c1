#!/usr/bin/env python3
"""Reference values for trainer-core's metrics, computed with scikit-learn (Debian's python3-sklearn).

Classification cases store scores [N, C] and labels [N]; the predicted class is the argmax of each
row (scores are continuous random numbers, so there are no ties). Precision, recall and F1 are
macro averages with zero_division=0 and the labels inferred from the data (scikit-learn's default),
which leaves out a class absent from both labels and predictions; the per-class arrays use
labels=range(C). Regression cases store predictions and targets of equal shape.
The Java test MetricsReferenceTest replays each case.

Run from this folder:  /usr/bin/python3 generate_metrics.py  (writes metrics.json)
"""
import json

import numpy as np
import sklearn
from sklearn import metrics as skm

rng = np.random.default_rng(7)
classification = []
regression = []


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def classification_case(name, scores, labels):
    scores = np.asarray(scores, dtype=np.float32)
    n, c = scores.shape
    pred = scores.argmax(axis=1)
    every = list(range(c))
    entry = {
        "name": name, "numClasses": c,
        "scores": {"shape": [n, c], "data": f32(scores)},
        "labels": [int(v) for v in labels],
        "accuracy": skm.accuracy_score(labels, pred),
        "topK": {str(k): skm.top_k_accuracy_score(labels, scores, k=k, labels=every) for k in range(1, c)},
        "precision": skm.precision_score(labels, pred, average="macro", zero_division=0),
        "recall": skm.recall_score(labels, pred, average="macro", zero_division=0),
        "f1": skm.f1_score(labels, pred, average="macro", zero_division=0),
        "precisionPerClass": skm.precision_score(labels, pred, labels=every, average=None, zero_division=0).tolist(),
        "recallPerClass": skm.recall_score(labels, pred, labels=every, average=None, zero_division=0).tolist(),
        "f1PerClass": skm.f1_score(labels, pred, labels=every, average=None, zero_division=0).tolist(),
        "confusionMatrix": skm.confusion_matrix(labels, pred, labels=every).tolist(),
    }
    classification.append(entry)


def regression_case(name, prediction, target):
    prediction = np.asarray(prediction, dtype=np.float32)
    target = np.asarray(target, dtype=np.float32)
    # scikit-learn sees the float32 values widened to float64, as the Java metrics do.
    p64, t64 = prediction.astype(np.float64), target.astype(np.float64)
    regression.append({
        "name": name,
        "prediction": {"shape": list(prediction.shape), "data": f32(prediction)},
        "target": {"shape": list(target.shape), "data": f32(target)},
        "mse": skm.mean_squared_error(t64, p64),
        "mae": skm.mean_absolute_error(t64, p64),
        "r2": skm.r2_score(t64, p64),
    })


# ---- classification
C = 5
labels = rng.integers(0, C, 60)
scores = rng.normal(size=(60, C)) + 1.5 * np.eye(C)[labels]           # informative but imperfect
classification_case("informative", scores, labels)

scores = rng.normal(size=(50, C))
scores[:, 2] -= 100                                                    # class 2 is never predicted
labels = rng.integers(0, C, 50)
labels[:3] = 2                                                         # ... though it has true samples
classification_case("classNeverPredicted", scores, labels)

scores = rng.normal(size=(45, 6))
scores[:, 5] -= 100                                                    # class 5 never predicted ...
labels = rng.integers(0, 4, 45)                                        # ... and classes 4, 5 never true
scores[:4, 4] += 100                                                   # class 4 predicted without true samples
classification_case("classAbsentFromBoth", scores, labels)

classification_case("random", rng.normal(size=(33, 4)), rng.integers(0, 4, 33))

# ---- regression
y = rng.normal(size=40) * 3
regression_case("vector", y + rng.normal(size=40), y)
y = rng.normal(size=(30, 3)) * np.array([1.0, 5.0, 0.2])
regression_case("multiOutput", y + rng.normal(size=(30, 3)) * 0.5, y)
y = 1e4 + rng.normal(size=64)                                           # far from zero: needs a stable SS_tot
regression_case("offsetTargets", y + 0.3 * rng.normal(size=64), y)
y = np.full((12, 2), 2.5)
y[:, 1] = rng.normal(size=12)
p = y + 0.1 * rng.normal(size=(12, 2))
regression_case("constantColumn", p, y)                                 # SS_tot = 0 with SS_res > 0 -> 0
regression_case("perfect", y, y)

with open("metrics.json", "w") as f:
    json.dump({"generator": "generate_metrics.py", "sklearn": sklearn.__version__,
               "classification": classification, "regression": regression}, f, indent=1)
print(f"wrote {len(classification)} classification and {len(regression)} regression cases "
      f"with scikit-learn {sklearn.__version__}")
