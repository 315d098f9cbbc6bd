#!/usr/bin/env python3
"""Per-file overhead at hub scale, loadguard next to picklescan in one run.

    cargo build --release
    python -m pip install picklescan torch numpy safetensors   # in a venv
    python bench/throughput.py [--files 100000]

Writes bench/data/ (ignored by git):
- `ckpt_200k.pt`: a real `torch.save` checkpoint with 200,000 tensors (a
  zip of 200,000 storages and a pickle of 200,000 persistent ids);
- `mixed_100k/`: 100,000 small mixed artifacts in 1,000 folders (pickles,
  torch checkpoints, .npy, safetensors, config JSON, model cards, text).

Times whole processes (best of 3, start-up included) and reads the peak
resident set size of each run from getrusage. loadguard uses every core of
the machine; picklescan is single-threaded.
"""
import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
LOADGUARD = os.path.join(HERE, "..", "target", "release", "loadguard")


def checkpoint():
    path = os.path.join(DATA, "ckpt_200k.pt")
    if not os.path.exists(path):
        import torch

        state = {f"layer.{i}.weight": torch.full((2,), float(i)) for i in range(200_000)}
        torch.save(state, path)
    return path


def mixed(n):
    root = os.path.join(DATA, f"repos_{n // 1000}k")
    if os.path.exists(root):
        return root
    import numpy as np
    import torch

    tmp = root + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    # One of each kind, written by the real libraries, then copied.
    kinds = {}
    d = os.path.join(tmp, "_kinds")
    os.makedirs(d)
    with open(os.path.join(d, "data.pkl"), "wb") as f:
        pickle.dump({"ids": list(range(50)), "name": "x", "scores": [0.5] * 20}, f)
    torch.save({"w": torch.ones(4, 4), "b": torch.zeros(4)}, os.path.join(d, "model.pt"))
    np.save(os.path.join(d, "arr.npy"), np.arange(64, dtype=np.float32))
    try:
        from safetensors.numpy import save_file

        save_file({"w": np.ones((4, 4), dtype=np.float32)}, os.path.join(d, "model.safetensors"))
    except ImportError:
        pass
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump({"architectures": ["BertModel"], "hidden_size": 64, "num_layers": 2}, f)
    with open(os.path.join(d, "README.md"), "w") as f:
        f.write("---\nlicense: apache-2.0\n---\n# A model\n\nTrained on public data. Use it for classification.\n")
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("training notes\n" * 20)
    kinds = sorted(os.listdir(d))
    # One "repository" per set of kinds, under names the libraries use.
    for i in range(n):
        folder = os.path.join(tmp, f"org-{i // 7000:02d}", f"repo-{i // len(kinds):05d}")
        os.makedirs(folder, exist_ok=True)
        k = kinds[i % len(kinds)]
        shutil.copyfile(os.path.join(d, k), os.path.join(folder, k))
    shutil.rmtree(d)
    os.rename(tmp, root)
    return root


def run(cmd, runs=3):
    """(best wall-clock seconds, largest peak RSS in MB of the runs), each
    run's own rusage from wait4."""
    best, rss = float("inf"), 0.0
    for _ in range(runs):
        t = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 0
        best = min(best, time.perf_counter() - t)
        rss = max(rss, usage.ru_maxrss / 1024)
    return best, rss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--files", type=int, default=100_000)
    p.add_argument("--skip-picklescan-folder", action="store_true")
    args = p.parse_args()
    if not os.path.exists(LOADGUARD):
        sys.exit("build first: cargo build --release")
    os.makedirs(DATA, exist_ok=True)
    picklescan = shutil.which("picklescan") or os.path.join(os.path.dirname(sys.executable), "picklescan")
    have_ps = os.path.exists(picklescan)
    ck = checkpoint()
    folder = mixed(args.files)
    rows = []
    lg, lg_rss = run([LOADGUARD, "scan", "--no-config", "--color", "never", ck])
    ps = run([picklescan, "--path", ck])[0] if have_ps else float("nan")
    rows.append(("checkpoint, 200,000 tensors", os.path.getsize(ck) / 1e6, lg, lg_rss, ps))
    lg, lg_rss = run([LOADGUARD, "scan", "--no-config", "--quiet", "--color", "never", folder])
    if have_ps and not args.skip_picklescan_folder:
        ps = run([picklescan, "--path", folder], runs=1)[0]
    else:
        ps = float("nan")
    rows.append((f"folder, {args.files:,} small mixed files", 0, lg, lg_rss, ps))
    print(f"{'input':<36} {'loadguard':>10} {'files/s':>10} {'peak RSS':>9} {'picklescan':>11}")
    for name, _mb, t, rss, ps_t in rows:
        rate = f"{args.files / t:,.0f}" if "folder" in name else ""
        print(f"{name:<36} {t:>9.3f}s {rate:>10} {rss:>7.0f}MB {ps_t:>10.2f}s")


if __name__ == "__main__":
    main()
