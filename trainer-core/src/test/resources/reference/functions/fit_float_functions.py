"""Fits the polynomial coefficients of the float32 exp, tanh and GELU kernels (FloatFunctions).

Each fit minimises the largest relative error of the whole function (Lawson's iteratively
reweighted least squares, which converges to the minimax fit) against mpmath at 40 digits, on
Chebyshev points of the interval the kernel uses the polynomial on. Prints the Java constants,
rounded to float, and each fit's largest relative error before that rounding.

Run with Debian's python3 (python3-numpy, python3-mpmath):
    python3 fit_float_functions.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def chebyshev_points(lo, hi, n=20000):
    k = np.arange(n)
    return (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)


def minimax(variable, target, weight, degree, iterations=200):
    """Coefficients c (lowest first) of sum c_j v^j closest to target in weight * |error|."""
    basis = np.stack([variable ** j for j in range(degree + 1)], axis=1) * weight[:, None]
    wanted = target * weight
    w = np.full(len(variable), 1 / len(variable))
    best = None
    for _ in range(iterations):
        root = np.sqrt(w)
        c = np.linalg.lstsq(basis * root[:, None], wanted * root, rcond=None)[0]
        error = np.abs(basis @ c - wanted)
        if best is None or error.max() < best[0]:
            best = (error.max(), c)
        w = w * error
        w /= w.sum()
    return best


def show(name, fit):
    error, c = fit
    values = ", ".join(repr(float(np.float32(v))) + "f" for v in c)
    print(f"    // largest relative error {error:.2e}")
    print(f"    static final float[] {name} = {{{values}}};")


def mp_array(f, xs):
    return np.array([float(f(mp.mpf(float(x)))) for x in xs])


# e^r = 1 + r + r^2 P(r) for |r| <= ln(2) / 2 (a little wider for the rounding of r).
half_ln2 = float(mp.log(2)) / 2 * 1.01
r = chebyshev_points(-half_ln2, half_ln2)
show("EXP", minimax(r, mp_array(lambda v: (mp.exp(v) - 1 - v) / v ** 2, r), r ** 2 / np.exp(r), 4))

# tanh x = x + x^3 P(x^2) for 0 < x <= 0.625.
x = chebyshev_points(1e-4, 0.625)
show("TANH", minimax(x ** 2, mp_array(lambda v: (mp.tanh(v) - v) / v ** 3, x), x ** 3 / np.tanh(x), 4))

# Phi(x) = 1/2 + x P(x^2) for |x| <= 1 (weighted by Phi(-|x|), the smaller side).
x = chebyshev_points(1e-4, 1.0)
show("PHI_CENTRAL", minimax(x ** 2, mp_array(lambda v: (mp.ncdf(v) - 0.5) / v, x),
                            x / mp_array(lambda v: mp.ncdf(-v), x), 5))

# Phi(-a) = e^(-a^2/2) P(t), t = 1 / (1 + a / 4), for 1 <= a <= 16 (below float's smallest value past that).
a = chebyshev_points(1.0, 16.0, 30000)
mills = mp_array(lambda v: mp.ncdf(-v) * mp.exp(v ** 2 / 2), a)
show("PHI_TAIL", minimax(1 / (1 + a / 4), mills, 1 / mills, 8))
