#!/usr/bin/env python3
"""Format validators: a 2 GB safetensors file and a 2 GB GGUF file validate
without reading tensor data, so time stays flat as the data grows.

    cargo build --release
    python bench/formats.py        # needs numpy, safetensors, gguf
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np

from common import DATA, run


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
        run([path])
        t, rss, rc = min(run([path]) for _ in range(3))
        print(f"{os.path.basename(path):<28} {os.path.getsize(path) / 1e9:>7.2f}GB {t * 1000:>6.0f}ms {rss:>7}MB {rc}")


if __name__ == "__main__":
    main()
