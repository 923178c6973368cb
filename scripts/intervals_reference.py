#!/usr/bin/env python3
"""Reference numbers for the bounded intervals, clustered standard errors and power analysis of
src/results/stats (themis), written to test/fixtures/intervals_reference.json.

Run from the repository root:  python3 scripts/intervals_reference.py
Deterministic: inputs are literals or come from the xoshiro128** generator of
scripts/stats_reference.py; the JSON is written with sorted keys. Needs statsmodels, scipy,
numpy and mpmath (pip install statsmodels).

Each section names the statsmodels call that produced its numbers, plus a 40-digit mpmath value
("truth") where statsmodels itself is only as accurate as a root finder.
"""

import json
import math
import os
import sys
import warnings

import mpmath
import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stats_reference import Xoshiro128, f, normalish_values, binary_values  # noqa: E402

mpmath.mp.dps = 40
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures",
                   "intervals_reference.json")


# --- proportions ---

def mp_wilson(c, n, confidence):
    alpha = 1 - mpmath.mpf(confidence)
    z = -mpmath.sqrt(2) * mpmath.erfinv(alpha - 1)  # Φ⁻¹(1 − α/2)
    z2 = z * z
    centre = (2 * c + z2) / (2 * (n + z2))
    half = z * mpmath.sqrt(z2 + 4 * mpmath.mpf(c) * (n - c) / n) / (2 * (n + z2))
    return max(centre - half, 0), min(centre + half, 1)


def mp_binomial_upper_tail(c, n, x):
    """P(X >= c) for X ~ Binomial(n, x), which is I_x(c, n - c + 1): the shorter side summed
    from its largest term outwards with exact term ratios (mpmath's betainc does not converge
    for shape parameters near 1e5)."""
    q = 1 - x
    upper = c > n * x
    k = c if upper else c - 1
    term = mpmath.binomial(n, k) * x**k * q**(n - k)
    total = term
    while True:
        if upper:
            if k == n:
                break
            term *= (n - k) * x / ((k + 1) * q)
            k += 1
        else:
            if k == 0:
                break
            term *= k * q / ((n - k + 1) * x)
            k -= 1
        total += term
        if term < total * mpmath.mpf(10) ** -45:
            break
    return total if upper else 1 - total


def mp_beta_quantile(p, c, n, start):
    """The p-quantile of Beta(c, n - c + 1) (integer c >= 1), by the secant method from a start
    near the root."""
    g = lambda x: mp_binomial_upper_tail(c, n, x) - p
    bracket = (mpmath.mpf(start) * (1 - mpmath.mpf(10) ** -6),
               mpmath.mpf(start) * (1 + mpmath.mpf(10) ** -6))
    assert g(bracket[0]) < 0 < g(bracket[1]), (c, n, start)
    root = mpmath.findroot(g, bracket, solver="illinois", verify=False)
    assert abs(g(root)) <= p * mpmath.mpf(10) ** -30, (c, n, g(root))
    return root


def mp_clopper_pearson(c, n, confidence, guess):
    tail = (1 - mpmath.mpf(confidence)) / 2
    low = 0 if c == 0 else mp_beta_quantile(tail, c, n, guess[0])
    high = 1 if c == n else 1 - mp_beta_quantile(tail, n - c, n, 1 - guess[1])
    return low, high


def proportion_cases():
    counts = [(0, 1), (1, 1), (0, 4), (3, 4), (6, 10), (0, 10), (10, 10), (2, 10), (7, 23),
              (1, 1000), (999, 1000), (500, 1000), (3, 100000), (50000, 100000),
              (99990, 100000), (0, 100000)]
    out = []
    for confidence in [0.95, 0.9, 0.99, 0.5]:
        alpha = 1 - confidence  # exactly what themis computes from the confidence
        for c, n in counts:
            wilson = [float(v) for v in proportion_confint(c, n, alpha=alpha, method="wilson")]
            beta = [float(v) for v in proportion_confint(c, n, alpha=alpha, method="beta")]
            w_truth = [float(v) for v in mp_wilson(c, n, confidence)]
            b_truth = [float(v) for v in mp_clopper_pearson(c, n, confidence, beta)]
            for got, want in zip(beta, b_truth):
                # SciPy's beta.ppf is trusted only where it agrees with mpmath.
                assert want == 0 or abs(got - want) <= 1e-12 * abs(want), (c, n, got, want)
            out.append({"successes": c, "trials": n, "confidence": confidence,
                        "wilson": wilson, "wilsonTruth": w_truth,
                        "clopperPearson": beta, "clopperPearsonTruth": b_truth})
    return out


