#!/usr/bin/env python3
"""MCP server source at tree scale: a 2,000-file tree built from the fixture
corpora (tests/fixtures/mcp/servers, benign and malicious, repeated under 40
package folders), scanned by the whole process. No Python packages needed.

    cargo build --release
    python bench/mcp_tree.py

Best of 5 whole-process runs, warm page cache.
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import DATA, run

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "tests", "fixtures", "mcp", "servers")
FILES = 2000


def build():
    sources = []
    for d, _, names in os.walk(CORPUS):
        sources += [os.path.join(d, n) for n in sorted(names) if n.endswith((".py", ".ts", ".js"))]
    sources.sort()
    tree = os.path.join(DATA, "mcp_tree")
    shutil.rmtree(tree, ignore_errors=True)
    size = 0
    for i in range(FILES):
        src = sources[i % len(sources)]
        pkg = os.path.join(tree, f"pkg{i % 40}", "src")
        os.makedirs(pkg, exist_ok=True)
        dst = os.path.join(pkg, f"m{i}{os.path.splitext(src)[1]}")
        shutil.copyfile(src, dst)
        size += os.path.getsize(dst)
    return tree, size


def main():
    tree, size = build()
    best = min((run(["--no-config", tree]) for _ in range(5)), key=lambda r: r[0])
    print(f"{FILES} files, {size / 1e6:.1f} MB: {best[0]:.2f} s, peak RSS {best[1]} MB, exit {best[2]}")


if __name__ == "__main__":
    main()
