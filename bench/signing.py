#!/usr/bin/env python3
"""Verification time of a signed 2 GB model (two 1 GB files): hashing-bound.

    cargo build --release
    python bench/signing.py        # needs `cryptography` and `blake3`

Signs the folder the way the reference signer does (in-toto statement,
DSSE PAE, ECDSA P-256) with SHA-256 and with BLAKE3 file digests, then times
`loadguard verify --key`; also times a Sigstore keyless verification (the
v1.1.0 reference vector: timestamp, Rekor entry, chain, SCT), which is all
cryptography and no hashing.
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

import blake3
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def sign_and_verify(hash_type):
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
        h = hashlib.sha256() if hash_type == "sha256" else blake3.blake3(max_threads=blake3.blake3.AUTO)
        with open(os.path.join(model, name), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        subject.update(h.digest())
        resources.append({"name": name, "algorithm": hash_type, "digest": h.hexdigest()})
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "signed_2GB", "digest": {"sha256": subject.hexdigest()}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {"resources": resources, "serialization": {"method": "files", "hash_type": hash_type, "allow_symlinks": False, "ignore_paths": []}},
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
    print(f"verify 2 x 1 GiB (2.15 GB), {hash_type}, warm cache: {best:.2f} s ({2.147 / best:.2f} GB/s), exit {rc}")


def keyless():
    vector = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                          "model-signing", "v1.1.0-sigstore")
    args = [LOADGUARD, "verify", vector, "--identity", "stefanb@us.ibm.com",
            "--issuer", "https://sigstore.verify.ibm.com/oauth2"]
    best = float("inf")
    for _ in range(20):
        t = time.perf_counter()
        rc = subprocess.run(args, capture_output=True, check=False).returncode
        best = min(best, time.perf_counter() - t)
    print(f"verify Sigstore keyless v1.1.0 vector (whole process): {best * 1000:.1f} ms, exit {rc}")


def main():
    sign_and_verify("sha256")
    sign_and_verify("blake3")
    keyless()





if __name__ == "__main__":
    main()
