#!/usr/bin/env python3
"""Detection cost: the pickle probe that every file now goes through, the
fail-closed fallback (embedded-import search) on bytes no format claims, and
the formats whose speed must not change. Compares two builds in one run.

    cargo build --release
    LOADGUARD_BASE=/path/to/older/loadguard python bench/detect.py   # needs numpy, safetensors, gguf

Best of 5 whole-process runs each, warm page cache. Files go to bench/data/.
"""
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np

from common import DATA, LOADGUARD, run


def inputs():
    from safetensors.numpy import save_file
    import gguf

    os.makedirs(DATA, exist_ok=True)
    out = []
    rec = os.path.join(DATA, "records_1M.pkl")
    if not os.path.exists(rec):
        with open(rec, "wb") as f:
            pickle.dump([{"id": i, "name": f"n{i}", "score": i * 0.5} for i in range(1_000_000)], f, protocol=4)
    out.append(("records_1M.pkl", rec))
    st = os.path.join(DATA, "weights_2GB.safetensors")
    if not os.path.exists(st):
        save_file({"w": np.ones(1 << 29, dtype=np.float32)}, st)
    out.append(("safetensors 2 GB", st))
    gg = os.path.join(DATA, "model_2GB.gguf")
    if not os.path.exists(gg):
        w = gguf.GGUFWriter(gg, arch="llama")
        w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
        w.add_tensor("w", np.ones(1 << 29, dtype=np.float32))
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()
    out.append(("gguf 2 GB", gg))
    blob = os.path.join(DATA, "unknown_256MB.bin")
    if not os.path.exists(blob):
        with open(blob, "wb") as f:
            f.write(np.random.RandomState(0).bytes(256 << 20))
    out.append(("unrecognised 256 MB (random)", blob))
    many = os.path.join(DATA, "mixed_4000")
    if not os.path.exists(many):
        os.makedirs(many)
        for i in range(2000):
            with open(os.path.join(many, f"{i}.pkl"), "wb") as f:
                pickle.dump({"step": i, "lr": 0.1, "tags": ["a", "b"]}, f)
            with open(os.path.join(many, f"{i}.txt"), "w") as f:
                f.write(f"notes {i}\nnothing to see here\n" * 20)
    out.append(("folder: 2,000 pickles + 2,000 text files", many))
    return out


def best(path, binary):
    return min((run([path], binary) for _ in range(5)), key=lambda r: r[0])


def main():
    base = os.environ.get("LOADGUARD_BASE")
    print(f"{'input':<42} {'this build':>11} {'RSS':>6}" + (f" {'base':>9} {'RSS':>6}" if base else ""))
    for label, path in inputs():
        t, rss, _ = best(path, LOADGUARD)
        line = f"{label:<42} {t * 1000:>9.0f}ms {rss:>4}MB"
        if base:
            bt, brss, _ = best(path, base)
            line += f" {bt * 1000:>7.0f}ms {brss:>4}MB"
        print(line)


if __name__ == "__main__":
    main()
