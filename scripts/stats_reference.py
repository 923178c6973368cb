#!/usr/bin/env python3
"""Reference numbers for src/results/stats (themis), written to test/fixtures/stats_reference.json.

Run from the repository root:  python3 scripts/stats_reference.py
The output is deterministic: every input is a literal or comes from the xoshiro128** generator
re-implemented below, and the JSON is written with sorted keys. Needs scipy, numpy and mpmath.

Each section names the exact SciPy/NumPy call that produced its numbers. Special functions also
carry an mpmath value computed with 50 significant digits ("truth"), so the tests can check our
own accuracy separately from SciPy's.
"""

import json
import math
import os
import sys
import warnings

import mpmath
import numpy as np
import scipy
from scipy import special, stats

mpmath.mp.dps = 50
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                   "stats_reference.json")
M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
WILCOXON_EXACT_MAX_N = 50
WILCOXON_PERMUTATION_MAX_N = 13


# --- xoshiro128** seeded by splitmix64: the same algorithm as src/results/stats/xoshiro128.ts ---

def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128:
    def __init__(self, seed):
        state, a = splitmix64(seed & M64)
        _, b = splitmix64(state)
        self.s = [a & M32, a >> 32, b & M32, b >> 32]
        if not any(self.s):
            self.s[0] = 1

    def next_uint32(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result

    def next_float(self):
        high = self.next_uint32() >> 5
        low = self.next_uint32() >> 6
        return (high * 67108864 + low) / 9007199254740992

    def next_index(self, n):
        limit = 2**32 - (2**32 % n)
        while True:
            u = self.next_uint32()
            if u < limit:
                return u % n


# --- the exact arithmetic of src/results/stats/mean.ts (Neumaier summation) ---

def compensated_sum(values):
    total = 0.0
    compensation = 0.0
    for v in values:
        t = total + v
        if abs(total) >= abs(v):
            compensation += (total - t) + v
        else:
            compensation += (v - t) + total
        total = t
    return total + compensation


def themis_mean(values):
    if all(v == values[0] for v in values):
        return values[0]
    return compensated_sum(values) / len(values)


def bootstrap_reference(values, seed, resamples, confidence):
    """The bootstrap of bootstrap_ci.ts step by step, with numpy.percentile for the interval."""
    rng = Xoshiro128(seed)
    n = len(values)
    stats_ = []
    for _ in range(resamples):
        stats_.append(themis_mean([values[rng.next_index(n)] for _ in range(n)]))
    alpha = (1 - confidence) / 2
    low, high = np.percentile(np.array(stats_), [alpha * 100, (1 - alpha) * 100])
    return {"estimate": themis_mean(values), "low": float(low), "high": float(high)}


# --- data ---

def uniform_values(seed, n, low, high, digits=6):
    rng = Xoshiro128(seed)
    return [round(low + (high - low) * rng.next_float(), digits) for _ in range(n)]


def normalish_values(seed, n, center, scale, digits=6):
    """Sums of four uniforms: bell-shaped, no ties in practice."""
    rng = Xoshiro128(seed)
    out = []
    for _ in range(n):
        u = sum(rng.next_float() for _ in range(4)) - 2
        out.append(round(center + scale * u, digits))
    return out


def binary_values(seed, n, p):
    rng = Xoshiro128(seed)
    return [1 if rng.next_float() < p else 0 for _ in range(n)]


def f(x):
    """A JSON number (None for NaN; infinities are never written)."""
    x = float(x)
    if math.isnan(x):
        return None
    assert math.isfinite(x), x
    return x


# --- special functions ---

def mp_t_tail(a, df):
    """P(T > a) for a >= 0 at 50 digits: the beta series where it converges, else quadrature."""
    a = mpmath.mpf(a)
    df = mpmath.mpf(df)
    half = mpmath.mpf(1) / 2
    if a == 0:
        return half
    x = df / (df + a * a)
    if x <= half:
        return mpmath.betainc(df / 2, half, 0, x, regularized=True) / 2
    norm = 1 / (mpmath.sqrt(df) * mpmath.beta(df / 2, half))

    def pdf(s):
        return norm * (1 + s * s / df) ** (-(df + 1) / 2)

    if a <= 1:
        return half - mpmath.quad(pdf, [0, a])
    return mpmath.quad(pdf, [a, 2 * a, 4 * a, mpmath.inf])


def mp_t_cdf(t, df):
    tail = mp_t_tail(abs(t), df)
    return tail if t < 0 else 1 - tail


def mp_t_sf(t, df):
    tail = mp_t_tail(abs(t), df)
    return tail if t > 0 else 1 - tail


def mp_normal_quantile(p, start):
    if p == 0.5:
        return mpmath.mpf(0)
    p = mpmath.mpf(p)
    return mpmath.findroot(lambda x: mpmath.ncdf(x) - p, mpmath.mpf(start), tol=1e-40)


def mp_t_quantile(p, df, start):
    p = mpmath.mpf(p)
    return mpmath.findroot(lambda t: mp_t_cdf(t, df) - p, mpmath.mpf(start), tol=1e-40)


def special_cases():
    xs = [1e-300, 1e-10, 0.001, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4.5, 9.99, 10, 10.5, 21, 33.3,
          100, 171.5, 1e4, 1e6, 1e15]
    log_gamma = [[x, f(special.gammaln(x)), f(mpmath.loggamma(x))] for x in xs]
    ab = [[0.5, 0.5], [2, 3], [249.5, 0.5], [0.5, 4999.5], [10, 10], [12.5, 7], [5000, 5000],
          [1e-5, 30], [3, 1e8]]
    log_beta = [[a, b, f(special.betaln(a, b)), f(mpmath.log(mpmath.beta(a, b)))] for a, b in ab]
    zs = [-26, -20, -10, -5, -3, -1.5, -1, -0.5, -1e-3, 0, 1e-8, 0.3, 0.7, 0.99999, 1, 1.5, 2, 3,
          5, 8, 26]
    erfc = [[z, f(special.erfc(z)), f(mpmath.erfc(z))] for z in zs]
    cdf_x = [-37.5, -30, -20, -10, -8.3, -5, -3, -1.959963984540054, -1, -0.5, -1e-3, 0, 1e-8,
             0.3, 1, 1.959963984540054, 2, 3, 5, 8, 9]
    normal_cdf = [[x, f(special.ndtr(x)), f(mpmath.ncdf(x))] for x in cdf_x]
    ps = [1e-300, 1e-50, 1e-20, 1e-10, 1e-5, 0.001, 0.01, 0.025, 0.1, 0.3, 0.49, 0.4999999, 0.5,
          0.5000001, 0.7, 0.9, 0.975, 0.99, 0.999999, 1 - 1e-12]
    normal_quantile = [[p, f(special.ndtri(p)), f(mp_normal_quantile(p, special.ndtri(p)))]
                       for p in ps]
    dfs = [1, 2, 3, 4.5, 9, 29, 99, 499, 1e4, 1e6]
    ts = [-300, -40, -12, -5, -2.5, -1, -0.3, 0, 0.5, 1, 1.96, 2.2, 3, 8, 50]
    t_cdf = [[t, df, f(stats.t.cdf(t, df)), f(mp_t_cdf(t, df))] for df in dfs for t in ts]
    t_sf = [[t, df, f(stats.t.sf(t, df)), f(mp_t_sf(t, df))] for df in dfs for t in ts]
    tps = [1e-12, 0.001, 0.005, 0.025, 0.05, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 0.95, 0.975, 0.995,
           0.9995]
    t_quantile = []
    for df in dfs:
        for p in tps:
            s = stats.t.ppf(p, df)
            truth = 0.0 if p == 0.5 else mp_t_quantile(p, df, s)
            t_quantile.append([p, df, f(s), f(truth)])
    betas = [[0.3, 0.5, 0.5], [0.9, 2, 3], [0.99, 249.5, 0.5], [0.001, 0.5, 249.5],
             [0.33, 100, 200], [0.5, 1000, 1000], [0.97, 5000, 100], [0.5, 1e-3, 2],
             [0.999999, 30, 0.01], [0.999999, 5e5, 0.5], [0.2, 1, 1], [0.75, 7.5, 0.5]]
    incomplete_beta = [[x, a, b, f(special.betainc(a, b, x)),
                        f(mpmath.betainc(a, b, 0, x, regularized=True))] for x, a, b in betas]
    binom = [[0, 0, 0.5], [0, 1, 0.5], [3, 10, 0.5], [5, 10, 0.5], [0, 25, 0.5], [0, 1000, 0.5],
             [100, 240, 0.5], [1000, 2100, 0.5], [5000, 10300, 0.5], [49900, 100000, 0.5],
             [3, 50, 0.3], [30, 50, 0.3], [7, 20, 0.01], [0, 20, 0.01], [19, 20, 0.99],
             [20, 20, 0.99], [10, 1000000, 1e-5], [999990, 1000000, 0.99999], [2, 7, 0.123456789]]

    def mp_pmf(k, n, p):
        p = mpmath.mpf(p)
        return mpmath.binomial(n, k) * p**k * (1 - p)**(n - k)

    def mp_cdf(k, n, p):
        # Sum the shorter side from its largest term outwards with exact term ratios.
        p = mpmath.mpf(p)
        q = 1 - p
        if k >= n:
            return mpmath.mpf(1)
        lower = k < n * p
        i = k if lower else k + 1
        term = mp_pmf(i, n, p)
        total = term
        while True:
            if lower:
                if i == 0:
                    break
                term *= i * q / ((n - i + 1) * p)
                i -= 1
            else:
                if i == n:
                    break
                term *= (n - i) * p / ((i + 1) * q)
                i += 1
            total += term
            if term < total * mpmath.mpf(10) ** -45:
                break
        return total if lower else 1 - total

    binomial_pmf = [[k, n, p, f(stats.binom.pmf(k, n, p)), f(mp_pmf(k, n, p))]
                    for k, n, p in binom]
    binomial_cdf = [[k, n, p, f(stats.binom.cdf(k, n, p)), f(mp_cdf(k, n, p))]
                    for k, n, p in binom]
    return {
        "_calls": {
            "logGamma": "scipy.special.gammaln(x)",
            "logBeta": "scipy.special.betaln(a, b)",
            "erfc": "scipy.special.erfc(x)",
            "normalCdf": "scipy.special.ndtr(x)",
            "normalQuantile": "scipy.special.ndtri(p)",
            "studentTCdf": "scipy.stats.t.cdf(t, df)",
            "studentTSf": "scipy.stats.t.sf(t, df)",
            "studentTQuantile": "scipy.stats.t.ppf(p, df)",
            "regularizedIncompleteBeta": "scipy.special.betainc(a, b, x)",
            "binomialPmf": "scipy.stats.binom.pmf(k, n, p)",
            "binomialCdf": "scipy.stats.binom.cdf(k, n, p)",
            "_row": "[arguments..., scipy value, mpmath value (50 digits)]",
        },
        "logGamma": log_gamma,
        "logBeta": log_beta,
        "erfc": erfc,
        "normalCdf": normal_cdf,
        "normalQuantile": normal_quantile,
        "studentTCdf": t_cdf,
        "studentTSf": t_sf,
        "studentTQuantile": t_quantile,
        "regularizedIncompleteBeta": incomplete_beta,
        "binomialPmf": binomial_pmf,
        "binomialCdf": binomial_cdf,
    }


# --- statistics ---

def summarize_reference(values, confidence):
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "se": None, "ci": None}
    a = np.array(values, dtype=float)
    m = float(np.mean(a))
    if n == 1:
        return {"n": 1, "mean": m, "sd": None, "se": None, "ci": None}
    sd = float(np.std(a, ddof=1))
    se = sd / math.sqrt(n)
    t = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    return {"n": n, "mean": m, "sd": sd, "se": se,
            "ci": {"low": m - t * se, "high": m + t * se, "method": "t",
                   "confidence": confidence}}


