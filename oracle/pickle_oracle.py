#!/usr/bin/env python3
"""The loader oracle for pickles: CPython's own unpickler against loadguard's engine.

Every stream is loaded by CPython's C unpickler (`pickle.Unpickler`) from a BytesIO and from a
buffered file, and by the pure-Python unpickler (joblib's), each with a `find_class` and
`persistent_load` that return recording stand-ins: nothing is imported and nothing real is called,
but every global the loader would resolve, and every call it would make (REDUCE, INST, OBJ,
NEWOBJ, NEWOBJ_EX on a resolved class; calls of call results), is recorded. The same bytes go
through loadguard's pickle engine (`cargo run --release -p loadguard-pickle --example oracle`),
which reports, per stream, the globals it named and how often each was called.

A discrepancy is one of:
  missed-global   CPython resolved (module, name) and loadguard did not name it (nor report the
                  EXT code or computed name it came from);
  missed-call     CPython called a global and loadguard has it never called;
  missed-dynamic  CPython called the result of a call and loadguard reports no dynamic call;
  false-malformed CPython loaded a stream whole and loadguard calls it malformed or ends it
                  elsewhere.

Streams come from the fixtures, from mutation of the fixtures and of generated streams, and from
a grammar that composes opcodes the way picklers and attackers do (protocols 0-5, frames, memo,
marks, nested calls, BUILD, getattr chains, EXT codes, persistent ids, several streams).

    python oracle/pickle_oracle.py --streams 1000000 --seed 1 [--save DIR]

Run with any Python 3.9+; no third-party package is needed. Discrepancies are printed by kind
with examples; --save writes each distinct example (by kind and first missed name) to DIR.
"""

from __future__ import annotations

import _compat_pickle
import argparse
import collections
import copyreg
import io
import json
import os
import pickle
import random
import resource
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- the recording unpickler


class Record:
    def __init__(self) -> None:
        self.resolved: list[tuple[str, str]] = []
        self.called: list[tuple[str, str]] = []
        self.dynamic_calls = 0


REC = Record()


class Result:
    """What a stand-in call returns: accepts whatever the unpickler does with an object."""

    __slots__ = ("__dict__",)

    def __call__(self, *args, **kwargs):
        REC.dynamic_calls += 1
        return Result()

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Result()

    def append(self, item):
        pass

    def extend(self, items):
        pass

    # The unpickler's own uses of an object, like append and extend above: ADDITEMS on what is
    # not a set calls `add`; BUILD in the pure-Python unpickler iterates a state that is not a
    # dict with `items()` (the C one refuses it); NEWOBJ_EX unpacks keyword arguments that are
    # not a dict with `keys()` (`**kwargs`). Not calls the stream makes.
    def add(self, item):
        pass

    def items(self):
        return []

    def keys(self):
        return []


class StandInMeta(type):
    def __call__(cls, *args, **kwargs):
        REC.called.append(cls._lg_name)
        return Result()

    def __setattr__(cls, name, value):
        # BUILD with slot state on a class: a global mutation; recorded as nothing called.
        pass


def stand_in(module: str, name: str):
    def __new__(cls, *args, **kwargs):  # NEWOBJ, NEWOBJ_EX, INST/OBJ without arguments
        REC.called.append(cls._lg_name)
        return Result()

    return StandInMeta(
        "StandIn", (), {"_lg_name": (module, name), "__new__": __new__, "__slots__": ()}
    )


class Recording:
    def find_class(self, module, name):
        REC.resolved.append((module, name))
        return stand_in(module, name)

    def persistent_load(self, pid):
        return Result()


class RecordingUnpickler(Recording, pickle.Unpickler):
    """The C unpickler: `pickle.load`, `torch.load`, `numpy.load`."""


class RecordingPyUnpickler(Recording, pickle._Unpickler):
    """The pure-Python unpickler, which joblib's NumpyUnpickler subclasses."""


# The readers whose views differ: the C unpickler on a BytesIO (it reads frames whole), on a
# buffered file (its look-ahead runs on past a frame's end), and the Python unpickler.
READERS = {
    "c-bytesio": (RecordingUnpickler, io.BytesIO),
    "c-file": (RecordingUnpickler, lambda d: io.BufferedReader(io.BytesIO(d))),
    "python": (RecordingPyUnpickler, io.BytesIO),
}


