#!/usr/bin/env python3
"""The loader oracle for containers: torch.load, joblib.load and numpy.load against loadguard.

Real files are written by torch (zip and legacy formats), joblib (plain and every compressor)
and numpy (.npy and .npz of object arrays), with a probe pickle inside: a call of `os.system`,
`subprocess.Popen` or `builtins.eval`, one probe per pickle a loader might read. Each file is then
mutated the way a container can be bent (duplicate members that differ, renamed members, local
names that differ from central ones, data prepended or appended, other compression, other
magic encodings, a second stream), and loaded by the real loader with a recording `find_class`:
probes resolve to stand-ins that record the name and run nothing; the loader's own classes
(torch storages and rebuild functions, numpy reconstructors) are the real ones so that it gets
as far as it would. loadguard then scans the same file (`loadguard scan --format json`).

A discrepancy is a probe the loader resolved that no loadguard finding names: the loader read
pickle bytes that loadguard did not scan (or scanned differently). Files the loader rejects are
counted, not compared.

    python oracle/container_oracle.py [--rounds 20] [--seed 1] [--keep DIR]

Needs torch, joblib and numpy (the generator's venv); run after `cargo build --release`, or
point LOADGUARD at another build of the binary.
"""

from __future__ import annotations

import _compat_pickle
import argparse
import collections
import io
import json
import os
import pickle
import random
import resource
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import joblib
import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
LOADGUARD = Path(os.environ.get("LOADGUARD", ROOT / "target" / "release" / "loadguard"))
PROBES = [("os", "system"), ("subprocess", "Popen"), ("builtins", "eval")]
# What the probes are pickled as (os.system is posix.system on Linux).
PROBE_NAMES = {("posix", "system"), ("nt", "system"), ("os", "system"), ("subprocess", "Popen"),
               ("builtins", "eval")}
RESOLVED: list[tuple[str, str]] = []


class Probe:
    """A callable that only runs the harmless canary, never its first argument."""

    def __init__(self, func: str, *args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        m, n = self.func.split(":")
        return (getattr(__import__(m, fromlist=[n]), n), self.args)


def probe(i: int) -> Probe:
    m, n = PROBES[i % len(PROBES)]
    arg = "touch /tmp/loadguard-canary" if n != "eval" else "0"
    return Probe(f"{m}:{n}", arg)


class StandIn:
    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        return None


# The loaders' own classes, handed over for real so that the loader gets as far as it would;
# every other name (the probes among them) gets a stand-in that runs nothing.
REAL_MODULES = ("torch", "numpy", "joblib", "collections", "copyreg", "_codecs")


def recording_find_class(real):
    """A `find_class` that records every name (after the Python 2 mapping, as CPython applies
    it) and hands out stand-ins for everything but the loaders' own classes."""

    def find_class(self, module, name):
        module, name = mapped(module, name)
        RESOLVED.append((module, name))
        if module.split(".")[0] in REAL_MODULES:
            return real(self, module, name)
        return StandIn(f"{module}.{name}")

    return find_class


def mapped(module: str, name: str) -> tuple[str, str]:
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class RecordingUnpickler(pickle.Unpickler):
    find_class = recording_find_class(pickle.Unpickler.find_class)


class RecordingPickleModule:
    """What torch.load takes as `pickle_module`."""

    Unpickler = RecordingUnpickler
    __name__ = "pickle"

    dump = staticmethod(pickle.dump)
    dumps = staticmethod(pickle.dumps)

    @staticmethod
    def load(f, **kw):
        return RecordingUnpickler(f, **kw).load()


def load_torch(path: Path):
    return torch.load(path, weights_only=False, pickle_module=RecordingPickleModule)


def load_joblib(path: Path):
    return joblib.load(path)


def load_numpy(path: Path):
    f = np.load(path, allow_pickle=True)
    if isinstance(f, np.lib.npyio.NpzFile):
        with f:
            return [f[k] for k in f.files]
    return f


# joblib and numpy unpickle with their own classes and modules: record through them.
joblib.numpy_pickle.NumpyUnpickler.find_class = recording_find_class(
    pickle._Unpickler.find_class
)
for _module in ("numpy.lib.format", "numpy.lib._format_impl"):
    try:
        __import__(_module, fromlist=["x"]).pickle = RecordingPickleModule
    except ImportError:
        pass


# ---------------------------------------------------------------- originals


def originals(tmp: Path) -> list[tuple[str, Path, object]]:
    out = []
    state = {"w": torch.zeros(2), "probe": probe(0)}
    p = tmp / "zip.pt"
    torch.save(state, p)
    out.append(("torch-zip", p, load_torch))
    p = tmp / "legacy.pt"
    torch.save({"w": torch.zeros(2), "probe": probe(1)}, p, _use_new_zipfile_serialization=False)
    out.append(("torch-legacy", p, load_torch))
    for comp in [None, "zlib", "gzip", "bz2", "lzma", "xz"]:
        p = tmp / f"model.{comp or 'raw'}.joblib"
        joblib.dump({"a": np.arange(3), "probe": probe(2)}, p, compress=(comp, 3) if comp else 0)
        out.append((f"joblib-{comp or 'raw'}", p, load_joblib))
    p = tmp / "obj.npy"
    np.save(p, np.array([probe(0), 1], dtype=object), allow_pickle=True)
    out.append(("npy", p, load_numpy))
    p = tmp / "obj.npz"
    np.savez_compressed(p, a=np.array([probe(1)], dtype=object), b=np.arange(3))
    out.append(("npz", p, load_numpy))
    return out


# ---------------------------------------------------------------- mutations


def zip_members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def rezip(members, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for info, body in members:
            z.writestr(info.filename, body)
    return buf.getvalue()


def pickle_of(i: int) -> bytes:
    return pickle.dumps({"probe": probe(i)}, protocol=2)


def mutations(kind: str, data: bytes, rng: random.Random):
    """(name, bytes) pairs: the ways a container of `kind` can be bent."""
    yield "as-written", data
    yield "appended-junk", data + os.urandom(rng.randrange(1, 64))
    yield "appended-pickle", data + pickle_of(rng.randrange(3))
    yield "prepended", os.urandom(rng.randrange(1, 64)) + data
    if data[:2] == b"PK":
        members = zip_members(data)
        pkls = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".pkl")]
        if pkls:
            i = pkls[0]
            info, _ = members[i]
            dup = list(members)
            dup.insert(i + 1, (info, pickle_of(rng.randrange(3))))
            yield "duplicate-member-second", rezip(dup)
            dup = list(members)
            dup.insert(i, (info, pickle_of(rng.randrange(3))))
            yield "duplicate-member-first", rezip(dup)
            renamed = list(members)
            ri = zipfile.ZipInfo(info.filename.replace("data.pkl", "Data.pkl"))
            renamed[i] = (ri, members[i][1])
            yield "renamed-member", rezip(renamed)
            yield "deflated", rezip(members, zipfile.ZIP_DEFLATED)
            # The local header names another member than the central directory.
            z = rezip(members)
            name = info.filename.encode()
            j = z.find(name)
            if j > 0:
                other = name.replace(b"data.pkl", b"data.pk_")
                yield "local-name-differs", z[:j] + other + z[j + len(name) :]
    if kind.startswith("joblib") or kind == "npy" or kind == "torch-legacy":
        # A second pickle stream right after the first; a different protocol.
        yield "second-stream", data + pickle_of(0)
    if kind == "joblib-raw":
        yield "zlib-wrapped", b"x\x9c" + __import__("zlib").compress(data)[2:]
    if kind == "npy":
        # The header padded differently, and a version 2 header.
        hlen = struct.unpack("<H", data[8:10])[0]
        header = data[10 : 10 + hlen]
        body = data[10 + hlen :]
        h2 = header.rstrip(b"\n").rstrip() + b" " * 64 + b"\n"
        yield "header-v2", b"\x93NUMPY\x02\x00" + struct.pack("<I", len(h2)) + h2 + body


