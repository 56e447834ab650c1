"""The optimizer fixtures' problem (generate_sgd.py, generate_optimizers.py,
generate_param_groups.py): a two-layer tanh network on fixed float64 data, non-convex,
loss = mean((tanh(x w1) w2 - y)^2) + 0.1 sum(w1^3), from fixed starting weights w1_0 [3, 4] and
w2_0 [4]. Importing it seeds torch with 3 and draws x, y, w1_0 and w2_0 in that order.
"""
import torch

torch.manual_seed(3)
x = torch.randn(6, 3, dtype=torch.float64)
y = torch.randn(6, dtype=torch.float64)
w1_0 = torch.randn(3, 4, dtype=torch.float64) * 0.5
w2_0 = torch.randn(4, dtype=torch.float64) * 0.5


def loss_fn(w1, w2):
    return ((torch.tanh(x @ w1) @ w2 - y) ** 2).mean() + 0.1 * (w1 ** 3).sum()