# --- clustered standard errors ---

def statsmodels_cluster(values, clusters, confidence):
    y = np.array(values, dtype=float)
    x = np.ones((len(y), 1))
    groups = np.unique(np.array([str(c) for c in clusters]), return_inverse=True)[1]
    res = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    low, high = res.conf_int(alpha=1 - confidence)[0]
    return {"mean": f(res.params[0]), "se": f(res.bse[0]), "low": f(low), "high": f(high),
            "df": int(res.df_resid_inference)}


def cluster_labels(seed, n, groups):
    rng = Xoshiro128(seed)
    return [f"c{rng.next_index(groups)}" for _ in range(n)]


def clustered_cases():
    def passage_scores(seed, n_passages, per_passage):
        rng = Xoshiro128(seed)
        values, labels = [], []
        for g in range(n_passages):
            difficulty = rng.next_float()
            for _ in range(per_passage):
                values.append(1 if rng.next_float() < difficulty else 0)
                labels.append(g)
        return values, labels

    passages_v, passages_c = passage_scores(81, 30, 4)
    uneven_v = normalish_values(82, 57, 0.6, 0.3)
    cases = [
        ("two clusters", [1, 1, 0, 0], ["p1", "p1", "p2", "p2"], 0.95),
        ("every item its own cluster", [0.2, 0.9, 0.4, 0.7, 0.5], [1, 2, 3, 4, 5], 0.95),
        ("binary, 30 passages of 4", passages_v, passages_c, 0.95),
        ("continuous, uneven clusters", uneven_v, cluster_labels(83, 57, 9), 0.9),
        ("binary n=200, 12 clusters", binary_values(84, 200, 0.7), cluster_labels(85, 200, 12),
         0.99),
        ("three clusters", [0.5, 0.25, 1.0, 0.75, 0.0, 0.5], ["a", "b", "c", "a", "b", "c"],
         0.95),
    ]
    means = [{"name": name, "values": values, "clusters": clusters, "confidence": confidence,
              "expected": statsmodels_cluster(values, clusters, confidence)}
             for name, values, clusters, confidence in cases]
    base = binary_values(86, 120, 0.55)
    treat = binary_values(87, 120, 0.65)
    labels = cluster_labels(88, 120, 15)
    cont_base = normalish_values(89, 40, 0.5, 0.2)
    cont_treat = normalish_values(90, 40, 0.55, 0.2)
    cont_labels = [i // 5 for i in range(40)]
    paired = []
    for name, b, t, c in [("binary n=120, 15 clusters", base, treat, labels),
                          ("continuous n=40, 8 clusters of 5", cont_base, cont_treat,
                           cont_labels)]:
        d = [tv - bv for bv, tv in zip(b, t)]
        paired.append({"name": name, "baseline": b, "treatment": t, "clusters": c,
                       "confidence": 0.95, "expected": statsmodels_cluster(d, c, 0.95)})
    return means, paired


# --- power ---

def mp_noncentrality(alpha, power):
    z = -mpmath.sqrt(2) * mpmath.erfinv(mpmath.mpf(alpha) - 1)
    g = lambda lam: mpmath.ncdf(lam - z) + mpmath.ncdf(-lam - z) - mpmath.mpf(power)
    return mpmath.findroot(g, z + mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(power) - 1))