def summarize_cases():
    cases = [
        ("empty", [], 0.95),
        ("n=1", [3.25], 0.95),
        ("n=2", [1.5, -2.25], 0.95),
        ("small n=5", [0.2, 0.9, 0.4, 0.7, 0.5], 0.95),
        ("binary with ties", [0, 1, 1, 0, 1, 1, 1, 0, 1, 1], 0.95),
        ("all equal", [0.5] * 6, 0.95),
        ("negative values", [-3.5, -1.25, -7.0, -2.0, -0.5, -4.75, -3.0], 0.95),
        ("confidence 0.99", normalish_values(11, 25, 0.6, 0.2), 0.99),
        ("confidence 0.5", normalish_values(12, 25, 0.6, 0.2), 0.5),
        ("large offset", [1e6 + v for v in normalish_values(13, 40, 0, 1, 3)], 0.95),
        ("large n=500", normalish_values(14, 500, 0.7, 0.3), 0.95),
        ("uniform n=500 mixed sign", uniform_values(15, 500, -10, 5), 0.9),
    ]
    return [{"name": name, "values": values, "confidence": c,
             "expected": summarize_reference(values, c)} for name, values, c in cases]


def percentile_cases():
    qs = [0, 2.5, 25, 33.3, 50, 75, 97.5, 99.99, 100]
    data = [
        ("n=1", [4.0]),
        ("n=2", [3.0, -1.0]),
        ("unsorted with ties", [5, 1, 3, 3, 3, 2, 9, 1]),
        ("negative", [-0.5, -2.25, -1.0, -7.75, -3.0]),
        ("n=500", normalish_values(21, 500, 0, 1)),
        ("binary means", [0.4, 0.45, 0.45, 0.5, 0.55, 0.6, 0.6, 0.6]),
    ]
    return [{"name": name, "values": values, "q": qs,
             "expected": [f(v) for v in np.percentile(np.array(values, dtype=float), qs)]}
            for name, values in data]


