"""Weighted choice with the cumulative weights worked out once.

random.Random.choices rebuilds them on every call, which dominated generation time.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate


class Weighted:
    __slots__ = ("items", "_cum", "_total")

    def __init__(self, pairs):
        """pairs: (item, weight), ... ; zero weights are never picked."""
        self.items = tuple(item for item, _ in pairs)
        self._cum = tuple(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect_right(self._cum, rng.random() * self._total)]
