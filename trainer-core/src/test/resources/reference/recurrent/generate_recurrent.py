#!/usr/bin/env python3
"""Reference values for trainer-core's recurrent layers (RNN, LSTM, GRU), from PyTorch 1.13.

Each case builds one layer in float64 with weights drawn from a seeded NumPy generator, runs it on a
fixed input (with given initial states and per-sequence lengths where the case says so), and
backpropagates the loss

    L = sum(output * u_out) + sum(h_n * u_h) [+ sum(c_n * u_c)]

with fixed upstream weights u. recurrent.json holds, per case: the layer's settings, its state dict
(PyTorch's names), the input, lengths, initial states, the upstream weights, the output and final
states, and the gradient of L for every parameter, the input and the initial states. Variable lengths
go through pack_padded_sequence(enforce_sorted=False) and pad_packed_sequence(total_length=T), so
padded steps are zero in the output. RecurrentReferenceTest rebuilds each case in Java and compares.

sequence.json holds the pieces a sequence model adds around them, in float64: cross-entropy over
[N, T, C] logits with [N, T] labels and ignore_index (with each reduction, class weights, label
smoothing, and an ignored index inside the class range), the loss and the logits' gradient per
case; and a whole model, Embedding(padding_idx=0) -> bidirectional LSTM over packed lengths ->
Linear -> cross-entropy ignoring the padded steps, with its state dict, loss and every gradient.

It also writes lstm.safetensors: a two-layer bidirectional LSTM's float32 state dict in the
safetensors layout (written by hand below; the layout is an 8-byte little-endian header length, a
JSON header, then the raw little-endian data), with the float64 outputs of that LSTM in
lstm_safetensors.json; and the same for the LSTM with projections (proj_size=4, weight_hr_l{k}) in
lstm_proj.safetensors and lstm_proj_safetensors.json.

Run from this folder:  /usr/bin/python3 generate_recurrent.py
To check that a file written by the library loads into PyTorch and gives the reference outputs:
    /usr/bin/python3 generate_recurrent.py --check-library-file FILE
(RecurrentSafetensorsTest writes such files to target/recurrent/lstm-from-library.safetensors and
lstm-proj-from-library.safetensors; the second is checked against lstm_proj_safetensors.json.)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from safetensors_layout import read_safetensors, write_safetensors  # noqa: E402

torch.set_default_dtype(torch.float64)

PROJ = 4

CASES = [
    # name, kind, options
    ("rnn_tanh", "RNN", dict(nonlinearity="tanh")),
    ("rnn_relu_two_layers_bidirectional", "RNN",
     dict(nonlinearity="relu", num_layers=2, bidirectional=True, batch_first=True, initial=True, lengths=True)),
    ("rnn_no_bias_lengths", "RNN", dict(nonlinearity="tanh", bias=False, lengths=True)),
    ("lstm", "LSTM", dict()),
    ("lstm_batch_first_initial", "LSTM", dict(batch_first=True, initial=True)),
    ("lstm_two_layers_bidirectional_lengths", "LSTM",
     dict(num_layers=2, bidirectional=True, initial=True, lengths=True)),
    ("lstm_no_bias_bidirectional_batch_first", "LSTM", dict(bias=False, bidirectional=True, batch_first=True)),
    ("gru", "GRU", dict()),
    ("gru_two_layers_bidirectional_lengths", "GRU",
     dict(num_layers=2, bidirectional=True, batch_first=True, initial=True, lengths=True)),
    ("gru_lengths_time_first", "GRU", dict(initial=True, lengths=True)),
    # LSTMs with projections (proj_size): h and the output are PROJ wide, c stays HID wide.
    ("lstm_projection_batch_first_initial", "LSTM", dict(proj_size=PROJ, batch_first=True, initial=True)),
    ("lstm_projection_two_layers_bidirectional_lengths", "LSTM",
     dict(proj_size=PROJ, num_layers=2, bidirectional=True, initial=True, lengths=True)),
    ("lstm_projection_no_bias_two_layers_batch_first_lengths", "LSTM",
     dict(proj_size=PROJ, bias=False, num_layers=2, batch_first=True, lengths=True)),
]

IN, HID, T, N = 5, 7, 6, 3
LENGTHS = [4, 6, 2]


def short(a):
    """Values rounded to 4 decimals, so that the inputs of a case print short in the JSON; the rounded
    values are the ones PyTorch computes with, so nothing is lost."""
    return torch.from_numpy(np.round(a, 4))


def tj(t, dtype=None):
    t = t.detach()
    out = {"shape": list(t.shape), "data": [float(v) if dtype is None else int(v) for v in t.reshape(-1).tolist()]}
    if dtype is not None:
        out["dtype"] = dtype
    return out


def build(kind, o, rng):
    layers = o.get("num_layers", 1)
    args = dict(input_size=IN, hidden_size=HID, num_layers=layers, bias=o.get("bias", True),
                batch_first=o.get("batch_first", False), bidirectional=o.get("bidirectional", False))
    if o.get("proj_size", 0):
        args["proj_size"] = o["proj_size"]
    if kind == "RNN":
        m = nn.RNN(nonlinearity=o["nonlinearity"], **args)
    else:
        m = getattr(nn, kind)(**args)
    m = m.double()
    k = 1 / np.sqrt(HID)
    with torch.no_grad():
        for p in m.parameters():
            # Wider than PyTorch's init so that every gate is exercised away from its linear region.
            p.copy_(short(rng.uniform(-2 * k, 2 * k, size=tuple(p.shape))))
    return m


def run(kind, m, o, x, lengths, h0, c0):
    state = None if h0 is None else ((h0, c0) if kind == "LSTM" else h0)
    bf = o.get("batch_first", False)
    if lengths is None:
        out, hn = m(x, state)
    else:
        packed = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False)
        out, hn = m(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=bf, total_length=T)
    if kind == "LSTM":
        return out, hn[0], hn[1]
    return out, hn, None


def case(name, kind, o, seed):
    rng = np.random.default_rng(seed)
    m = build(kind, o, rng)
    d = 2 if o.get("bidirectional", False) else 1
    layers = o.get("num_layers", 1)
    bf = o.get("batch_first", False)
    x = short(rng.standard_normal((N, T, IN) if bf else (T, N, IN))).requires_grad_()
    lengths = torch.tensor(LENGTHS, dtype=torch.int64) if o.get("lengths") else None
    h0 = c0 = None
    if o.get("initial"):
        h0 = short(rng.standard_normal((layers * d, N, o.get("proj_size", 0) or HID)) * 0.5).requires_grad_()
        if kind == "LSTM":
            c0 = short(rng.standard_normal((layers * d, N, HID)) * 0.5).requires_grad_()
    out, hn, cn = run(kind, m, o, x, lengths, h0, c0)
    u_out = short(rng.standard_normal(tuple(out.shape)))
    u_h = short(rng.standard_normal(tuple(hn.shape)))
    loss = (out * u_out).sum() + (hn * u_h).sum()
    u_c = None
    if cn is not None:
        u_c = short(rng.standard_normal(tuple(cn.shape)))
        loss = loss + (cn * u_c).sum()
    loss.backward()
    entry = {
        "kind": kind,
        "input_size": IN, "hidden_size": HID, "proj_size": o.get("proj_size", 0), "num_layers": layers,
        "bias": o.get("bias", True),
        "batch_first": bf, "bidirectional": o.get("bidirectional", False),
        "nonlinearity": o.get("nonlinearity", "tanh"),
        "state": {k: tj(v) for k, v in m.state_dict().items()},
        "input": tj(x),
        "output": tj(out), "h_n": tj(hn),
        "u_output": tj(u_out), "u_h": tj(u_h),
        "grads": {k: tj(p.grad) for k, p in m.named_parameters()},
        "grad_input": tj(x.grad),
    }
    if lengths is not None:
        entry["lengths"] = tj(lengths, "int32")
    if h0 is not None:
        entry["h0"] = tj(h0)
        entry["grad_h0"] = tj(h0.grad)
    if c0 is not None:
        entry["c0"] = tj(c0)
        entry["grad_c0"] = tj(c0.grad)
    if cn is not None:
        entry["c_n"] = tj(cn)
        entry["u_c"] = tj(u_c)
    return entry


def cross_entropy_cases():
    rng = np.random.default_rng(77)
    n, t, c = 3, 4, 5
    logits = short(rng.standard_normal((n, t, c)) * 2)
    labels = torch.from_numpy(rng.integers(0, c, size=(n, t)))
    labels[0, 3] = -100
    labels[2, 1] = -100
    labels[2, 3] = -100
    with_zero = labels.clone()
    with_zero[with_zero == -100] = 0
    # Multiples of 1/64: exact in float32, the dtype the library keeps class weights in.
    weights = torch.from_numpy(np.round(rng.uniform(0.2, 2, size=c) * 64) / 64)
    upstream = short(rng.standard_normal((n, t)))
    settings = [
        ("mean", dict(reduction="mean", ignore_index=-100), labels),
        ("sum", dict(reduction="sum", ignore_index=-100), labels),
        ("none", dict(reduction="none", ignore_index=-100), labels),
        ("weights_mean", dict(reduction="mean", ignore_index=-100, weight=weights), labels),
        ("smoothing_mean", dict(reduction="mean", ignore_index=-100, label_smoothing=0.2), labels),
        ("weights_smoothing_sum", dict(reduction="sum", ignore_index=-100, weight=weights, label_smoothing=0.1),
         labels),
        ("ignore_class_zero_weights_mean", dict(reduction="mean", ignore_index=0, weight=weights), with_zero),
    ]
    out = {"logits": tj(logits), "weights": tj(weights), "upstream": tj(upstream), "cases": {}}
    for name, kw, y in settings:
        x = logits.clone().requires_grad_()
        # PyTorch's rank-3 form wants the classes on axis 1: [N, C, T].
        loss = nn.functional.cross_entropy(x.permute(0, 2, 1), y, **kw)
        (loss * upstream if kw["reduction"] == "none" else loss).sum().backward()
        out["cases"][name] = {"reduction": kw["reduction"], "ignore_index": kw["ignore_index"],
                              "weights": "weight" in kw, "label_smoothing": kw.get("label_smoothing", 0.0),
                              "labels": tj(y, "int32"), "loss": tj(loss), "grad_logits": tj(x.grad)}
    return out


class Tagger(nn.Module):
    """Tokens -> Embedding(padding_idx=0) -> bidirectional LSTM over the real steps -> Linear."""

    def __init__(self, vocab, dim, hidden, classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, classes)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        return self.head(out)


def tagger_case():
    rng = np.random.default_rng(99)
    vocab, classes = 11, 4
    m = Tagger(vocab, IN, HID, classes).double()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(short(rng.uniform(-0.6, 0.6, size=tuple(p.shape))))
        m.embedding.weight[0].zero_()
    lengths = torch.tensor(LENGTHS, dtype=torch.int64)
    tokens = torch.from_numpy(rng.integers(1, vocab, size=(N, T)))
    labels = torch.from_numpy(rng.integers(0, classes, size=(N, T)))
    for i, n in enumerate(LENGTHS):
        tokens[i, n:] = 0
        labels[i, n:] = -100
    logits = m(tokens, lengths)
    loss = nn.functional.cross_entropy(logits.reshape(-1, classes), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    return {"vocab": vocab, "classes": classes, "state": {k: tj(v) for k, v in m.state_dict().items()},
            "tokens": tj(tokens, "int32"), "lengths": tj(lengths, "int32"), "labels": tj(labels, "int32"),
            "logits": tj(logits), "loss": tj(loss), "grads": {k: tj(p.grad) for k, p in m.named_parameters()}}


def safetensors_lstm(stem="lstm", proj_size=0, seed=11):
    torch.manual_seed(seed)
    m = nn.LSTM(IN, HID, num_layers=2, bidirectional=True, batch_first=True, proj_size=proj_size).float()
    write_safetensors(stem + ".safetensors", m.state_dict())
    m = m.double()
    rng = np.random.default_rng(5)
    x = short(rng.standard_normal((N, T, IN)))
    lengths = torch.tensor(LENGTHS, dtype=torch.int64)
    with torch.no_grad():
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (hn, cn) = m(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    with open(stem + "_safetensors.json", "w") as f:
        json.dump({"torch": torch.__version__, "input": tj(x), "lengths": tj(lengths, "int32"), "output": tj(out),
                   "h_n": tj(hn), "c_n": tj(cn)}, f)


def check_library_file(path):
    """Loads a state dict the library wrote into nn.LSTM (strict) and compares with lstm_safetensors.json, or
    with lstm_proj_safetensors.json where the file holds projections (weight_hr_l0)."""
    state = read_safetensors(path)
    proj = state["weight_hr_l0"].shape[0] if "weight_hr_l0" in state else 0
    m = nn.LSTM(IN, HID, num_layers=2, bidirectional=True, batch_first=True, proj_size=proj).double()
    m.load_state_dict(state, strict=True)
    with open("lstm_proj_safetensors.json" if proj else "lstm_safetensors.json") as f:
        ref = json.load(f)
    x = torch.tensor(ref["input"]["data"]).reshape(ref["input"]["shape"])
    lengths = torch.tensor(ref["lengths"]["data"], dtype=torch.int64)
    with torch.no_grad():
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (hn, cn) = m(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    err = 0.0
    for key, t in (("output", out), ("h_n", hn), ("c_n", cn)):
        e = torch.tensor(ref[key]["data"]).reshape(ref[key]["shape"])
        err = max(err, float(((t - e).abs() / (1 + e.abs())).max()))
    print(f"{path}: loaded into torch.nn.LSTM (strict); largest relative difference {err:.3g}")
    if err > 1e-9:
        sys.exit(1)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check-library-file":
        check_library_file(sys.argv[2])
        return
    cases = {name: case(name, kind, o, 1000 + i) for i, (name, kind, o) in enumerate(CASES)}
    with open("recurrent.json", "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
    with open("sequence.json", "w") as f:
        json.dump({"torch": torch.__version__, "cross_entropy": cross_entropy_cases(), "tagger": tagger_case()}, f)
    safetensors_lstm()
    safetensors_lstm("lstm_proj", proj_size=PROJ, seed=12)
    print("wrote recurrent.json, sequence.json, lstm.safetensors, lstm_safetensors.json, lstm_proj.safetensors, "
          "lstm_proj_safetensors.json")


if __name__ == "__main__":
    main()
