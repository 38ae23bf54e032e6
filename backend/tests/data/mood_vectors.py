"""Makes mood_vectors.json: fixed samples and what scipy.stats.median_test says of them.

The Rust test of Mood's median test (backend/src/reports/mood.rs) compares against these numbers.
Run with scipy installed: python3 mood_vectors.py > mood_vectors.json
"""
import json

import numpy as np
from scipy.stats import median_test

rng = np.random.default_rng(20261122)


def rounded(values):
    return [round(float(v), 3) for v in values]


samples = [
    # Same distribution.
    (rng.lognormal(3.0, 0.5, 200), rng.lognormal(3.0, 0.5, 200)),
    # A 2x latency regression.
    (rng.lognormal(3.0 + np.log(2), 0.5, 150), rng.lognormal(3.0, 0.5, 150)),
    # A slight shift on small samples.
    (rng.normal(105, 20, 40), rng.normal(100, 20, 35)),
    # Unequal sizes.
    (rng.exponential(30, 500), rng.exponential(25, 90)),
    # Many ties at the pooled median (integers).
    (rng.integers(1, 6, 60), rng.integers(1, 6, 80)),
    # Tiny samples.
    ([1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 6.0, 7.0, 8.0]),
    # Faster comparison set.
    (rng.lognormal(2.5, 0.4, 300), rng.lognormal(3.0, 0.4, 300)),
]

vectors = []
for a, b in samples:
    a, b = rounded(a), rounded(b)
    statistic, p_value, grand_median, table = median_test(a, b)
    vectors.append(
        {
            "a": a,
            "b": b,
            "statistic": float(statistic),
            "p_value": float(p_value),
            "grand_median": float(grand_median),
            "table": [[int(x) for x in row] for row in table],
        }
    )
print(json.dumps(vectors))
