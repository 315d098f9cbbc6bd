#!/usr/bin/env python3
"""loadguard next to picklescan on the same files, in one run.

    cargo build --release
    python -m pip install picklescan      # in a venv
    python bench/compare.py

Writes bench/data/ (ignored by git): an opcode-dense pickle of 1M small
records and a bytes-heavy pickle, then times `picklescan --path FILE` and
`loadguard scan FILE` (best of 3 wall-clock runs each, one process per run,
so start-up is included for both). loadguard is single-threaded on one file.
"""
import os
import pickle
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
LOADGUARD = os.path.join(HERE, "..", "target", "release", "loadguard")


def files():
    os.makedirs(DATA, exist_ok=True)
    dense = os.path.join(DATA, "records_1M.pkl")
    if not os.path.exists(dense):
        rows = [{"id": i, "name": f"n{i}", "score": i / 2} for i in range(1_000_000)]
        with open(dense, "wb") as f:
            pickle.dump(rows, f, protocol=4)
    heavy = os.path.join(DATA, "bytes_256MiB.pkl")
    if not os.path.exists(heavy):
        blobs = [os.urandom(1 << 20) for _ in range(256)]
        with open(heavy, "wb") as f:
            pickle.dump(blobs, f, protocol=4)
    return [dense, heavy]


def best_of(cmd, runs=3):
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - t)
    return best


def main():
    if not os.path.exists(LOADGUARD):
        sys.exit("build first: cargo build --release")
    picklescan = shutil.which("picklescan") or os.path.join(os.path.dirname(sys.executable), "picklescan")
    print(f"{'file':<22} {'size':>9} {'picklescan':>14} {'loadguard':>14} {'speed-up':>9}")
    for path in files():
        size = os.path.getsize(path)
        mb = size / 1e6
        ps = best_of([picklescan, "--path", path]) if os.path.exists(picklescan) else float("nan")
        lg = best_of([LOADGUARD, "scan", "--color", "never", path])
        print(f"{os.path.basename(path):<22} {mb:>7.1f}MB {mb / ps:>9.1f} MB/s {mb / lg:>9.1f} MB/s {ps / lg:>8.0f}x")


if __name__ == "__main__":
    main()
