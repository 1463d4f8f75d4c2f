"""Benchmark: parse 1,000,000 figure strings drawn from the supported forms, with repetition.

Target: under 1 second on the project's machine (2 cores). The fast path parses each distinct
phrase once (`parse_figures`); the baseline is a plain per-string loop over the uncached parser,
timed on a sample and scaled to the full size. Run: python benchmarks/normalise.py [N]
"""

from __future__ import annotations

import random
import sys
import time

from dprk_ru_data.normalise.figures import clear_caches, parse_figure, parse_figures

FORMS = ["{n:,}", "about {n:,}", "up to {n:,}", "over {n:,}", "{n:,}+", "{a:,} to {n:,}",
         "between {a:,} and {n:,}", "several thousand", "dozens", "about half", "less than 1%",
         "{k}k", "{m} million", "an estimated {n}", "tens of thousands", "a few", "hundreds"]


def phrases(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pool = []
    for _ in range(5_000):
        n = rng.randrange(1, 100_000)
        pool.append(rng.choice(FORMS).format(n=n, a=rng.randrange(0, n + 1), k=rng.randrange(1, 99),
                                             m=rng.randrange(1, 9)))
    return [rng.choice(pool) for _ in range(count)]


def main(size: int = 1_000_000) -> int:
    texts = phrases(size)
    clear_caches()
    start = time.perf_counter()
    figures = parse_figures(texts)
    fast = time.perf_counter() - start
    assert len(figures) == size

    sample = texts[:20_000]
    start = time.perf_counter()
    for text in sample:
        clear_caches()  # every call parses from scratch
        parse_figure(text)
    plain = (time.perf_counter() - start) * size / len(sample)

    target = 1.0
    print(f"figures parsed:            {size:,}")
    print(f"parse_figures (distinct):  {fast:.3f} s   target < {target:.1f} s   "
          f"{'met' if fast < target else 'NOT MET'}")
    print(f"plain per-string loop:     {plain:.3f} s   (timed on {len(sample):,}, scaled)")
    print(f"ratio plain / fast:        {plain / fast:.1f}x")
    return 0 if fast < target else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
