#!/usr/bin/env python3
"""Reference values for trainer-core's MultiheadAttention, from PyTorch 1.13 (Debian's python3-torch).

Each case builds nn.MultiheadAttention(batch_first=True) in float64 with weights drawn from a seeded
NumPy generator (rounded to 4 decimals, the values PyTorch then computes with), runs it on fixed
query/key/value with the case's masks, and backpropagates

    L = sum(output * u_out) + sum(weights * u_w)

Cases with kdim/vdim other than E hold PyTorch's separate q_proj_weight, k_proj_weight and
v_proj_weight in place of in_proj_weight.

attention.json holds, per case: the settings, the state dict (PyTorch's names), the inputs and
masks (bool masks as int32 0/1, 1 = masked), the upstream weights, the output and attention
weights, and the gradient of L for every parameter and for query, key and value.
MultiheadAttentionReferenceTest rebuilds each case in Java and compares.

It also writes mha_kdim_vdim.safetensors: the float32 state dict of an nn.MultiheadAttention(E, 2,
kdim=4, vdim=5) with PyTorch's own initialization (q_proj_weight, k_proj_weight, v_proj_weight,
in_proj_bias, out_proj.*), and in mha_kdim_vdim_safetensors.json the float64 output and averaged
weights of that module on fixed inputs with a key padding mask.

Run from this folder:  /usr/bin/python3 generate_attention.py
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from safetensors_layout import write_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)

E, N, L, S = 6, 2, 4, 5


def short(a):
    return torch.from_numpy(np.round(a, 4))


def tj(t, dtype=None):
    t = t.detach()
    out = {"shape": list(t.shape), "data": [float(v) if dtype is None else int(v) for v in t.reshape(-1).tolist()]}
    if dtype is not None:
        out["dtype"] = dtype
    return out


def case(seed, heads, bias=True, self_attention=False, key_padding=False, attn_mask=None, float_kpm=False,
         float_attn_mask=False, average=True, kdim=E, vdim=E):
    rng = np.random.default_rng(seed)
    m = nn.MultiheadAttention(E, heads, bias=bias, batch_first=True, kdim=kdim, vdim=vdim).double()
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(short(rng.uniform(-0.7, 0.7, size=tuple(p.shape))))
    s = L if self_attention else S
    q = short(rng.standard_normal((N, L, E))).requires_grad_()
    if self_attention:
        k = v = q
    else:
        k = short(rng.standard_normal((N, s, kdim))).requires_grad_()
        v = short(rng.standard_normal((N, s, vdim))).requires_grad_()
    kpm = None
    if key_padding:
        kpm = torch.zeros(N, s, dtype=torch.bool)
        kpm[0, s - 2:] = True
        kpm[1, 2] = True
    am = None
    if attn_mask == "causal":
        am = torch.triu(torch.ones(L, s, dtype=torch.bool), diagonal=1)
    elif attn_mask == "per_head":
        am = torch.from_numpy(rng.random((N * heads, L, s)) < 0.3)
        am[:, :, 1] = False  # every query keeps at least one key
    kpm_arg, am_arg = kpm, am
    if float_kpm:
        kpm_arg = torch.zeros(N, s).masked_fill(kpm, float("-inf"))
    if float_attn_mask:
        am_arg = short(rng.standard_normal(tuple(am.shape))).masked_fill(am, float("-inf"))
    out, w = m(q, k, v, key_padding_mask=kpm_arg, attn_mask=am_arg, need_weights=True,
               average_attn_weights=average)
    u_out = short(rng.standard_normal(tuple(out.shape)))
    u_w = short(rng.standard_normal(tuple(w.shape)))
    ((out * u_out).sum() + (w * u_w).sum()).backward()
    entry = {"heads": heads, "bias": bias, "self_attention": self_attention, "average": average, "kdim": kdim,
             "vdim": vdim,
             "state": {n: tj(p) for n, p in m.state_dict().items()},
             "query": tj(q), "output": tj(out), "weights": tj(w), "u_output": tj(u_out), "u_weights": tj(u_w),
             "grads": {n: tj(p.grad) for n, p in m.named_parameters()}, "grad_query": tj(q.grad)}
    if not self_attention:
        entry.update({"key": tj(k), "value": tj(v), "grad_key": tj(k.grad), "grad_value": tj(v.grad)})
    if kpm_arg is not None:
        entry["key_padding_mask"] = tj(kpm_arg) if float_kpm else tj(kpm, "int32")
    if am_arg is not None:
        entry["attn_mask"] = tj(am_arg) if float_attn_mask else tj(am, "int32")
    return entry


def main():
    cases = {
        "self_attention": case(1, 2, self_attention=True),
        "cross_attention_key_padding": case(2, 3, key_padding=True),
        "causal_self_attention_key_padding": case(3, 2, self_attention=True, key_padding=True, attn_mask="causal"),
        "per_head_mask_weights_per_head": case(4, 3, attn_mask="per_head", average=False),
        # PyTorch 1.13 ignores a float key padding mask next to a float attention mask (later versions add
        # both), so each float mask is tested beside a bool one or alone.
        "float_attn_mask_no_bias": case(5, 2, bias=False, key_padding=True, attn_mask="per_head",
                                        float_attn_mask=True),
        "float_key_padding_mask": case(6, 3, key_padding=True, float_kpm=True),
        # kdim/vdim other than E: separate q_proj_weight, k_proj_weight, v_proj_weight; in_proj_bias stays [3E].
        "kdim_vdim_key_padding": case(7, 2, key_padding=True, kdim=4, vdim=5),
        "kdim_vdim_causal_weights_per_head": case(8, 3, attn_mask="causal", average=False, kdim=7, vdim=3),
        "vdim_only_no_bias_per_head_mask": case(9, 2, bias=False, attn_mask="per_head", kdim=E, vdim=5),
    }
    with open("attention.json", "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    safetensors_kdim_vdim()
    print("wrote attention.json, mha_kdim_vdim.safetensors, mha_kdim_vdim_safetensors.json")


def safetensors_kdim_vdim():
    torch.manual_seed(13)
    m = nn.MultiheadAttention(E, 2, kdim=4, vdim=5, batch_first=True).float()
    with torch.no_grad():
        # PyTorch starts the biases at zero; non-zero values check that they load where they belong.
        m.in_proj_bias.uniform_(-0.5, 0.5)
        m.out_proj.bias.uniform_(-0.5, 0.5)
    write_safetensors("mha_kdim_vdim.safetensors", m.state_dict())
    m = m.double()
    rng = np.random.default_rng(21)
    q = short(rng.standard_normal((N, L, E)))
    k = short(rng.standard_normal((N, S, 4)))
    v = short(rng.standard_normal((N, S, 5)))
    kpm = torch.zeros(N, S, dtype=torch.bool)
    kpm[1, S - 2:] = True
    with torch.no_grad():
        out, w = m(q, k, v, key_padding_mask=kpm, need_weights=True)
    with open("mha_kdim_vdim_safetensors.json", "w") as f:
        json.dump({"torch": torch.__version__, "query": tj(q), "key": tj(k), "value": tj(v),
                   "key_padding_mask": tj(kpm, "int32"), "output": tj(out), "weights": tj(w)}, f)


if __name__ == "__main__":
    main()
