#!/usr/bin/python3
"""Reference values for PowerTransformTest: the maximum-likelihood Box-Cox and Yeo-Johnson
exponents of a few samples, and the transformed values, from SciPy (Debian's python3-scipy).

The samples are divided by their standard deviation (ddof 0) first, as PowerTransform does.
Writes power.json beside this script. Run with Debian's /usr/bin/python3.
"""

import json
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261207)
samples = {
    # Positive, spanning orders of magnitude: Box-Cox, exponent near 0.
    "lognormal": np.exp(rng.normal(0.0, 2.0, 40)),
    # Positive, moderately skewed: Box-Cox, exponent between 0 and 1.
    "exponential": rng.exponential(3.0, 30) + 0.5,
    # Both signs, a right tail: Yeo-Johnson, exponent between -1 and 1.
    "shifted_exponential": rng.exponential(2.0, 35) - 1.5,
    # Both signs, a heavy left tail: Yeo-Johnson, exponent above 1 (PowerTransform caps it at 1).
    "left_tail": 2.0 - np.exp(rng.normal(0.0, 1.5, 35)),
}

out = {}
for name, y in samples.items():
    z = y / y.std()
    if np.all(z > 0):
        lam = float(stats.boxcox_normmax(z, method="mle"))
        t = stats.boxcox(z, lmbda=lam)
        family = "box-cox"
    else:
        lam = float(stats.yeojohnson_normmax(z))
        t = stats.yeojohnson(z, lmbda=lam)
        family = "yeo-johnson"
    out[name] = {"y": [float(v) for v in y], "family": family, "lambda": lam,
                 "transformed": [float(v) for v in t]}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "power.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
for name, v in out.items():
    print(name, v["family"], v["lambda"])