def bootstrap_cases():
    cases = [
        ("small n=5", [0.2, 0.9, 0.4, 0.7, 0.5], 7, 2000, 0.95),
        ("n=1", [2.5], 1, 100, 0.95),
        ("all equal", [0.25] * 8, 3, 500, 0.95),
        ("binary n=40", binary_values(31, 40, 0.6), 42, 2000, 0.95),
        ("negative n=30, 90%", normalish_values(32, 30, -2, 1.5), 123456789, 2000, 0.9),
        ("large n=500", normalish_values(33, 500, 0.5, 0.4), 2024, 400, 0.95),
        ("negative seed", uniform_values(34, 20, 0, 1), -5, 1000, 0.8),
    ]
    out = []
    for name, values, seed, resamples, confidence in cases:
        ref = bootstrap_reference(values, seed, resamples, confidence)
        out.append({"name": name, "values": values, "seed": seed, "resamples": resamples,
                    "confidence": confidence,
                    "expected": {**ref, "method": "percentile", "confidence": confidence,
                                 "resamples": resamples, "seed": seed}})
    return out


def wilcoxon_method(d):
    """The branch SciPy 1.17's `method="auto"` takes (scipy/stats/_wilcoxon.py, `_wilcoxon_nd`):
    more than 50 differences -> asymptotic; else no zeros and no tied |d| -> exact; else at
    most 13 differences -> PermutationMethod() (all 2^N sign flips); else asymptotic."""
    if len(d) == 0:
        return None
    nonzero = [v for v in d if v != 0]
    magnitudes = [abs(v) for v in nonzero]
    ties = len(set(magnitudes)) < len(magnitudes)
    zeros = len(nonzero) < len(d)
    if len(d) > WILCOXON_EXACT_MAX_N:
        return "asymptotic"
    if not ties and not zeros:
        return "exact"
    if len(d) <= WILCOXON_PERMUTATION_MAX_N:
        return "permutation"
    return "asymptotic"


