#!/usr/bin/env python3
"""Format validators: a 2 GB safetensors file and a 2 GB GGUF file validate
without reading tensor data, so time stays flat as the data grows.

    cargo build --release
    python bench/formats.py        # needs numpy, safetensors, gguf
"""
import os
import re
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
LOADGUARD = os.path.join(HERE, "..", "target", "release", "loadguard")


def run(path):
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", LOADGUARD, "scan", "--quiet", "--color", "never", path],
                         capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return elapsed, int(rss.group(1)) // 1024 if rss else -1, out.returncode


def main():
    from safetensors.numpy import save_file
    import gguf

    os.makedirs(DATA, exist_ok=True)
    files = []
    for label, n in (("16MB", 1 << 22), ("2GB", 1 << 29)):
        st = os.path.join(DATA, f"weights_{label}.safetensors")
        if not os.path.exists(st):
            save_file({"w": np.ones(n, dtype=np.float32), "b": np.zeros(8, dtype=np.float32)}, st)
        files.append(st)
        gg = os.path.join(DATA, f"model_{label}.gguf")
        if not os.path.exists(gg):
            w = gguf.GGUFWriter(gg, arch="llama")
            w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
            w.add_tensor("w", np.ones(n, dtype=np.float32))
            w.write_header_to_file()
            w.write_kv_data_to_file()
            w.write_tensors_to_file()
            w.close()
        files.append(gg)
    print(f"{'input':<28} {'size':>9} {'time':>8} {'peak RSS':>9} exit")
    for path in files:
        run(path)
        t, rss, rc = min(run(path) for _ in range(3))
        print(f"{os.path.basename(path):<28} {os.path.getsize(path) / 1e9:>7.2f}GB {t * 1000:>6.0f}ms {rss:>7}MB {rc}")


if __name__ == "__main__":
    main()
