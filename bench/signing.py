#!/usr/bin/env python3
"""Verification time of a signed 2 GB model (two 1 GB files): hashing-bound.

    cargo build --release
    python bench/signing.py        # needs the `cryptography` package

Signs the folder the way the reference signer does (in-toto statement,
DSSE PAE, ECDSA P-256), then times `loadguard verify --key`.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import DATA, LOADGUARD  # noqa: E402

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def main():
    model = os.path.join(DATA, "signed_2GB")
    os.makedirs(model, exist_ok=True)
    for name in ("shard-1.bin", "shard-2.bin"):
        path = os.path.join(model, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                for _ in range(1024):
                    f.write(os.urandom(1 << 20))
    resources, subject = [], hashlib.sha256()
    for name in sorted(n for n in os.listdir(model) if n != "model.sig"):
        h = hashlib.sha256()
        with open(os.path.join(model, name), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        subject.update(h.digest())
        resources.append({"name": name, "algorithm": "sha256", "digest": h.hexdigest()})
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "signed_2GB", "digest": {"sha256": subject.hexdigest()}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {"resources": resources, "serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": False, "ignore_paths": []}},
    }
    payload = json.dumps(statement).encode()
    ptype = "application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %s %d " % (len(ptype), ptype.encode(), len(payload)) + payload
    key = ec.generate_private_key(ec.SECP256R1())
    sig = key.sign(pae, ec.ECDSA(hashes.SHA256()))
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": hashlib.sha256(pem).hexdigest()}, "tlogEntries": []},
        "dsseEnvelope": {"payload": base64.b64encode(payload).decode(), "payloadType": ptype,
                         "signatures": [{"sig": base64.b64encode(sig).decode(), "keyid": ""}]},
    }
    with open(os.path.join(model, "model.sig"), "w") as f:
        json.dump(bundle, f)
    key_path = os.path.join(DATA, "signed_2GB.pub.pem")
    with open(key_path, "wb") as f:
        f.write(pem)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        rc = subprocess.run([LOADGUARD, "verify", model, "--key", key_path], capture_output=True, check=False).returncode
        best = min(best, time.perf_counter() - t)
    print(f"verify 2 x 1 GiB (2.15 GB), warm cache: {best:.2f} s ({2.147 / best:.2f} GB/s), exit {rc}")


if __name__ == "__main__":
    main()