def power_cases():
    analysis = NormalIndPower()
    settings = [(0.05, 0.8), (0.05, 0.9), (0.01, 0.8), (0.1, 0.5), (0.05, 0.99)]
    noncentrality = []
    for alpha, power in settings:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solved = analysis.solve_power(effect_size=None, nobs1=1, alpha=alpha, power=power,
                                          ratio=0)
        noncentrality.append({"alpha": alpha, "power": power,
                              "truth": float(mp_noncentrality(alpha, power)),
                              "statsmodelsSolvePower": float(solved)})
    # Paired: differences with sd on n items. Unpaired: two arms of n items, sds s1 = s2 = s.
    designs = [(0.5, 400), (0.3, 50), (1.2, 12), (0.05, 10000), (0.45, 1)]
    mde = []
    for alpha, power in settings:
        for sd, n in designs:
            mde.append({"alpha": alpha, "power": power, "sd": sd, "n": n,
                        # statsmodels' power of the paired test (ratio=0) and of two equal arms
                        # (ratio=1) at an effect of 1 SE: the tests feed themis' MDE back in.
                        "pairedPowerAt": "NormalIndPower().power(mde/sd, n, alpha, ratio=0)",
                        "truthPaired": float(mp_noncentrality(alpha, power) * sd / mpmath.sqrt(n)),
                        "truthUnpaired": float(mp_noncentrality(alpha, power) * sd *
                                               mpmath.sqrt(mpmath.mpf(2) / n))})
    items = []
    for alpha, power in settings:
        for delta, sd in [(0.03, 0.5), (0.1, 0.45), (0.01, 0.3), (0.2, 1.0), (0.5, 0.8)]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                n = analysis.solve_power(effect_size=delta / sd, nobs1=None, alpha=alpha,
                                         power=power, ratio=0)
            truth = (mp_noncentrality(alpha, power) * sd / delta) ** 2
            items.append({"alpha": alpha, "power": power, "delta": delta, "sd": sd,
                          "statsmodelsSolvePower": float(n), "truth": float(truth),
                          "items": int(mpmath.ceil(truth))})
    return {"noncentrality": noncentrality, "mde": mde, "items": items}


def forward_power(cases):
    """statsmodels' closed-form power at themis-style MDEs computed from the truth: the tests
    compare themis' MDE against these through the same formula."""
    analysis = NormalIndPower()
    for case in cases["mde"]:
        case["statsmodelsPowerAtTruth"] = {
            "paired": float(analysis.power(effect_size=case["truthPaired"] / case["sd"],
                                           nobs1=case["n"], alpha=case["alpha"], ratio=0)),
            "unpaired": float(analysis.power(effect_size=case["truthUnpaired"] / case["sd"],
                                             nobs1=case["n"], alpha=case["alpha"], ratio=1)),
        }
        del case["pairedPowerAt"]
        for achieved in case["statsmodelsPowerAtTruth"].values():
            # The truth is the root of statsmodels' own power equation.
            assert abs(achieved - case["power"]) <= 1e-12 * case["power"], (case, achieved)
    return cases


# --- McNemar, second reference ---

def mcnemar_cases():
    """statsmodels' exact McNemar test on the 2x2 table [[a, b], [c, d]]: only the discordant
    counts b and c matter (a and d are arbitrary here), b = c = 0 gives p = 1."""
    pairs = [(0, 0), (1, 0), (0, 1), (1, 1), (5, 5), (7, 8), (3, 12), (12, 3), (0, 25),
             (50, 52), (100, 140), (1000, 1100), (0, 1000), (2, 9)]
    return [{"b": b, "c": c,
             "pValue": float(mcnemar([[7, b], [c, 11]], exact=True).pvalue)}
            for b, c in pairs]


def main():
    means, paired = clustered_cases()
    data = {
        "_about": "Generated by scripts/intervals_reference.py; do not edit by hand.",
        "_calls": {
            "wilson": "statsmodels.stats.proportion.proportion_confint(c, n, alpha=1-confidence,"
                      " method='wilson')",
            "clopperPearson": "proportion_confint(c, n, alpha=1-confidence, method='beta')",
            "clustered": "sm.OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': g},"
                         " use_t=True): params[0], bse[0], conf_int(alpha)[0],"
                         " df_resid_inference",
            "mcnemarStatsmodels": "statsmodels.stats.contingency_tables.mcnemar([[7, b], [c, 11]],"
                                  " exact=True).pvalue",
            "power": "statsmodels.stats.power.NormalIndPower (normal_power, two-sided, both"
                     " tails); truth = 40-digit mpmath root of Φ(λ−z)+Φ(−λ−z) = power",
        },
        "_versions": {"python": sys.version.split()[0], "scipy": scipy.__version__,
                      "numpy": np.__version__, "mpmath": mpmath.__version__,
                      "statsmodels": statsmodels.__version__},
        "proportions": proportion_cases(),
        "clusteredMean": means,
        "clusteredPairedDifference": paired,
        "power": forward_power(power_cases()),
        "mcnemarStatsmodels": mcnemar_cases(),
    }
    text = json.dumps(data, sort_keys=True, indent=1, allow_nan=False) + "\n"
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(OUT)} ({len(text)} bytes)")


if __name__ == "__main__":
    main()
