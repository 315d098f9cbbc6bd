"""loadguard: scan AI artifacts before you load them, without running them.

``scan()`` runs the same engine as the ``loadguard`` command (in this
process, with the GIL released) and returns a typed :class:`Report`. The
guarded loaders (``torch_load``, ``joblib_load``, ``numpy_load``,
``pickle_load``, ``pickle_loads``) scan the exact bytes they then load, and
raise :class:`UnsafeArtifactError` instead of loading anything that is not
safe; ``patch()`` puts them in place of ``torch.load`` and friends in a
process whose code you cannot edit. Nothing here ever unpickles, imports or
runs the artifact to decide.
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Optional, Union

from loadguard import _loadguard
from loadguard._report import SEVERITIES, VERDICTS, File, Finding, Location, Report

__version__: str = _loadguard.__version__

__all__ = [
    "File",
    "Finding",
    "Location",
    "LoadguardError",
    "Report",
    "ScanError",
    "SEVERITIES",
    "UnsafeArtifactError",
    "VERDICTS",
    "check_pretrained",
    "joblib_load",
    "numpy_load",
    "patch",
    "pickle_load",
    "pickle_loads",
    "scan",
    "torch_load",
    "unpatch",
    "unsafe_allowed",
]

PathLike = Union[str, "os.PathLike[str]"]


class LoadguardError(Exception):
    """Base class of loadguard's exceptions."""


class ScanError(LoadguardError):
    """The scan could not run: a bad option, a missing file, an unreachable
    Hub repository. Nothing was scanned."""


class UnsafeArtifactError(LoadguardError):
    """Raised by the guarded loaders instead of loading an artifact whose
    verdict is not ``safe``. ``report`` holds every finding."""

    def __init__(self, what: str, report: Report) -> None:
        self.what = what
        self.report = report
        worst = report.worst(3)
        lines = [f"loadguard refused to load {what}: verdict {report.verdict}"]
        lines += [f"  {f}" for f in worst]
        if len(report.findings) > len(worst):
            lines.append(f"  ... and {len(report.findings) - len(worst)} more finding(s)")
        if not report.findings:
            lines.append("  (not scanned: its content was not understood)")
        lines.append(
            "To load it anyway, pass allow_unsafe=True or use `with loadguard.unsafe_allowed(reason):` "
            "(logged)."
        )
        super().__init__("\n".join(lines))


def _run(argv: list, stdin: Optional[bytes] = None) -> "tuple[int, str]":
    """The command line, in process: (exit code, standard output)."""
    try:
        return _loadguard.run(argv, stdin)
    except ValueError as e:
        raise ScanError(str(e).strip()) from None


def _option_args(options: dict) -> list:
    """Keyword options as command-line flags: ``max_stack=10`` is
    ``--max-stack 10``, ``strict=True`` is ``--strict``, a list repeats the
    flag. The command line validates them, so the Python API takes every
    option ``loadguard scan --help`` lists."""
    args: list = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for v in value:
                args += [flag, os.fspath(v) if isinstance(v, os.PathLike) else str(v)]
        else:
            args += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return args


def _scan_argv(fmt: str, config: Union[PathLike, bool, None], options: dict) -> list:
    """``loadguard scan --format FMT`` with the configuration choice and the
    keyword options, for every API that scans."""
    argv = ["loadguard", "scan", "--format", fmt, "--no-progress"]
    if config is False:
        argv.append("--no-config")
    elif config is not None and config is not True:
        argv += ["--config", os.fspath(config)]
    return argv + _option_args(options)


def scan(
    target: Union[PathLike, bytes, bytearray, memoryview],
    *,
    name: Optional[str] = None,
    config: Union[PathLike, bool, None] = None,
    **options: Any,
) -> Report:
    """Scans a file, a folder, an ``hf:org/name[@revision]`` repository or
    bytes, and returns a :class:`Report`.

    ``name`` names bytes in the report (and helps detect what they are:
    ``model.pt``). ``config``: ``None`` looks for ``loadguard.toml`` (or
    ``[tool.loadguard]``) from the working directory up, as the command does;
    ``False`` uses none; a path uses that file. Every other keyword is a
    ``loadguard scan`` option: ``strict=True``, ``fail_on="medium"``,
    ``allow_global=["mypkg.Model"]``, ``max_member_bytes=...``,
    ``key="pub.pem"``, ``require_signature=True``.

    Raises :class:`ScanError` when the scan cannot run.
    """
    argv = _scan_argv("json", config, options)
    stdin: Optional[bytes] = None
    if isinstance(target, (bytes, bytearray, memoryview)):
        stdin = bytes(target)
        argv += ["--stdin-filename", name or "<bytes>", "--", "-"]
    else:
        argv += ["--", os.fspath(target)]
    code, out = _run(argv, stdin)
    return Report.from_json(json.loads(out), code)


def record(target: PathLike, *, config: Union[PathLike, bool, None] = None, **options: Any) -> dict:
    """Scans one target into its batch record: the JSON Lines object that
    ``loadguard scan --targets ... --format jsonl`` writes (docs/batch.md),
    with the target as given. A target that cannot be scanned (missing, Hub
    error) does not raise: the record's ``error`` says why and its verdict
    is ``not-scanned``. For batch engines (Ray, Spark, Dask): one call per
    target, records gathered by the driver. ``config`` and the options are
    those of :func:`scan`."""
    argv = _scan_argv("jsonl", config, {"jobs": 1, **options})
    argv += ["--", os.fspath(target)]
    _code, out = _run(argv)
    return json.loads(out)


def scan_many(
    targets: Iterable[PathLike], *, config: Union[PathLike, bool, None] = None, **options: Any
) -> Report:
    """Scans several targets into one report (one engine call, in parallel);
    ``config`` and the options are those of :func:`scan`."""
    argv = _scan_argv("json", config, options) + ["--", *(os.fspath(t) for t in targets)]
    code, out = _run(argv)
    return Report.from_json(json.loads(out), code)


from loadguard._guard import (  # noqa: E402  (needs the names above)
    check_pretrained,
    joblib_load,
    numpy_load,
    patch,
    pickle_load,
    pickle_loads,
    torch_load,
    unpatch,
    unsafe_allowed,
)

__all__ += ["record", "scan_many"]
