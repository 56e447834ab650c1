#!/usr/bin/env python3
"""Reference values for trainer-core's nn layers, from PyTorch 1.13 (Debian's python3-torch).

A small model using every stateful layer is built in PyTorch; its state dict (PyTorch's names), an
input batch, the training-mode output, the running statistics after that forward pass, the
gradients of sum(output * upstream) for every parameter, and the evaluation-mode output are written
to nn.json. NnReferenceTest builds the same model in Java, loads the state by name, and compares.

Run from this folder:  /usr/bin/python3 generate_nn.py
"""
import json

import torch
import torch.nn as nn

torch.manual_seed(7)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(3, 4, 3, stride=1, padding=1), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten())
        self.head = nn.Sequential(nn.Linear(4 * 2 * 2, 6), nn.BatchNorm1d(6), nn.GELU(), nn.LayerNorm(6),
                                  nn.Linear(6, 3))

    def forward(self, x):
        return self.head(self.features(x))


def tj(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


net = Net()
# Non-trivial affine parameters for the norms.
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
state = {k: tj(v.float()) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
x = torch.randn(5, 2, 8, 8)
net.train()
out = net(x)
upstream = torch.randn(out.shape)
(out * upstream).sum().backward()
grads = {k: tj(p.grad) for k, p in net.named_parameters()}
after = {k: tj(v.float()) for k, v in net.state_dict().items() if "running" in k}
net.eval()
with torch.no_grad():
    out_eval = net(x)
with open("nn.json", "w") as f:
    json.dump({"torch": torch.__version__, "state": state, "input": tj(x), "train_output": tj(out),
               "upstream": tj(upstream), "grads": grads, "running_after": after, "eval_output": tj(out_eval)}, f)
print("wrote nn.json")
