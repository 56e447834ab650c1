#!/usr/bin/env python3
"""Reference values for the Gaussian-process sampler's numerics.

1. A Gaussian-process posterior from scikit-learn's GaussianProcessRegressor (Debian's
   python3-sklearn) with a fixed ConstantKernel * Matern(nu=2.5) kernel (one length scale per
   dimension), a fixed noise variance (alpha) and no optimizer: the posterior mean and standard
   deviation of the latent function at test points, and the log marginal likelihood.
   GaussianProcessTest replays them.
2. log h(z), h(z) = phi(z) + z Phi(z) (the log of expected improvement at unit sigma), log Phi(z)
   and d log h / dz = Phi(z) / h(z), computed directly with mpmath at 60 significant digits over a
   wide range of z. LogEiTest replays them.

Run from this folder:  /usr/bin/python3 generate_gp.py
"""
import json

import mpmath
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

rng = np.random.default_rng(7)
D = 3
X = rng.uniform(0, 1, size=(12, D))
y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 - 0.5 * X[:, 2] + 0.05 * rng.standard_normal(12)
X_test = np.vstack([rng.uniform(-0.2, 1.2, size=(8, D)), X[:2]])
length_scales = [0.3, 0.7, 1.5]
signal = 1.7
noise = 0.01

kernel = ConstantKernel(signal, constant_value_bounds="fixed") * Matern(
    length_scale=length_scales, length_scale_bounds="fixed", nu=2.5)
gpr = GaussianProcessRegressor(kernel=kernel, alpha=noise, optimizer=None, normalize_y=False).fit(X, y)
mean, std = gpr.predict(X_test, return_std=True)

gp = {
    "x": X.tolist(), "y": y.tolist(), "lengthScales": length_scales, "signalVariance": signal,
    "noiseVariance": noise, "xTest": X_test.tolist(), "mean": mean.tolist(), "std": std.tolist(),
    "logMarginalLikelihood": float(gpr.log_marginal_likelihood_value_),
}

mpmath.mp.dps = 60
zs = [-1e4, -1000, -150, -100, -99.9, -60, -40, -38, -30, -20, -10, -5, -3, -2, -1.5, -1.0001, -1, -0.9999,
      -0.5, -1e-3, 0, 1e-3, 0.5, 1, 2, 5, 10, 30]
logei = []
for z in zs:
    zz = mpmath.mpf(z)
    cdf = mpmath.ncdf(zz)
    h = mpmath.npdf(zz) + zz * cdf
    logei.append({"z": z, "logH": float(mpmath.log(h)), "logCdf": float(mpmath.log(cdf)),
                  "dLogH": float(cdf / h)})

with open("gp.json", "w") as f:
    json.dump({"gp": gp, "logEi": logei}, f, indent=1)