def cpython_view(data: bytes, reader: str = "c-bytesio"):
    """Streams CPython loads from `data` one after another (as torch legacy and joblib do),
    until one fails or the data ends: [(start, end, ok, resolved, called, dynamic, error)]."""
    unpickler, opener = READERS[reader]
    streams = []
    f = opener(data)
    while f.tell() < len(data):
        start = f.tell()
        REC.__init__()
        try:
            unpickler(f).load()
            ok, error = True, None
        except RecursionError:
            ok, error = False, "recursion"
        except Exception as e:  # noqa: BLE001 - any failure ends the load, as in a loader
            ok, error = False, f"{type(e).__name__}: {e}"
        streams.append(
            (start, f.tell(), ok, list(REC.resolved), list(REC.called), REC.dynamic_calls, error)
        )
        if not ok:
            break
    return streams


def importable(module: str) -> bool:
    """Whether `import module` could find anything: CPython's import system refuses an empty
    name and one with a NUL byte before looking."""
    return module != "" and "\x00" not in module and not module.startswith(".")


def mapped(module: str, name: str) -> tuple[str, str]:
    """The Python 2 name mapping CPython applies below protocol 3 (loadguard always applies it)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    if module in _compat_pickle.IMPORT_MAPPING:
        return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


# ---------------------------------------------------------------- loadguard's view


def engine_command(profile: str = "release") -> list[str]:
    """The engine's side, built (cargo does nothing when it is up to date)."""
    flags = ["--release"] if profile == "release" else []
    subprocess.run(
        ["cargo", "build", *flags, "-q", "-p", "loadguard-pickle", "--example", "oracle"],
        cwd=ROOT,
        check=True,
    )
    folder = "release" if profile == "release" else "debug"
    return [str(ROOT / "target" / folder / "examples" / "oracle")]


def loadguard_views(cmd: list[str], batch: list[bytes]) -> list[dict]:
    with tempfile.TemporaryFile() as f:
        for data in batch:
            f.write(struct.pack("<I", len(data)))
            f.write(data)
        f.seek(0)
        out = subprocess.run(cmd, stdin=f, capture_output=True, check=True).stdout
    views = [json.loads(line) for line in out.splitlines()]
    assert len(views) == len(batch), (len(views), len(batch))
    return views


# ---------------------------------------------------------------- comparison

EXT_CODES = {1: ("os", "system"), 2: ("builtins", "eval"), 300: ("collections", "OrderedDict")}
for code, (m, n) in EXT_CODES.items():
    copyreg.add_extension(m, n, code)


def compare(data: bytes, view: dict) -> list[tuple[str, str]]:
    """Discrepancies between CPython's load of `data` and loadguard's view of it."""
    found = []
    codes = {f[0] for f in view["findings"]}
    by_start = {s["start"]: s for s in view["streams"]}
    views = [(reader, v) for reader in READERS for v in cpython_view(data, reader)]
    for reader, (start, end, ok, resolved, called, dynamic, _error) in views:
        if reader == "python":
            # The pure-Python unpickler resolves an INST's global before it looks for the
            # MARK (the C one fails first): an import that calls nothing. Not modelled (a
            # deliberate difference, docs/oracle.md); its calls are compared.
            resolved = [g for g in resolved if g in called]
        # A name no import can find (empty, or with a NUL byte) imports nothing; an empty
        # attribute name (the pure-Python reader's GLOBAL cut by the end of the data) fails
        # after the import, before anything is called.
        resolved = [(m, n) for m, n in resolved if importable(m) and n]
        called = [(m, n) for m, n in called if importable(m) and n]
        lg = by_start.get(start)
        if lg is None:
            if resolved or called or ok:
                found.append(("missed-stream", f"stream at {start}"))
            continue
        named = {(g[0], g[1]) for g in lg["globals"] if not g[2]}
        invoked = {(g[0], g[1]) for g in lg["globals"] if g[3] > 0}
        for m, n in resolved:
            if mapped(m, n) in named or (m, n) in named:
                continue
            if (m, n) in EXT_CODES.values() and "PKL004" in codes:
                continue
            if "PKL003" in codes:  # a computed name, reported as such
                continue
            found.append(("missed-global", f"{m}.{n}"))
        for m, n in called:
            key = mapped(m, n)
            if key in invoked or (m, n) in invoked:
                continue
            if (m, n) in EXT_CODES.values() and "PKL004" in codes:
                continue
            if "PKL003" in codes or "PKL006" in codes:
                continue
            found.append(("missed-call", f"{m}.{n}"))
        # loadguard resolves what helpers return (`getattr(x, 'y')` is the attribute `x.y`,
        # `_ufunc_reconstruct(m, n)` the global `m.n`) and judges calling it as calling that.
        resolved_by_lg = invoked - {mapped(m, n) for m, n in called} - set(called)
        if dynamic and not resolved_by_lg and not ({"PKL006", "PKL003", "PKL004"} & codes):
            found.append(("missed-dynamic", f"{dynamic} calls of call results"))
        # A STOP inside a frame: a BytesIO reader is left at the frame's end (PKL009).
        if ok and (not lg["complete"] or (lg["end"] != end and "PKL009" not in codes)):
            found.append(("false-malformed", f"stream {start}..{end}: {lg['error']}"))
    return found


