"""Task bodies for test_ray.py, importable by Ray's worker processes (the
test puts this folder on their PYTHONPATH)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

import ray_scan  # noqa: E402


def flaky(target, options):
    """Fails the first attempt of every target named `flaky-*` (a marker
    file per attempt, in $LOADGUARD_TEST_MARKERS), then scans for real."""
    if "flaky-" in target:
        markers = Path(os.environ["LOADGUARD_TEST_MARKERS"])
        n = len(list(markers.glob(Path(target).name + ".*")))
        (markers / f"{Path(target).name}.{n}").touch()
        if n == 0:
            raise ConnectionError("transient failure (injected)")
    return ray_scan.scan_target(target, options)