def scipy_wilcoxon(args, method):
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-zero differences: 0/0 inside SciPy
        return stats.wilcoxon(*args, method=method)


def wilcoxon_reference(x, y):
    """`scipy.stats.wilcoxon(x[, y])` with every default (zero_method="wilcox",
    correction=False, alternative="two-sided", method="auto"). The branch auto took is checked
    by repeating the call with that method given explicitly, which must give the same p-value;
    zStatistic comes from the explicit asymptotic call (auto does not report it)."""
    d = list(x) if y is None else [a - b for a, b in zip(x, y)]
    n = sum(1 for v in d if v != 0)
    zeros = len(d) - n
    method = wilcoxon_method(d)
    args = (np.array(x, dtype=float),) if y is None else (np.array(x, dtype=float),
                                                          np.array(y, dtype=float))
    if method is None:
        # No difference at all: SciPy answers NaN, themis null.
        assert math.isnan(scipy_wilcoxon(args, "auto").pvalue)
        return None, {"n": 0, "zeros": 0, "statistic": None, "pValue": None,
                      "zStatistic": None, "method": None}, None
    if len(d) == 1 and n == 0:
        # A single zero difference: SciPy's permutation test raises ValueError ("two or more
        # observations"); themis answers p = 1 like every other all-zero case.
        try:
            scipy_wilcoxon(args, "auto")
            raise AssertionError("SciPy accepted a single zero difference")
        except ValueError:
            pass
        return "permutation", {"n": 0, "zeros": 1, "statistic": 0.0, "pValue": 1.0,
                               "zStatistic": None, "method": "permutation"}, None
    res = scipy_wilcoxon(args, "auto")
    explicit = stats.PermutationMethod() if method == "permutation" else method
    again = scipy_wilcoxon(args, explicit)
    assert (math.isnan(res.pvalue) and math.isnan(again.pvalue)) or res.pvalue == again.pvalue, \
        (d, method, res.pvalue, again.pvalue)
    scipy_p = f(res.pvalue)
    p = scipy_p
    if n == 0:
        # All-zero differences: p = 1 (SciPy agrees up to 13 differences, NaN above).
        assert scipy_p is None or scipy_p == 1.0, scipy_p
        p = 1.0
        method = "permutation"
    z = f(again.zstatistic) if method == "asymptotic" else None
    return method, {"n": n, "zeros": zeros, "statistic": f(res.statistic), "pValue": p,
                    "zStatistic": z, "method": method}, scipy_p


