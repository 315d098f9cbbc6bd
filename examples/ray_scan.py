"""Scan a list of targets on a Ray cluster with loadguard's Python API.

One Ray task per target; each returns the target's batch record (the JSON
Lines object of ``loadguard scan --targets ... --format jsonl``, docs/batch.md).
The driver writes records to the output file as tasks finish, so the run can
be interrupted and started again: targets already in the output are skipped.

Failures: a task whose worker dies (out of memory, a lost node) or that
raises is retried by Ray (``--retries``); a record with an ``error`` (a Hub
timeout, a 5xx) raises inside the task so that it is retried too. What still
fails after the retries is written as a record with ``verdict:
not-scanned``, its ``error`` and ``attempts``, never dropped.

    pip install loadguard "ray[default]"
    python examples/ray_scan.py targets.txt results.jsonl            # a local cluster
    python examples/ray_scan.py targets.txt results.jsonl --address auto   # an existing one

Exit code: 1 if a record is ``not-safe``, 2 if one could not be scanned, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Optional

import ray

import loadguard


class RetryableScanError(RuntimeError):
    """A scan that ended with an error (network, Hub): worth another try."""


def scan_target(target: str, options: Dict[str, Any]) -> dict:
    """The default task body: the target's record, raising on an error so
    that Ray retries it."""
    rec = loadguard.record(target, **options)
    if rec.get("error"):
        raise RetryableScanError(rec["error"])
    return rec


def _done_targets(output: str) -> set:
    """Targets with a complete record in ``output``; a last line cut short by
    an interruption is dropped from the file."""
    done = set()
    if not os.path.exists(output):
        return done
    with open(output, "rb+") as f:
        data = f.read()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            f.truncate(keep)
    for line in data[:keep].splitlines():
        try:
            done.add(json.loads(line)["target"])
        except (ValueError, KeyError):
            continue
    return done


def _failure_record(target: str, error: BaseException, attempts: int) -> dict:
    cause = getattr(error, "cause", None) or error
    return {
        "schema_version": 1,
        "target": target,
        "verdict": "not-scanned",
        "error": f"failed after {attempts} attempt(s): {type(cause).__name__}: {cause}",
        "attempts": attempts,
        "files": [],
        "findings": [],
    }


def scan_on_ray(
    targets: Iterable[str],
    output: str,
    *,
    options: Optional[Dict[str, Any]] = None,
    retries: int = 3,
    task: Callable[[str, Dict[str, Any]], dict] = scan_target,
    max_in_flight: int = 10_000,
) -> Dict[str, int]:
    """Scans ``targets`` with one Ray task each and appends their records to
    ``output``. Ray must be initialised. Returns counts per verdict, of
    targets skipped (already in ``output``) and of ``errors``."""
    options = {"config": False, **(options or {})}
    done = _done_targets(output)
    todo: List[str] = []
    for t in targets:
        t = t.strip()
        if t and not t.startswith("#") and t not in done and t not in todo:
            todo.append(t)
    remote = ray.remote(max_retries=retries, retry_exceptions=True)(task)
    counts: Dict[str, int] = {"skipped": len(done)}
    pending: Dict[Any, str] = {}
    queue = iter(todo)
    with open(output, "a", encoding="utf-8") as out:

        def submit() -> None:
            for t in queue:
                pending[remote.remote(t, options)] = t
                if len(pending) >= max_in_flight:
                    return

        submit()
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=min(len(pending), 64), timeout=None)
            for ref in ready:
                target = pending.pop(ref)
                try:
                    rec = ray.get(ref)
                except Exception as e:  # retries exhausted
                    rec = _failure_record(target, e, retries + 1)
                out.write(json.dumps(rec) + "\n")
                out.flush()
                counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
                if rec.get("error"):
                    counts["errors"] = counts.get("errors", 0) + 1
            submit()
    return counts


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("targets", help="file with one target per line (paths, hf: ids, Hub URLs)")
    p.add_argument("output", help="JSON Lines results (appended; resumes)")
    p.add_argument("--address", default=None, help="Ray cluster address (default: start a local one)")
    p.add_argument("--retries", type=int, default=3)
    p.add_argument("--target-timeout", type=float, default=None, help="seconds per target")
    p.add_argument("--target-max-bytes", type=int, default=None, help="bytes per target")
    args = p.parse_args(argv)
    with open(args.targets, encoding="utf-8") as f:
        targets = f.read().splitlines()
    ray.init(address=args.address)
    options = {"target_timeout": args.target_timeout, "target_max_bytes": args.target_max_bytes}
    counts = scan_on_ray(targets, args.output, options=options, retries=args.retries)
    print(json.dumps(counts), file=sys.stderr)
    if counts.get("not-safe"):
        return 1
    if counts.get("errors"):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
