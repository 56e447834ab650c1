#!/usr/bin/env python3
"""Reference values for trainer-core's ops, computed with PyTorch 1.13 (Debian's python3-torch).

For every case: the inputs, the forward output in float32, and the gradient of
sum(output * upstream) with respect to each input that requires grad (upstream is a fixed random
tensor stored with the case). The Java test ReferenceTest replays each case by its "op" name.

Run from this folder:  /usr/bin/python3 generate_reference.py  (writes ops.json)
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = []


def randn(*shape, positive=False, away_from_zero=False):
    t = torch.randn(*shape, dtype=torch.float32)
    if positive:
        t = t.abs() + 0.5
    if away_from_zero:
        t = torch.where(t.abs() < 0.1, t.sign() * 0.1 + t, t)
        t = torch.where(t == 0, torch.full_like(t, 0.3), t)
    return t


def tensor_json(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, op, fn, inputs, params=None, grad=True):
    """fn maps the list of torch inputs to one output tensor."""
    leaves = []
    for t in inputs:
        leaf = t.clone()
        if grad and leaf.is_floating_point():
            leaf.requires_grad_(True)
        leaves.append(leaf)
    out = fn(leaves)
    entry = {"name": name, "op": op, "params": params or {},
             "inputs": [tensor_json(t) for t in leaves], "output": tensor_json(out)}
    if grad and out.is_floating_point() and out.requires_grad:
        upstream = torch.randn(out.shape, dtype=torch.float32)
        (out * upstream).sum().backward()
        entry["upstream"] = tensor_json(upstream)
        entry["grads"] = [tensor_json(t.grad) if t.grad is not None else None for t in leaves]
    cases.append(entry)


# ---- broadcasting arithmetic
for op, fn in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div),
               ("maximum", torch.maximum), ("minimum", torch.minimum)]:
    for sa, sb in [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((1, 1), (3, 1, 4)), ((5,), (1,))]:
        b = randn(*sb, positive=(op == "div"))
        case(f"{op}{list(sa)}{list(sb)}", op, lambda x, fn=fn: fn(x[0], x[1]), [randn(*sa), b])
case("pow[2,3][3]", "pow", lambda x: torch.pow(x[0], x[1]), [randn(2, 3, positive=True), randn(3)])
case("powScalar", "powScalar", lambda x: torch.pow(x[0], 2.5), [randn(2, 3, positive=True)], {"p": 2.5})
case("powScalarNeg", "powScalar", lambda x: torch.pow(x[0], -1.5), [randn(4, positive=True)], {"p": -1.5})
case("addScalar", "addScalar", lambda x: x[0] + 1.25, [randn(3, 2)], {"v": 1.25})
case("mulScalar", "mulScalar", lambda x: x[0] * -0.75, [randn(3, 2)], {"v": -0.75})

# ---- unary and activations
unary = {
    "neg": (torch.neg, {}), "exp": (torch.exp, {}), "log": (torch.log, {"positive": True}),
    "sqrt": (torch.sqrt, {"positive": True}), "abs": (torch.abs, {"away_from_zero": True}),
    "reciprocal": (torch.reciprocal, {"positive": True}), "relu": (torch.relu, {"away_from_zero": True}),
    "sigmoid": (torch.sigmoid, {}), "tanh": (torch.tanh, {}), "gelu": (F.gelu, {}),
    "softplus": (F.softplus, {}),
}
for name, (fn, kw) in unary.items():
    case(name, name, lambda x, fn=fn: fn(x[0]), [randn(3, 4, **kw) * (1 if kw else 3)])
case("softplusLarge", "softplus", lambda x: F.softplus(x[0]), [torch.tensor([-30.0, -5.0, 0.0, 19.0, 21.0, 40.0])])
case("sigmoidLarge", "sigmoid", lambda x: torch.sigmoid(x[0]), [torch.tensor([-80.0, -20.0, 0.0, 20.0, 80.0])])
case("leakyRelu", "leakyRelu", lambda x: F.leaky_relu(x[0], 0.1), [randn(3, 4, away_from_zero=True)],
     {"slope": 0.1})
case("clamp", "clamp", lambda x: torch.clamp(x[0], -0.5, 0.7), [randn(4, 5, away_from_zero=True)],
     {"min": -0.5, "max": 0.7})
for axis in (0, 1, -1):
    case(f"softmax{axis}", "softmax", lambda x, a=axis: torch.softmax(x[0], a), [randn(3, 4, 5) * 3], {"axis": axis})
    case(f"logSoftmax{axis}", "logSoftmax", lambda x, a=axis: torch.log_softmax(x[0], a), [randn(3, 4, 5) * 3],
         {"axis": axis})

# ---- reductions
x345 = randn(3, 4, 5)
for axes in ([0], [1], [2], [0, 2], [-1]):
    for keep in (False, True):
        tag = f"{axes}{'k' if keep else ''}"
        case(f"sum{tag}", "sum", lambda x, a=axes, k=keep: x[0].sum(dim=a, keepdim=k), [x345], {"axes": axes, "keep": keep})
        case(f"mean{tag}", "mean", lambda x, a=axes, k=keep: x[0].mean(dim=a, keepdim=k), [x345], {"axes": axes, "keep": keep})
        case(f"var{tag}", "var", lambda x, a=axes, k=keep: x[0].var(dim=a, keepdim=k), [x345], {"axes": axes, "keep": keep})
        case(f"std{tag}", "std", lambda x, a=axes, k=keep: x[0].std(dim=a, keepdim=k), [x345], {"axes": axes, "keep": keep})
for axis in (0, 1, 2):
    for keep in (False, True):
        case(f"max{axis}{keep}", "max", lambda x, a=axis, k=keep: x[0].amax(dim=a, keepdim=k), [x345],
             {"axis": axis, "keep": keep})
        case(f"min{axis}{keep}", "min", lambda x, a=axis, k=keep: x[0].amin(dim=a, keepdim=k), [x345],
             {"axis": axis, "keep": keep})
        case(f"argmax{axis}{keep}", "argmax", lambda x, a=axis, k=keep: x[0].argmax(dim=a, keepdim=k).int(), [x345],
             {"axis": axis, "keep": keep}, grad=False)
        case(f"argmin{axis}{keep}", "argmin", lambda x, a=axis, k=keep: x[0].argmin(dim=a, keepdim=k).int(), [x345],
             {"axis": axis, "keep": keep}, grad=False)
case("sumAll", "sumAll", lambda x: x[0].sum(), [x345])
case("meanAll", "meanAll", lambda x: x[0].mean(), [x345])
case("sumSize1", "sum", lambda x: x[0].sum(dim=[1], keepdim=False), [randn(3, 1, 2)], {"axes": [1], "keep": False})

# ---- linear algebra
case("matmul2d", "matmul", lambda x: x[0] @ x[1], [randn(5, 7), randn(7, 3)])
case("matmulBatched", "matmul", lambda x: x[0] @ x[1], [randn(2, 3, 4), randn(2, 4, 5)])
case("matmulBroadcastRight", "matmul", lambda x: x[0] @ x[1], [randn(2, 3, 4), randn(4, 5)])
case("matmulBroadcastLeft", "matmul", lambda x: x[0] @ x[1], [randn(3, 4), randn(2, 4, 5)])
case("matmulBroadcastBoth", "matmul", lambda x: x[0] @ x[1], [randn(2, 1, 3, 4), randn(1, 3, 4, 2)])
case("matmulSize1", "matmul", lambda x: x[0] @ x[1], [randn(1, 6), randn(6, 1)])
case("linear", "linear", lambda x: F.linear(x[0], x[1], x[2]), [randn(2, 3, 4), randn(5, 4), randn(5)])
case("linearNoBias", "linear", lambda x: F.linear(x[0], x[1]), [randn(6, 4), randn(3, 4)])
for name, kw, shape_x, shape_w, bias in [
        ("conv", dict(stride=1, padding=0, dilation=1), (2, 3, 7, 6), (4, 3, 3, 3), True),
        ("convStridePad", dict(stride=2, padding=1, dilation=1), (2, 2, 8, 7), (3, 2, 3, 3), True),
        ("convDilation", dict(stride=1, padding=2, dilation=2), (1, 2, 9, 9), (2, 2, 3, 3), False),
        ("convRect", dict(stride=(2, 1), padding=(0, 1), dilation=(1, 2)), (2, 1, 6, 8), (3, 1, 2, 3), True),
        ("conv1x1", dict(stride=1, padding=0, dilation=1), (3, 4, 2, 2), (5, 4, 1, 1), True)]:
    ins = [randn(*shape_x), randn(*shape_w)] + ([randn(shape_w[0])] if bias else [])
    params = {k: list(v) if isinstance(v, tuple) else [v, v] for k, v in kw.items()}
    case(name, "conv2d", lambda x, kw=kw: F.conv2d(x[0], x[1], x[2] if len(x) > 2 else None, **kw), ins, params)
for name, k, s, p in [("maxPool2", 2, 2, 0), ("maxPool3s2p1", 3, 2, 1), ("maxPool3s1", 3, 1, 0)]:
    case(name, "maxPool2d", lambda x, k=k, s=s, p=p: F.max_pool2d(x[0], k, s, p), [randn(2, 3, 7, 6)],
         {"k": k, "s": s, "p": p})
for name, k, s, p in [("avgPool2", 2, 2, 0), ("avgPool3s1p1", 3, 1, 1), ("avgPool3s2p1", 3, 2, 1)]:
    case(name, "avgPool2d", lambda x, k=k, s=s, p=p: F.avg_pool2d(x[0], k, s, p), [randn(2, 3, 7, 6)],
         {"k": k, "s": s, "p": p})

# ---- indexing and selection
idx = torch.tensor([2, 0, 2, 4], dtype=torch.int32)
case("indexSelect0", "indexSelect", lambda x: torch.index_select(x[0], 0, x[1]), [randn(5, 3), idx], {"axis": 0})
case("indexSelect1", "indexSelect", lambda x: torch.index_select(x[0], 1, x[1]), [randn(2, 5, 3), idx], {"axis": 1})
cond = (torch.randn(3, 4) > 0).float()
case("where", "where", lambda x: torch.where(x[0] > 0, x[1], x[2]), [cond, randn(3, 4), randn(4)])
for op in ("eq", "ne", "lt", "le", "gt", "ge"):
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = torch.tensor([2.0, 2.0, 7.0])
    case(op, op, lambda x, op=op: getattr(torch, op)(x[0], x[1]).float(), [a, b], grad=False)

# ---- shape ops
case("reshape", "reshape", lambda x: x[0].reshape(4, -1), [randn(2, 3, 4)], {"shape": [4, -1]})
case("permute", "permute", lambda x: x[0].permute(2, 0, 1), [randn(2, 3, 4)], {"perm": [2, 0, 1]})
case("transpose", "transpose", lambda x: x[0].transpose(0, 2), [randn(2, 3, 4)], {"a": 0, "b": 2})
case("narrow", "narrow", lambda x: x[0].narrow(1, 1, 2), [randn(2, 4, 3)], {"axis": 1, "start": 1, "length": 2})
case("concat", "concat", lambda x: torch.cat(x, 1), [randn(2, 1, 3), randn(2, 4, 3), randn(2, 2, 3)], {"axis": 1})
case("stack", "stack", lambda x: torch.stack(x, 1), [randn(2, 3), randn(2, 3)], {"axis": 1})
case("broadcastTo", "broadcastTo", lambda x: x[0].expand(2, 3, 4), [randn(3, 1)], {"shape": [2, 3, 4]})
case("unsqueezeSqueeze", "unsqueeze", lambda x: x[0].unsqueeze(1), [randn(2, 3)], {"axis": 1})
case("squeeze", "squeeze", lambda x: x[0].squeeze(), [randn(2, 1, 3, 1)])
case("flatten", "flatten", lambda x: x[0].flatten(1, 2), [randn(2, 3, 4, 5)], {"start": 1, "end": 2})

with open("ops.json", "w") as f:
    json.dump({"generator": "generate_reference.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases with torch {torch.__version__}")