def wilcoxon_series():
    """Four kinds of differences for every N = 1..60: distinct magnitudes, tied magnitudes,
    small integers with zeros, and 0/1-score differences (-1, 0, 1)."""
    out = []
    for size in range(1, 61):
        rng = Xoshiro128(1000 + size)
        distinct = [round((i + 1) * 0.37 + rng.next_float() * 0.1, 6) *
                    (1 if rng.next_float() < 0.6 else -1) for i in range(size)]
        tied = [float(1 + rng.next_index(4)) * (1 if rng.next_float() < 0.55 else -1)
                for _ in range(size)]
        zeros = [float(rng.next_index(5) - 2) for _ in range(size)]
        binary = [float(rng.next_index(3) - 1) if rng.next_float() < 0.7 else 1.0
                  for _ in range(size)]
        for kind, d in [("distinct", distinct), ("tied", tied), ("zeros", zeros),
                        ("binary", binary)]:
            out.append((f"n={size} {kind}", d, None))
    for size in [1, 2, 13, 14, 50, 51, 60]:
        out.append((f"n={size} all zeros", [0.0] * size, None))
    return out


def wilcoxon_cases():
    paired_x = normalish_values(41, 12, 0.6, 0.3)
    paired_y = normalish_values(42, 12, 0.5, 0.3)
    cases = [
        ("exact n=1", [2.5], None),
        ("exact n=2", [1.0, -3.0], None),
        ("exact n=5", [1.5, 2.5, -0.5, 3.5, 4.5], None),
        ("exact p = 1 (balanced ranks)", [1, -2, -3, 4], None),
        ("exact paired x, y", paired_x, paired_y),
        ("exact n=10 negative", [-1.1, -2.3, 0.4, -3.9, -5.2, -0.7, 1.6, -4.4, -6.8, -2.9], None),
        ("exact n=20", normalish_values(43, 20, 0.1, 1), None),
        ("exact n=50 all positive (p near 0)", [i / 10 for i in range(1, 51)], None),
        ("exact n=50 mixed", normalish_values(44, 50, 0.05, 1), None),
        ("asymptotic n=51", normalish_values(45, 51, 0.1, 1), None),
        ("permutation ties n=12", [1, 1, -1, 2, -2, 2, 3, 3, -3, 0.5, 0.5, 4], None),
        ("asymptotic zeros n=15", [0, 0.5, -1.5, 2.5, 0, 3.5, -4.5, 5.5, 6.5, 0, 7.5, -8.5,
                                   9.5, 10.5, 11.5], None),
        ("asymptotic binary differences", [b - a for a, b in zip(binary_values(46, 40, 0.5),
                                                                 binary_values(47, 40, 0.7))],
         None),
        ("permutation all differences equal", [0.3] * 9, None),
        ("permutation p = 1 (symmetric with ties)", [-1, 1, -2, 2, -3, 3, 0], None),
        ("permutation ties n=4", [1, 1, 1, -1], None),
        ("permutation zeros and ties n=13", [0, 0, 1, 1, 2, -2, 3, 3, 3, -4, 5, 5, 6], None),
        ("asymptotic ties n=14", [1, 1, 2, -2, 3, 3, 3, -4, 5, 5, 6, 7, 7, 8], None),
        ("asymptotic n=500", normalish_values(48, 500, 0.05, 1), None),
        ("asymptotic n=500 all positive (p near 0)", uniform_values(49, 500, 0.01, 1), None),
        ("asymptotic negative with ties n=60",
         [round(v, 1) for v in normalish_values(50, 60, -0.2, 1)], None),
        ("all zeros", [0, 0, 0], None),
        ("identical x and y", [0.5, 0.25, 1.0], [0.5, 0.25, 1.0]),
        ("empty", [], None),
    ] + wilcoxon_series()
    out = []
    for name, x, y in cases:
        method, expected, scipy_p = wilcoxon_reference(x, y)
        case = {"name": name, "x": x, "scipyMethod": method, "scipyPValue": scipy_p,
                "expected": expected}
        if y is not None:
            case["y"] = y
        out.append(case)
    return out