# ---------------------------------------------------------------- stream sources

NAMES = [
    ("os", "system"), ("posix", "system"), ("nt", "system"), ("subprocess", "Popen"),
    ("subprocess", "check_output"), ("builtins", "eval"), ("builtins", "exec"),
    ("builtins", "getattr"), ("builtins", "__import__"), ("__builtin__", "eval"),
    ("__builtin__", "getattr"), ("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor"),
    ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage"),
    ("collections", "OrderedDict"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"), ("numpy", "dtype"), ("functools", "partial"),
    ("operator", "attrgetter"), ("operator", "methodcaller"), ("pickle", "loads"),
    ("_codecs", "encode"), ("runpy", "_run_code"), ("webbrowser", "open"),
    ("random", "Random"), ("evil_module", "thing"), ("os.path", "join"),
    ("builtins", "str.join"), ("pathlib", "Path.write_text"), ("builtins", "set"),
    ("UserDict", "UserDict"), ("exceptions", "Exception"), ("__builtin__", "xrange"),
    ("datetime", "datetime"), ("sklearn.linear_model._logistic", "LogisticRegression"),
]
STRINGS = ["os", "system", "eval", "builtins", "getattr", "__import__", "touch /tmp/x", "a", ""]


class Gen:
    """A random pickle program, assembled opcode by opcode."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.out = bytearray()
        self.memo: list[int] = []
        self.next_memo = 0
        self.proto = 0

    def emit(self, b: bytes) -> None:
        self.out += b

    def string(self, s: str) -> None:
        b = s.encode()
        r = self.rng.random()
        if self.proto >= 4 and r < 0.5 and len(b) < 256:
            self.emit(b"\x8c" + bytes([len(b)]) + b)
        elif self.proto >= 1 and r < 0.8:
            self.emit(b"X" + struct.pack("<I", len(b)) + b)
        elif self.proto >= 1 and r < 0.9 and len(b) < 256:
            self.emit(b"U" + bytes([len(b)]) + b)
        else:
            self.emit(b"V" + s.encode("raw_unicode_escape") + b"\n")
        self.maybe_memo()

    def maybe_memo(self) -> None:
        r = self.rng.random()
        if r < 0.2:
            if self.proto >= 4 and self.rng.random() < 0.5:
                self.emit(b"\x94")
            elif self.proto >= 1:
                self.emit(b"q" + bytes([self.next_memo & 0xFF]))
            else:
                self.emit(b"p%d\n" % self.next_memo)
            self.memo.append(self.next_memo & 0xFF if self.proto >= 1 else self.next_memo)
            self.next_memo += 1

    def global_(self) -> None:
        m, n = self.rng.choice(NAMES)
        r = self.rng.random()
        if self.proto >= 4 and r < 0.5:
            self.string(m)
            self.string(n)
            self.emit(b"\x93")
        elif r < 0.9 or self.proto < 2:
            self.emit(b"c" + m.encode() + b"\n" + n.encode() + b"\n")
        else:
            code = self.rng.choice(list(EXT_CODES))
            self.emit(b"\x82" + bytes([code]) if code < 256 else b"\x83" + struct.pack("<H", code))
        self.maybe_memo()

    def args(self, depth: int) -> None:
        n = self.rng.randrange(4)
        if self.proto >= 2 and n <= 3 and self.rng.random() < 0.5:
            for _ in range(n):
                self.value(depth + 1)
            self.emit([b")", b"\x85", b"\x86", b"\x87"][n])
        else:
            self.emit(b"(")
            for _ in range(n):
                self.value(depth + 1)
            self.emit(b"t")
        self.maybe_memo()

    def value(self, depth: int = 0) -> None:
        rng = self.rng
        r = rng.random()
        if depth > 4 or r < 0.25:
            c = rng.randrange(5)
            if c == 0:
                self.emit(b"N")
            elif c == 1:
                self.string(rng.choice(STRINGS))
            elif c == 2:
                self.emit(b"K" + bytes([rng.randrange(256)]) if self.proto >= 1 else b"I7\n")
            elif c == 3 and self.memo:
                k = rng.choice(self.memo)
                self.emit(b"h" + bytes([k]) if self.proto >= 1 else b"g%d\n" % k)
            else:
                self.emit(b"]" if self.proto >= 1 else b"(l")
            return
        if r < 0.40:
            self.global_()
        elif r < 0.60:  # a call: callee, args, REDUCE
            if rng.random() < 0.8:
                self.global_()
            else:
                self.value(depth + 1)
            self.args(depth)
            self.emit(b"R")
        elif r < 0.68 and self.proto >= 2:  # NEWOBJ
            self.global_()
            self.args(depth)
            self.emit(b"\x81")
        elif r < 0.72 and self.proto >= 4:  # NEWOBJ_EX
            self.global_()
            self.args(depth)
            self.emit(b"}")
            self.emit(b"\x92")
        elif r < 0.76:  # INST
            m, n = rng.choice(NAMES)
            self.emit(b"(")
            for _ in range(rng.randrange(3)):
                self.value(depth + 1)
            self.emit(b"i" + m.encode() + b"\n" + n.encode() + b"\n")
        elif r < 0.80:  # OBJ
            self.emit(b"(")
            self.global_()
            for _ in range(rng.randrange(3)):
                self.value(depth + 1)
            self.emit(b"o")
        elif r < 0.86:  # BUILD
            self.value(depth + 1)
            if rng.random() < 0.5:
                self.emit(b"}" if self.proto >= 1 else b"(d")
                self.string("attr")
                self.value(depth + 1)
                self.emit(b"s")
            else:
                self.emit(b"N}" if self.proto >= 1 else b"N(d")
                self.string("attr")
                self.value(depth + 1)
                self.emit(b"s\x86" if self.proto >= 2 else b"st")
            self.emit(b"b")
        elif r < 0.90:  # getattr chain
            self.emit(b"cbuiltins\ngetattr\n")
            if self.proto < 2:
                self.emit(b"(")
            self.value(depth + 1)
            self.string(rng.choice(STRINGS))
            self.emit(b"\x86R" if self.proto >= 2 else b"tR")
        elif r < 0.94:  # list with appends
            self.emit(b"]" if self.proto >= 1 else b"(l")
            self.emit(b"(")
            for _ in range(rng.randrange(3)):
                self.value(depth + 1)
            self.emit(b"e")
        elif r < 0.97:  # dict with setitems
            self.emit(b"}" if self.proto >= 1 else b"(d")
            self.emit(b"(")
            for _ in range(rng.randrange(3)):
                self.string(rng.choice(STRINGS))
                self.value(depth + 1)
            self.emit(b"u")
        else:  # persistent id
            self.value(depth + 1)
            self.emit(b"Q" if self.proto >= 1 else b"N")
        if rng.random() < 0.05:
            self.emit(b"2")  # DUP
            self.emit(b"0")  # POP

    def stream(self) -> bytes:
        self.out = bytearray()
        self.memo = []
        self.next_memo = 0
        self.proto = self.rng.choice([0, 1, 2, 3, 4, 5])
        if self.proto >= 2:
            self.emit(b"\x80" + bytes([self.proto]))
        body_start = len(self.out)
        self.value()
        self.emit(b".")
        r = self.rng.random()
        if self.proto >= 4 and r < 0.6:
            body = bytes(self.out[body_start:])
            # One frame, as picklers write; or frames cut at random points, so that
            # arguments cross frames' ends (readers then disagree on what follows).
            cuts = [] if r < 0.3 else sorted(self.rng.sample(range(len(body)), min(3, len(body))))
            framed = bytearray()
            last = 0
            for cut in cuts + [len(body)]:
                part = body[last:cut]
                if part:
                    framed += b"\x95" + struct.pack("<Q", len(part)) + part
                last = cut
            self.out = self.out[:body_start] + framed
        return bytes(self.out)


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(6)
        if not b:
            b += rng.choice(pool)
            continue
        i = rng.randrange(len(b))
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            b.insert(i, rng.choice(b"cRb(t\x93\x81\x8c\x94hq0122.N}]ue\x95\x82"))
        elif op == 2:
            del b[i : i + rng.randrange(1, 8)]
        elif op == 3:
            j = rng.randrange(len(b))
            b[i:i] = b[j : j + rng.randrange(1, 16)]
        elif op == 4:
            other = rng.choice(pool)
            b = b[:i] + other[rng.randrange(len(other) or 1) :]
        else:
            b += rng.choice(pool)
    return bytes(b)


def fixture_pickles() -> list[bytes]:
    out = []
    for folder in ("malicious", "benign"):
        for p in sorted((ROOT / "tests" / "fixtures" / folder).glob("*.pkl")):
            data = p.read_bytes()
            if len(data) <= 1 << 20:
                out.append(data)
    return out


# ---------------------------------------------------------------- main


def write_expectations(folder: Path) -> None:
    """For every `.pkl` regression in `folder`, what CPython's unpickler makes of it, in a
    `.json` beside it, for `crates/loadguard-pickle/tests/oracle.rs`: the globals it resolves
    (after the Python 2 mapping), those it calls, and the streams it loads whole."""
    for p in sorted(folder.glob("*.pkl")):
        resolved, called, whole = [], [], []
        views = [(r, v) for r in READERS for v in cpython_view(p.read_bytes(), r)]
        for reader, (start, end, ok, res, cal, _dyn, _err) in views:
            if reader == "python":
                res = [g for g in res if g in cal]  # as in compare()
            resolved += [
                list(mapped(m, n)) for m, n in res if (m, n) not in EXT_CODES.values() and importable(m)
            ]
            called += [
                list(mapped(m, n)) for m, n in cal if (m, n) not in EXT_CODES.values() and importable(m)
            ]
            if ok and start not in whole:
                whole.append(start)
        resolved = [g for i, g in enumerate(resolved) if g not in resolved[:i]]
        called = [g for i, g in enumerate(called) if g not in called[:i]]
        expect = {"resolved": resolved, "called": called, "whole_streams": sorted(whole)}
        p.with_suffix(".json").write_text(json.dumps(expect, indent=1) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--expectations", type=Path, help="write the .json of each .pkl in DIR")
    ap.add_argument("--streams", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--save", type=Path)
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--profile", default="release", help="cargo profile of the engine's side")
    args = ap.parse_args()
    if args.expectations:
        write_expectations(args.expectations)
        return 0
    sys.setrecursionlimit(10_000)
    # A mutated length prefix makes CPython allocate what it says: bound the
    # harness so that is a MemoryError (a failed load), not the OOM killer.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    rng = random.Random(args.seed)
    gen = Gen(rng)
    fixtures = fixture_pickles()
    cmd = engine_command(args.profile)
    counts = collections.Counter()
    examples: dict[tuple[str, str], bytes] = {}
    total = 0
    sources = collections.Counter()
    pool = list(fixtures)
    while total < args.streams:
        batch = []
        kinds = []
        if total == 0:
            batch += fixtures
            kinds += ["fixture"] * len(fixtures)
        while len(batch) < args.batch:
            r = rng.random()
            if r < 0.5:
                data = gen.stream()
                if rng.random() < 0.1:
                    data += gen.stream()
                kinds.append("grammar")
                if len(pool) < 5000 and rng.random() < 0.05:
                    pool.append(data)
            else:
                data = mutate(rng, rng.choice(pool), pool)
                kinds.append("mutation")
            batch.append(data)
        views = loadguard_views(cmd, batch)
        for data, view, kind in zip(batch, views, kinds):
            sources[kind] += 1
            for what, detail in compare(data, view):
                key = (what, detail.split(" ")[0] if what != "false-malformed" else kind)
                counts[what] += 1
                if key not in examples or len(data) < len(examples[key]):
                    examples[key] = data
                    if args.save:  # as found, so a long run that is stopped keeps them
                        save(args.save, key, data)
        total += len(batch)
        print(f"{total} streams; discrepancies {dict(counts)}", file=sys.stderr, flush=True)
    print(json.dumps({"streams": total, "sources": sources, "discrepancies": counts}, indent=1))
    shown = collections.Counter()
    for (what, detail), data in sorted(examples.items()):
        if shown[what] < args.examples:
            shown[what] += 1
            print(f"{what} {detail}: {data.hex()}")
    return 1 if counts else 0


def save(folder: Path, key: tuple[str, str], data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() else "_" for c in f"{key[0]}-{key[1]}")[:80]
    (folder / f"{safe}.pkl").write_bytes(data)


if __name__ == "__main__":
    sys.exit(main())
