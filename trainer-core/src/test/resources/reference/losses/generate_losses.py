#!/usr/bin/env python3
"""Reference values for trainer-core's losses, computed with PyTorch 1.13 (Debian's python3-torch).

For every case: the loss and its options, the prediction and target, the loss value in float32, and
the gradient of sum(loss * upstream) with respect to the prediction (and to a floating target, where
PyTorch gives one). upstream is 1 for the scalar reductions and a fixed random tensor for 'none'.
The Java test LossReferenceTest replays each case by its "loss" name.

Run from this folder:  /usr/bin/python3 generate_losses.py  (writes losses.json)
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(2024)
cases = []
REDUCTIONS = ("mean", "sum", "none")


def tensor_json(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, loss, fn, prediction, target, params):
    """fn(prediction, target) -> loss tensor, with PyTorch's semantics for `params`."""
    x = prediction.clone().requires_grad_(True)
    y = target.clone()
    if y.is_floating_point():
        y.requires_grad_(True)
    out = fn(x, y)
    upstream = torch.ones_like(out) if out.dim() == 0 else torch.randn(out.shape, dtype=torch.float32)
    (out * upstream).sum().backward()
    cases.append({"name": name, "loss": loss, "params": params,
                  "prediction": tensor_json(x), "target": tensor_json(y.int() if not y.is_floating_point() else y),
                  "output": tensor_json(out), "upstream": tensor_json(upstream),
                  "gradPrediction": tensor_json(x.grad),
                  "gradTarget": tensor_json(y.grad) if y.is_floating_point() and y.grad is not None else None})


# ---- cross-entropy: integer labels and probability targets, weights x smoothing x reduction
N, C = 6, 5
logits = torch.randn(N, C) * 2
labels = torch.tensor([0, 4, 2, 2, 1, 4])           # class 3 never appears: its weight must not count
probs = torch.softmax(torch.randn(N, C) * 1.5, dim=1)
weights = torch.tensor([0.2, 1.0, 2.5, 0.7, 1.3])
for red in REDUCTIONS:
    for w in (None, weights):
        for eps in (0.0, 0.1, 0.35):
            tag = f"{red}{'W' if w is not None else ''}{'S' + str(eps) if eps else ''}"
            params = {"reduction": red, "labelSmoothing": eps, "weights": None if w is None else w.tolist()}
            case("ceLabels_" + tag, "crossEntropy",
                 lambda x, y, w=w, eps=eps, red=red: F.cross_entropy(x, y, weight=w, label_smoothing=eps,
                                                                     reduction=red),
                 logits, labels, params)
            case("ceProbs_" + tag, "crossEntropy",
                 lambda x, y, w=w, eps=eps, red=red: F.cross_entropy(x, y, weight=w, label_smoothing=eps,
                                                                     reduction=red),
                 logits, probs, params)
big = torch.tensor([[80.0, -80.0, 0.0], [-50.0, 50.0, 49.0], [0.0, 0.0, 0.0]])
case("ceLabels_extremeLogits", "crossEntropy", lambda x, y: F.cross_entropy(x, y), big, torch.tensor([1, 2, 0]),
     {"reduction": "mean", "labelSmoothing": 0.0, "weights": None})
case("ceLabels_singleSample", "crossEntropy", lambda x, y: F.cross_entropy(x, y, label_smoothing=0.2),
     torch.randn(1, 3), torch.tensor([2]), {"reduction": "mean", "labelSmoothing": 0.2, "weights": None})
case("ceProbs_oneHotLikeLabels", "crossEntropy",
     lambda x, y: F.cross_entropy(x, y, weight=weights),
     logits, F.one_hot(labels, C).float(), {"reduction": "mean", "labelSmoothing": 0.0, "weights": weights.tolist()})

# ---- binary cross-entropy with logits, including logits far in both tails
bx = torch.cat([torch.randn(8) * 3, torch.tensor([50.0, -50.0, 50.0, -50.0, 30.0, -30.0, 15.0, -15.0])]).reshape(4, 4)
by = torch.cat([torch.rand(8), torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])]).reshape(4, 4)
for red in REDUCTIONS:
    case("bce_" + red, "bceWithLogits",
         lambda x, y, red=red: F.binary_cross_entropy_with_logits(x, y, reduction=red), bx, by, {"reduction": red})
case("bce_zeroLogit", "bceWithLogits", lambda x, y: F.binary_cross_entropy_with_logits(x, y),
     torch.tensor([0.0, 0.0, 0.0]), torch.tensor([0.0, 0.3, 1.0]), {"reduction": "mean"})

# ---- regression losses; differences kept clear of 0, where the L1 and Huber derivatives jump or bend
rx = torch.randn(3, 4) * 2
ry = torch.randn(3, 4) * 2
ry = torch.where((rx - ry).abs() < 0.05, ry + 0.3, ry)
for red in REDUCTIONS:
    case("mse_" + red, "mse", lambda x, y, red=red: F.mse_loss(x, y, reduction=red), rx, ry, {"reduction": red})
    case("l1_" + red, "l1", lambda x, y, red=red: F.l1_loss(x, y, reduction=red), rx, ry, {"reduction": red})
    for delta in (0.5, 1.0, 2.5):
        case(f"huber{delta}_{red}", "huber",
             lambda x, y, red=red, delta=delta: F.huber_loss(x, y, reduction=red, delta=delta), rx, ry,
             {"reduction": red, "delta": delta})
case("mse_vector", "mse", lambda x, y: F.mse_loss(x, y), torch.randn(7), torch.randn(7), {"reduction": "mean"})

with open("losses.json", "w") as f:
    json.dump({"generator": "generate_losses.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases with torch {torch.__version__}")