def mcnemar_cases():
    pairs = [(0, 0), (1, 0), (0, 1), (5, 5), (7, 8), (3, 12), (12, 3), (0, 25), (50, 52),
             (100, 140), (1000, 1100), (5000, 5300), (0, 1000)]
    return [{"b": b, "c": c,
             "expected": {"b": b, "c": c,
                          "pValue": f(min(1.0, 2 * stats.binom.cdf(min(b, c), b + c, 0.5)))}}
            for b, c in pairs]


def holm_textbook(ps):
    """Holm (1979) by its definition: adj p_(i) = min(1, max_{j<=i} (m - j + 1) p_(j))."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: (ps[i], i))
    adjusted = [0.0] * m
    for rank, index in enumerate(order):
        candidates = [(m - j) * ps[order[j]] for j in range(rank + 1)]
        adjusted[index] = min(1.0, max(candidates))
    return adjusted


def adjust_cases():
    rng = Xoshiro128(61)
    random_ps = [rng.next_float() ** 3 for _ in range(50)]
    sets = [
        ("empty", []),
        ("single", [0.03]),
        ("scipy docs example", [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
                                0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]),
        ("unsorted with ties", [0.04, 0.01, 0.04, 0.2, 0.01, 0.5]),
        ("zeros and ones", [0, 1, 0.5, 0, 1]),
        ("all ones", [1, 1, 1]),
        ("tiny p-values", [1e-300, 1e-50, 1e-10, 0.049]),
        ("random m=50", random_ps),
    ]
    holm = [{"name": n, "pValues": ps, "expected": holm_textbook(ps)} for n, ps in sets]
    bh = [{"name": n, "pValues": ps,
           "expected": [f(v) for v in np.atleast_1d(
               stats.false_discovery_control(np.array(ps, dtype=float), method="bh"))]}
          for n, ps in sets]
    return holm, bh


def paired_cases():
    cases = [
        ("binary n=40", binary_values(71, 40, 0.55), binary_values(72, 40, 0.7), 1, 2000, 0.95),
        ("binary identical", [1, 0, 1, 1, 0], [1, 0, 1, 1, 0], 2, 500, 0.95),
        ("continuous n=30", normalish_values(73, 30, 0.5, 0.3), normalish_values(74, 30, 0.6, 0.3),
         3, 2000, 0.95),
        ("n=1", [0.25], [0.75], 4, 200, 0.95),
        ("negative scores, 90%", normalish_values(75, 25, -3, 1), normalish_values(76, 25, -2.5, 1),
         5, 1000, 0.9),
        ("large n=500", normalish_values(77, 500, 0.4, 0.3), normalish_values(78, 500, 0.45, 0.3),
         6, 300, 0.95),
    ]
    out = []
    for name, base, treat, seed, resamples, confidence in cases:
        b = np.array(base, dtype=float)
        t = np.array(treat, dtype=float)
        d = [x - y for x, y in zip(treat, base)]
        method, wilcoxon, _ = wilcoxon_reference(treat, base)
        binary = all(v in (0, 1) for v in base + treat)
        mcnemar = None
        if binary:
            bb = int(np.sum((b == 1) & (t == 0)))
            cc = int(np.sum((b == 0) & (t == 1)))
            mcnemar = {"b": bb, "c": cc,
                       "pValue": f(min(1.0, 2 * stats.binom.cdf(min(bb, cc), bb + cc, 0.5)))}
        ci = bootstrap_reference(d, seed, resamples, confidence)
        out.append({
            "name": name, "baseline": base, "treatment": treat, "seed": seed,
            "resamples": resamples, "confidence": confidence, "scipyMethod": method,
            "expected": {
                "n": len(base), "meanBaseline": f(np.mean(b)), "meanTreatment": f(np.mean(t)),
                "delta": f(np.mean(t - b)),
                "ci": {**ci, "method": "percentile", "confidence": confidence,
                       "resamples": resamples, "seed": seed},
                "wilcoxon": wilcoxon, "mcnemar": mcnemar,
                "wins": int(np.sum(t > b)), "losses": int(np.sum(t < b)),
                "ties": int(np.sum(t == b)),
            },
        })
    return out


def xoshiro_cases():
    out = []
    for seed in [0, 1, 42, -1, 2**53 - 1]:
        rng = Xoshiro128(seed)
        uint32 = [rng.next_uint32() for _ in range(6)]
        rng = Xoshiro128(seed)
        indices = [rng.next_index(7) for _ in range(10)]
        rng = Xoshiro128(seed)
        floats = [rng.next_float() for _ in range(4)]
        out.append({"seed": seed, "uint32": uint32, "index7": indices, "float": floats})
    return out


def main():
    holm, bh = adjust_cases()
    data = {
        "_about": "Generated by scripts/stats_reference.py; do not edit by hand.",
        "_versions": {"python": sys.version.split()[0], "scipy": scipy.__version__,
                      "numpy": np.__version__, "mpmath": mpmath.__version__},
        "special": special_cases(),
        "xoshiro128": xoshiro_cases(),
        "summarize": summarize_cases(),
        "percentile": percentile_cases(),
        "bootstrap": bootstrap_cases(),
        "wilcoxon": wilcoxon_cases(),
        "mcnemar": mcnemar_cases(),
        "holm": holm,
        "benjaminiHochberg": bh,
        "pairedCompare": paired_cases(),
    }
    text = json.dumps(data, sort_keys=True, indent=1, allow_nan=False) + "\n"
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(OUT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
