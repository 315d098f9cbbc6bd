#!/usr/bin/env python3
"""Container-layer benchmarks: time and peak memory of `loadguard scan`.

    cargo build --release
    python bench/containers.py        # needs torch in the venv

1. One 2 GB `torch.save` zip checkpoint (and a 256 MB one): scan time must
   not grow with tensor bytes, because only the central directory and the
   pickle members are read.
2. A folder of 2,000 small checkpoints: scanned in parallel.
Files go to bench/data/ (ignored by git).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import DATA, run


def main():
    import torch

    os.makedirs(DATA, exist_ok=True)
    sizes = {"ckpt_256MB.pt": 2**26, "ckpt_2GB.pt": 2**29}
    for name, n in sizes.items():
        path = os.path.join(DATA, name)
        if not os.path.exists(path):
            torch.save({"weight": torch.ones(n), "bias": torch.zeros(10)}, path)
    many = os.path.join(DATA, "many")
    if not os.path.isdir(many):
        os.makedirs(many)
        model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        for i in range(2000):
            torch.save(model.state_dict(), os.path.join(many, f"ckpt_{i:04}.pt"))
    print(f"{'input':<28} {'size':>10} {'time':>9} {'peak RSS':>9} exit")
    for name in sizes:
        path = os.path.join(DATA, name)
        # Warm the page cache so disk speed does not decide the result.
        run([path])
        t, rss, rc = min(run([path]) for _ in range(3))
        print(f"{name:<28} {os.path.getsize(path) / 1e9:>8.2f}GB {t * 1000:>7.0f}ms {rss:>7}MB {rc}")
    run([many])
    t, rss, rc = min(run([many]) for _ in range(3))
    total = sum(os.path.getsize(os.path.join(many, f)) for f in os.listdir(many))
    print(f"{'2,000 small checkpoints':<28} {total / 1e6:>8.1f}MB {t * 1000:>7.0f}ms {rss:>7}MB {rc}")


if __name__ == "__main__":
    main()
