"""Shared by the bench scripts: run loadguard once under /usr/bin/time."""
import os
import re
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
LOADGUARD = os.environ.get("LOADGUARD", os.path.join(HERE, "..", "target", "release", "loadguard"))


def run(args, binary=None):
    """(seconds, peak RSS in MB, exit code) of `loadguard scan --quiet ARGS`."""
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v", binary or LOADGUARD, "scan", "--quiet", "--color", "never", *args],
                         capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return elapsed, int(rss.group(1)) // 1024 if rss else -1, out.returncode
