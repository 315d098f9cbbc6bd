"""Guarded loaders and ``patch()``.

A guarded loader reads the artifact's bytes once, scans those bytes, and
hands the same bytes to the real loader, so the file cannot be swapped
between the scan and the load. (With ``mmap=True`` / ``mmap_mode`` the
loader must open the path itself: the path is scanned, then loaded.)

What loads: a report whose verdict is ``safe``, or ``not-scanned`` only
because of data files that no loader executes (a ``tokenizer.model``, whose
LG001 finding is ``info``). Everything else raises
:class:`~loadguard.UnsafeArtifactError`: ``review``, ``not-safe``, a file that
could not be read, a file whose content was not understood. The override is
explicit and logged (logger ``loadguard``, level WARNING): ``allow_unsafe=True``
on one call, or ``with loadguard.unsafe_allowed("reason"):`` around a block
(which is also how code patched by ``patch()`` is let through).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import io
import logging
import os
import threading
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

from loadguard._report import Report

log = logging.getLogger("loadguard")

_state = threading.local()
#: (module, attribute) -> the original function, while patched.
_originals: Dict[Tuple[str, str], Callable[..., Any]] = {}
#: The original `from_pretrained` of transformers' PreTrainedModel, while patched.
_pretrained: Dict[str, Any] = {}
_patch_lock = threading.Lock()


def _depth() -> int:
    return getattr(_state, "depth", 0)


@contextlib.contextmanager
def _inside() -> Iterator[None]:
    """Marks a guarded load in progress: the loaders it calls (``numpy.load``
    calls ``pickle.load``) were covered by its scan."""
    _state.depth = _depth() + 1
    try:
        yield
    finally:
        _state.depth -= 1


@contextlib.contextmanager
def unsafe_allowed(reason: str) -> Iterator[None]:
    """Lets guarded loads in this block (on this thread) load artifacts that
    are not safe, each logged as a warning with ``reason`` and the findings."""
    if not reason or not str(reason).strip():
        raise ValueError("unsafe_allowed() needs a reason, for the log")
    stack = getattr(_state, "allowed", [])
    _state.allowed = stack + [str(reason)]
    try:
        yield
    finally:
        _state.allowed = stack


def _override() -> Optional[str]:
    stack = getattr(_state, "allowed", [])
    return stack[-1] if stack else None


def blocks(report: Report) -> bool:
    """Whether a guarded loader refuses a report (see the module doc)."""
    if report.verdict in ("review", "not-safe"):
        return True
    if any(f.error for f in report.files):
        return True
    explained = {f.location.path for f in report.findings if f.rule == "LG001"}
    for f in report.findings:
        if f.rule == "LG001" and f.severity != "info":
            return True
    # Fail closed: a file not understood and not explained as inert data.
    return any(f.verdict == "not-scanned" and f.path not in explained for f in report.files)


def _check(what: str, report: Report, allow_unsafe: bool) -> None:
    if not blocks(report):
        return
    reason = "allow_unsafe=True" if allow_unsafe else _override()
    if reason is None:
        from loadguard import UnsafeArtifactError

        raise UnsafeArtifactError(what, report)
    log.warning(
        "loading %s although loadguard's verdict is %s (override: %s); findings: %s",
        what,
        report.verdict,
        reason,
        "; ".join(str(f) for f in report.worst(5)) or "none (not scanned)",
    )


def _scan_bytes(what: str, data: bytes, name: Optional[str], allow_unsafe: bool, options: dict) -> None:
    from loadguard import scan

    _check(what, scan(data, name=name or "<bytes>", **options), allow_unsafe)


def _scan_path(what: str, path: str, allow_unsafe: bool, options: dict) -> None:
    from loadguard import scan

    _check(what, scan(path, **options), allow_unsafe)


def _original(module: str, attr: str) -> Callable[..., Any]:
    """The real loader, even while ``patch()`` has replaced it."""
    found = _originals.get((module, attr))
    if found is not None:
        return found
    return getattr(importlib.import_module(module), attr)


def _read(f: Any) -> Tuple[bytes, Optional[str], Any]:
    """The bytes of a path or file object, a name for the report, and what to
    hand the loader: the same bytes (a path) or the file object rewound to
    where it was (so ``pickle.load`` still reads one object of a stream)."""
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(f)
        with open(path, "rb") as fh:
            data = fh.read()
        return data, os.path.basename(path), io.BytesIO(data)
    name = getattr(f, "name", None)
    name = os.path.basename(name) if isinstance(name, str) else None
    if getattr(f, "seekable", lambda: False)():
        pos = f.tell()
        data = f.read()
        f.seek(pos)
        return data, name, f
    data = f.read()
    return data, name, io.BytesIO(data)


def _guarded(
    what: str,
    module: str,
    attr: str,
    f: Any,
    args: tuple,
    kwargs: dict,
    allow_unsafe: bool,
    scan_options: Optional[dict],
    by_path: bool = False,
) -> Any:
    options = dict(scan_options or {})
    if _depth():
        return _original(module, attr)(f, *args, **kwargs)
    if by_path and isinstance(f, (str, bytes, os.PathLike)):
        _scan_path(f"{what}({os.fsdecode(f)!r})", os.fsdecode(f), allow_unsafe, options)
        source = f
    else:
        data, name, source = _read(f)
        _scan_bytes(f"{what}({name or 'a file object'!r})", data, name, allow_unsafe, options)
    with _inside():
        return _original(module, attr)(source, *args, **kwargs)


def torch_load(f: Any, *args: Any, allow_unsafe: bool = False, scan_options: Optional[dict] = None, **kwargs: Any) -> Any:
    """``torch.load`` that scans first. With ``mmap=True`` the path is
    scanned and then loaded by path."""
    return _guarded("torch.load", "torch", "load", f, args, kwargs, allow_unsafe, scan_options, by_path=bool(kwargs.get("mmap")))


def joblib_load(filename: Any, *args: Any, allow_unsafe: bool = False, scan_options: Optional[dict] = None, **kwargs: Any) -> Any:
    """``joblib.load`` that scans first (compressed and uncompressed dumps).
    With ``mmap_mode`` the path is scanned and then loaded by path."""
    by_path = kwargs.get("mmap_mode") is not None
    return _guarded("joblib.load", "joblib", "load", filename, args, kwargs, allow_unsafe, scan_options, by_path=by_path)


def numpy_load(file: Any, *args: Any, allow_unsafe: bool = False, scan_options: Optional[dict] = None, **kwargs: Any) -> Any:
    """``numpy.load`` that scans first (``.npy``, ``.npz``, pickles). With
    ``mmap_mode`` the path is scanned and then loaded by path."""
    by_path = kwargs.get("mmap_mode") is not None
    return _guarded("numpy.load", "numpy", "load", file, args, kwargs, allow_unsafe, scan_options, by_path=by_path)


def pickle_load(file: Any, *args: Any, allow_unsafe: bool = False, scan_options: Optional[dict] = None, **kwargs: Any) -> Any:
    """``pickle.load`` that scans the rest of the file first. A seekable file
    is rewound, so one object is read as usual; from an unseekable one the
    rest of the stream is read (and scanned) whole."""
    return _guarded("pickle.load", "pickle", "load", file, args, kwargs, allow_unsafe, scan_options)


def pickle_loads(data: Any, *args: Any, allow_unsafe: bool = False, scan_options: Optional[dict] = None, **kwargs: Any) -> Any:
    """``pickle.loads`` that scans the bytes first."""
    if _depth():
        return _original("pickle", "loads")(data, *args, **kwargs)
    _scan_bytes("pickle.loads", bytes(data), "data.pkl", allow_unsafe, dict(scan_options or {}))
    with _inside():
        return _original("pickle", "loads")(data, *args, **kwargs)


def check_pretrained(name_or_path: Any, revision: Optional[str] = None, *, allow_unsafe: bool = False, **scan_options: Any) -> Report:
    """Scans what ``from_pretrained(name_or_path, revision=...)`` would load
    (a local folder, or the Hub repository ``org/name`` at ``revision``
    through ranged reads) and raises unless it may be loaded; returns the
    report."""
    from loadguard import scan

    local = os.fspath(name_or_path)
    if os.path.exists(local):
        target = local
    else:
        target = f"hf:{local}" + (f"@{revision}" if revision else "")
    report = scan(target, **scan_options)
    _check(f"from_pretrained({local!r})", report, allow_unsafe)
    return report


_LOADERS = {
    ("torch", "load"): torch_load,
    ("joblib", "load"): joblib_load,
    ("numpy", "load"): numpy_load,
    ("pickle", "load"): pickle_load,
    ("pickle", "loads"): pickle_loads,
}


def _patch_from_pretrained() -> bool:
    """Guards ``PreTrainedModel.from_pretrained`` (every transformers model
    class that does not override it): the folder or Hub repository is
    scanned (``check_pretrained``) before transformers reads it."""
    if importlib.util.find_spec("transformers") is None:
        return False
    from transformers import PreTrainedModel

    if "from_pretrained" in _pretrained:
        return True
    original = PreTrainedModel.__dict__["from_pretrained"]
    func = original.__func__

    @functools.wraps(func)
    def from_pretrained(cls: Any, pretrained_model_name_or_path: Any, *args: Any, **kwargs: Any) -> Any:
        if not _depth() and pretrained_model_name_or_path is not None:
            check_pretrained(pretrained_model_name_or_path, kwargs.get("revision"))
        with _inside():
            return func(cls, pretrained_model_name_or_path, *args, **kwargs)

    from_pretrained.__loadguard__ = True  # type: ignore[attr-defined]
    _pretrained["from_pretrained"] = original
    PreTrainedModel.from_pretrained = classmethod(from_pretrained)  # type: ignore[method-assign]
    return True


def patch(modules: Tuple[str, ...] = ("torch", "joblib", "numpy", "pickle", "transformers")) -> list:
    """Replaces ``torch.load``, ``joblib.load``, ``numpy.load``,
    ``pickle.load``, ``pickle.loads`` and transformers'
    ``PreTrainedModel.from_pretrained`` (those of ``modules`` that are
    installed) with their guarded versions, for code you cannot edit.
    Returns the names patched; ``unpatch()`` restores the originals. Code that
    imported the function before (``from torch import load``) keeps the
    original: call ``patch()`` first."""
    done = []
    with _patch_lock:
        if "transformers" in modules and _patch_from_pretrained():
            done.append("transformers.PreTrainedModel.from_pretrained")
        for (module, attr), guard in _LOADERS.items():
            if module not in modules or importlib.util.find_spec(module) is None:
                continue
            mod = importlib.import_module(module)
            if (module, attr) not in _originals:
                original = getattr(mod, attr)
                _originals[(module, attr)] = original

                @functools.wraps(original)
                def wrapper(*args: Any, __guard: Callable[..., Any] = guard, **kwargs: Any) -> Any:
                    return __guard(*args, **kwargs)

                wrapper.__loadguard__ = True  # type: ignore[attr-defined]
                setattr(mod, attr, wrapper)
            done.append(f"{module}.{attr}")
    return done


def unpatch() -> None:
    """Restores every function ``patch()`` replaced."""
    with _patch_lock:
        for (module, attr), original in list(_originals.items()):
            setattr(importlib.import_module(module), attr, original)
            del _originals[(module, attr)]
        original = _pretrained.pop("from_pretrained", None)
        if original is not None:
            from transformers import PreTrainedModel

            PreTrainedModel.from_pretrained = original  # type: ignore[method-assign]
