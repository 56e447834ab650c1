#!/usr/bin/env python3
"""Reference values for trainer-core's image augmentations, from torchvision 0.14 on PyTorch 1.13
(Debian's python3-torchvision and python3-torch), and for the time stretch from numpy.interp.

Each case applies one deterministic torchvision function (the random draws are fixed in the case's
params) to a seeded random image in [0, 1]. The Java test AugmentReferenceTest replays each case by
its "op" name.

Run from this folder:  /usr/bin/python3 generate_augment.py  (writes augment.json)
"""
import json

import numpy as np
import torch
import torchvision.transforms.functional as TF
from torchvision.transforms import InterpolationMode

torch.manual_seed(2024)
cases = []


def tensor_json(t):
    t = torch.as_tensor(t).detach()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, op, image, output, **params):
    cases.append({"name": name, "op": op, "params": params, "input": tensor_json(image),
                  "output": tensor_json(output)})


images = {"rgb 3x7x9": torch.rand(3, 7, 9), "grey 1x8x8": torch.rand(1, 8, 8), "grey 1x6x11": torch.rand(1, 6, 11)}

for label, img in images.items():
    case(f"hflip {label}", "hflip", img, TF.hflip(img))
    case(f"vflip {label}", "vflip", img, TF.vflip(img))
    for angle in [30.0, -17.5, 90.0, 135.0]:
        out = TF.rotate(img, angle, interpolation=InterpolationMode.BILINEAR)
        case(f"rotate bilinear {angle} {label}", "rotate", img, out, angle=angle, interpolation="BILINEAR")
    for k, sigma in [(3, 0.8), (5, 1.3)]:
        case(f"blur k{k} sigma{sigma} {label}", "blur", img, TF.gaussian_blur(img, [k, k], [sigma, sigma]),
             kernelSize=k, sigma=sigma)
    for f in [0.6, 1.4]:
        case(f"brightness {f} {label}", "brightness", img, TF.adjust_brightness(img, f), factor=f)
        case(f"contrast {f} {label}", "contrast", img, TF.adjust_contrast(img, f), factor=f)
    pad, top, left, h, w = 2, 1, 3, img.shape[1], img.shape[2]
    out = TF.crop(TF.pad(img, pad, fill=0.0), top, left, h, w)
    case(f"pad-crop {label}", "crop", img, out, padding=pad, top=top, left=left, height=h, width=w)
    case(f"erase {label}", "erase", img, TF.erase(img, 1, 2, 3, 4, torch.tensor(0.25)),
         top=1, left=2, height=3, width=4, value=0.25)

# time stretch by linear resampling: x'(k) = interp(k r) with the last sample held, as numpy.interp
wave = torch.randn(2, 50)
for rate in [0.7, 1.37, 2.5]:
    m = max(1, int(round(50 / rate)))
    t = np.arange(m) * rate
    out = np.stack([np.interp(t, np.arange(50), wave[c].numpy().astype(np.float64)) for c in range(2)])
    case(f"stretch {rate}", "stretch", wave, torch.tensor(out, dtype=torch.float32), rate=rate)

with open("augment.json", "w") as f:
    json.dump({"generator": "torchvision " + __import__("torchvision").__version__ + ", torch " + torch.__version__,
               "cases": cases}, f)
print(len(cases), "cases")
