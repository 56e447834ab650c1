"""The optimizer fixtures' problem (generate_sgd.py, generate_optimizers.py,
generate_param_groups.py): a two-layer tanh network on fixed float64 data, non-convex,
loss = mean((tanh(x w1) w2 - y)^2) + 0.1 sum(w1^3), from fixed starting weights w1_0 [3, 4] and
w2_0 [4]. Importing it seeds torch with 3 and draws x, y, w1_0 and w2_0 in that order. The
scripts also share its step loop (train) and its fixture writer (write_fixture).
"""
import json

import torch

torch.manual_seed(3)
x = torch.randn(6, 3, dtype=torch.float64)
y = torch.randn(6, dtype=torch.float64)
w1_0 = torch.randn(3, 4, dtype=torch.float64) * 0.5
w2_0 = torch.randn(4, dtype=torch.float64) * 0.5


def loss_fn(w1, w2):
    return ((torch.tanh(x @ w1) @ w2 - y) ** 2).mean() + 0.1 * (w1 ** 3).sum()


def train(opt, w1, w2, steps):
    """Takes `steps` steps of `opt` on the problem; returns w1 (flattened) and w2 after each."""
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w1, w2).backward()
        opt.step()
        out.append({"w1": w1.detach().reshape(-1).tolist(), "w2": w2.detach().tolist()})
    return out


def write_fixture(path, key, runs):
    """Writes a fixture: torch's version, the problem's data and starting weights, and `runs` under `key`."""
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "x": x.reshape(-1).tolist(), "y": y.tolist(),
                   "w1": w1_0.reshape(-1).tolist(), "w2": w2_0.tolist(), key: runs}, f)
    print("wrote " + path)
