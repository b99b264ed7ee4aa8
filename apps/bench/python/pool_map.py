"""The article's approach, for comparison: multiprocessing.Pool(n).map(factorial, inputs).

Usage: python3 pool_map.py INPUTS_FILE WORKERS SAMPLES
       python3 pool_map.py INPUTS_FILE WORKERS -

Reads the bench's inputs (one integer per line, written from the same seed), warms the pool
up, then times SAMPLES calls of pool.map. Prints one JSON line per sample on stdout:
{"sample": k, "seconds": s, "checksum": c}, with the bench's checksum of the results.
With "-" for SAMPLES it prints {"ready": true} once warmed up, then takes one sample per
"sample" line on stdin (the bench interleaves cases) until stdin closes.
"""
import json
import sys
import time
from multiprocessing import Pool


def factorial(n):
    """The article's recursive factorial (exact: Python ints are big)."""
    return 1 if n <= 1 else n * factorial(n - 1)


def checksum(results):
    """The bench's checksum (see checksum.ts): a polynomial hash mod 2^61 - 1, in base 36."""
    modulus, base, value = (1 << 61) - 1, 1_000_003, 0
    for r in results:
        value = (value * base + r % modulus) % modulus
    digits, text = "0123456789abcdefghijklmnopqrstuvwxyz", ""
    while value > 0:
        value, d = divmod(value, 36)
        text = digits[d] + text
    return f"{len(results)}:{text or '0'}"


def main():
    path, workers, samples = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path) as f:
        inputs = [int(line) for line in f if line.strip()]
    with Pool(workers) as pool:
        pool.map(factorial, inputs[:2000])  # start and warm every worker, like the Node cases

        def sample(k):
            t0 = time.perf_counter()
            results = pool.map(factorial, inputs)
            seconds = time.perf_counter() - t0
            print(json.dumps({"sample": k, "seconds": seconds, "checksum": checksum(results)}), flush=True)

        if samples != "-":
            for k in range(int(samples)):
                sample(k)
            return
        print(json.dumps({"ready": True}), flush=True)
        for k, line in enumerate(sys.stdin):
            if line.strip() == "sample":
                sample(k)


if __name__ == "__main__":
    main()
