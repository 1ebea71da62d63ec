"""Reference cosines for test/unit/metrics/cosine.test.ts (the table there is this script's output),
from numpy 1.24 (Debian's python3-numpy): dot(a, b) / (norm(a) * norm(b)).

    /usr/bin/python3 test/unit/metrics/reference/cosine.py

Not run by the tests.
"""
import json

import numpy as np

PAIRS = [
    ([1, 0], [0, 1]),
    ([1, 2, 3], [1, 2, 3]),
    ([1, 2, 3], [-1, -2, -3]),
    ([1, 2, 3], [2, 4, 6]),
    ([1, 2, 3], [4, 5, 6]),
    ([0.1, -0.3, 0.5, 0.7], [0.2, -0.1, 0.4, -0.6]),
    ([3, -4], [4, 3]),
    ([1e-200, 2e-200], [3e-200, 1e-200]),
    ([1e200, 2e200], [3e200, 1e200]),
]

for a, b in PAIRS:
    a64, b64 = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    with np.errstate(all='ignore'):
        naive = float(np.dot(a64, b64) / (np.linalg.norm(a64) * np.linalg.norm(b64)))
    if np.isfinite(naive):
        print(json.dumps([a, b, naive]) + ',')
        continue
    # The dot product of huge or tiny vectors over- or underflows (numpy gives nan); scaling both
    # vectors by their largest component first gives the true cosine.
    scaled_a, scaled_b = a64 / np.max(np.abs(a64)), b64 / np.max(np.abs(b64))
    scaled = float(np.dot(scaled_a, scaled_b) / (np.linalg.norm(scaled_a) * np.linalg.norm(scaled_b)))
    print(json.dumps([a, b, scaled]).replace('e+', 'e') + ', // numpy unscaled: %r' % naive)