# ---------------------------------------------------------------- comparison


def loadguard_names(path: Path) -> tuple[str, set[str]]:
    out = subprocess.run(
        [str(LOADGUARD), "scan", "--no-config", "--format", "json", str(path)],
        capture_output=True,
        text=True,
    )
    report = json.loads(out.stdout)
    messages = " ".join(f["message"] for f in report["findings"])
    return report["verdict"], set(re.findall(r"`([A-Za-z_][\w.]*)`", messages))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    # A mutated file can make a loader allocate what it likes (joblib.load of a zlib file with
    # a pickle appended asks for tens of GB): a MemoryError, not the OOM killer.
    resource.setrlimit(resource.RLIMIT_DATA, (6 << 30, 6 << 30))
    rng = random.Random(args.seed)
    Path("/tmp/loadguard-canary").unlink(missing_ok=True)
    counts = collections.Counter()
    bad = []
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        bases = originals(tmp)
        for r in range(args.rounds):
            for kind, path, load in bases:
                for name, data in mutations(kind, path.read_bytes(), rng):
                    f = tmp / f"m-{kind}-{name}{path.suffix}"
                    f.write_bytes(data)
                    RESOLVED.clear()
                    if args.verbose:
                        print(kind, name, flush=True)
                    try:
                        load(f)
                        outcome = "loaded"
                    except Exception as e:  # noqa: BLE001
                        outcome = f"raised {type(e).__name__}"
                    resolved = {f"{m}.{n}" for m, n in RESOLVED if (m, n) in PROBE_NAMES}
                    verdict, named = loadguard_names(f)
                    counts[(kind, name, outcome.split(" ")[0])] += 1
                    missed = resolved - named
                    if missed or (resolved and verdict == "safe"):
                        bad.append((kind, name, outcome, sorted(missed), verdict))
                        if args.keep:
                            args.keep.mkdir(parents=True, exist_ok=True)
                            (args.keep / f.name).write_bytes(data)
                    f.unlink()
    if Path("/tmp/loadguard-canary").exists():
        print("a loader ran a probe for real: a recording hook is missing")
        return 2
    total = sum(counts.values())
    print(f"{total} files; {len(bad)} where the loader resolved a probe that loadguard missed")
    for (kind, name, outcome), n in sorted(counts.items()):
        print(f"  {kind:14} {name:24} {outcome:7} {n}")
    for b in bad[:20]:
        print("MISSED", b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
