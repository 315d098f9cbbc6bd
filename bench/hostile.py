#!/usr/bin/env python3
"""Per-file cost of hostile inputs: every fixture, and the bombs the capped test makes.

Each file is scanned by its own `loadguard scan` process (release build), timed, with its peak
RSS from GNU time; the goal is every
file under 100 ms and 64 MB. Prints the slowest and largest and every file past the goal.

    cargo build --release && python3 bench/hostile.py
"""

import gzip
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = ROOT / "target" / "release" / "loadguard"


def bombs(folder: Path) -> None:
    payload = b"\x80\x02cos\nsystem\n(S'touch /tmp/loadguard-canary'\ntR"
    chunk = b"N" * (16 << 20)
    one = gzip.compress(chunk, 9)
    (folder / "bomb.pkl.gz").write_bytes(
        gzip.compress(payload, 9) + one * 64 + gzip.compress(b".", 9)
    )
    (folder / "bomb-single.pkl.gz").write_bytes(gzip.compress(payload + b"N" * (1 << 30) + b".", 9))

    def seg(d: bytes) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(d) + c.flush(zlib.Z_SYNC_FLUSH)

    import zipfile

    body = payload + b"N" * (1 << 30) + b"."
    with zipfile.ZipFile(folder / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }" + b" " * 58 + b"\n" + body)
    (folder / "dup.pkl").write_bytes(b"\x80\x02N" + b"2" * 4_500_000 + b".")
    # Zeros: not judged by the ratio up to 64 MiB per stream (zero-initialised arrays), so these
    # stop after about 64 MiB rather than 1 MiB.
    zeros = gzip.compress(b"\0" * (16 << 20), 9)
    (folder / "zeros-bomb.gz").write_bytes(zeros * 64)
    import bz2

    (folder / "zeros-bomb.bz2").write_bytes(bz2.compress(b"\0" * (1 << 30), 9))
    # A FRAME that ends inside a line argument makes the engine scan a second view of the
    # buffer and merge it with the first: many streams, or many distinct globals, after it.
    import struct

    def split_frame(rest: bytes) -> bytes:
        return b"\x80\x04\x95" + struct.pack("<Q", 3) + b"Vab" + b"c\n." + rest

    (folder / "views-streams.pkl").write_bytes(split_frame(b"N." * 200_000))
    # HTML whose tree costs the square of its size: misnested formatting elements (each
    # paragraph clones every earlier <b>), and deep nesting.
    (folder / "clones.html").write_text("".join(f'<b class="{i}"><p>x' for i in range(16_000)))
    (folder / "nested.html").write_text("<div>" * 80_000 + "x" + "</div>" * 80_000)
    # A PDF page whose deflated content stream is ten million `0 0 m` operations (88 KB).
    content = b"0 0 m " * 10_000_000
    z = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(z) + z + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    (folder / "operations.pdf").write_bytes(out)
    # A model card of one 7 MB line with 100,000 links (a column is counted per finding).
    (folder / "links.md").write_text(("[x](http://e.com/" + "a" * 50 + ") ") * 100_000)
    # An MCP client config of 20,000 servers (each finding is placed by line and column).
    import json as _json

    servers = {f"srv{i}": {"command": "npx", "args": ["-y", f"pkg{i}@1.0.0"]} for i in range(20_000)}
    (folder / "mcp.json").write_text(_json.dumps({"mcpServers": servers}, indent=2))
    # An MCP server source that registers 20,000 tools.
    doc = '"' * 3
    tools = "".join(
        f"@mcp.tool()\ndef t{i}(a: str) -> str:\n    {doc}Tool {i}{doc}\n    return a\n"
        for i in range(20_000)
    )
    (folder / "tools_server.py").write_text(
        'from mcp.server.fastmcp import FastMCP\nmcp = FastMCP("x")\n' + tools
    )
    # A Keras Lambda layer whose marshaled code holds 200,000 distinct names.
    import base64
    import json

    names = b"".join(b"z\x06" + b"n%05d" % i for i in range(200_000))
    with zipfile.ZipFile(ROOT / "tests" / "fixtures" / "rules" / "KR001" / "lambda.keras") as z:
        parts = {n: z.read(n) for n in z.namelist()}
    config = json.loads(parts["config.json"])

    def put(o: object) -> None:
        if isinstance(o, dict):
            if o.get("class_name") == "__lambda__":
                o["config"]["code"] = base64.b64encode(names).decode()
            for v in o.values():
                put(v)
        elif isinstance(o, list):
            for v in o:
                put(v)

    put(config)
    parts["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(folder / "lambda-names.keras", "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    (folder / "views-globals.pkl").write_bytes(
        split_frame(b"\x80\x02" + b"".join(b"cmod%d\nfn\n(V%d\ntR0" % (i, i) for i in range(100_000)) + b"N.")
    )


def main() -> int:
    files = [p for p in (ROOT / "tests" / "fixtures").rglob("*") if p.is_file()]
    with tempfile.TemporaryDirectory() as t:
        bombs(Path(t))
        files += sorted(Path(t).iterdir())
        rows = []
        for f in files:
            # GNU time reports the child's own peak RSS (a fork of this process would count
            # this process's pages).
            start = time.perf_counter()
            out = subprocess.run(
                ["/usr/bin/time", "-f", "%M", str(EXE), "scan", "--no-config", "--quiet", str(f)],
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - start
            rss_kb = int(out.stderr.strip().splitlines()[-1])
            rows.append((elapsed, rss_kb, f))
    rows.sort(key=lambda r: r[0])
    print(f"{len(rows)} files; median {rows[len(rows) // 2][0] * 1000:.1f} ms, "
          f"slowest {rows[-1][0] * 1000:.1f} ms ({rows[-1][2].name})")
    peak = max(rows, key=lambda r: r[1])
    print(f"largest peak RSS {peak[1] / 1024:.1f} MB ({peak[2].name})")
    for elapsed, rss, f in rows:
        if elapsed > 0.1 or rss > 64 * 1024:
            print(f"  over the goal: {f.name}: {elapsed * 1000:.1f} ms, {rss / 1024:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
