//! The reference vectors, negatives derived from them, and fresh signatures
//! made with keys generated here.

use std::path::{Path, PathBuf};

use super::*;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/model-signing")
}

fn vector_key() -> String {
    std::fs::read_to_string(vectors().join("keys/signing-key-pub.pem")).unwrap_or_default()
}

fn opts(key: Option<String>, ignore: &[&str]) -> VerifyOptions {
    VerifyOptions {
        public_key_pem: key,
        certificate_chain_pem: None,
        ignore_paths: ignore.iter().map(|s| (*s).to_owned()).collect(),
        no_ignore_git_paths: false,
    }
}

/// Copies a vector folder to a temp dir so tests can change it.
fn copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(vectors().join(name)).expect("vector") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.path().join(p.file_name().expect("name"))).expect("copy");
    }
    dir
}

#[test]
fn key_vectors_verify() {
    for (name, model, ignore) in [
        ("v1.1.0-elliptic-key", None, &[][..]),
        ("v1.0.1-elliptic-key", None, &["ignore-me"][..]),
        ("v1.0.0-elliptic-key", Some("signme-1"), &[][..]),
        ("v0.3.1-elliptic-key", Some("signme-1"), &[][..]),
    ] {
        let dir = vectors().join(name);
        let target = model.map_or(dir.clone(), |m| dir.join(m));
        let r = verify(
            &target,
            &dir.join(SIGNATURE_FILE),
            &opts(Some(vector_key()), ignore),
        );
        assert!(
            matches!(r.outcome, Outcome::Verified { .. }),
            "{name}: {:#?}",
            r.findings
        );
        assert_eq!(r.findings[0].rule.code, "SIG005");
    }
}

#[test]
fn negatives_fail_with_the_right_finding() {
    // A changed byte.
    let d = copy("v1.1.0-elliptic-key");
    std::fs::write(d.path().join("signme-1"), b"tampered").expect("write");
    let r = verify(
        d.path(),
        &d.path().join(SIGNATURE_FILE),
        &opts(Some(vector_key()), &[]),
    );
    assert_eq!(r.outcome, Outcome::Invalid);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.code == "SIG003" && f.message.contains("digest")),
        "{:#?}",
        r.findings
    );
    // An added and a removed file.
    let d = copy("v1.1.0-elliptic-key");
    std::fs::write(d.path().join("extra.bin"), b"x").expect("write");
    std::fs::remove_file(d.path().join("signme-2")).expect("remove");
    let r = verify(
        d.path(),
        &d.path().join(SIGNATURE_FILE),
        &opts(Some(vector_key()), &[]),
    );
    let msgs: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.rule.code, f.location.logical.clone().unwrap_or_default()))
        .collect();
    assert!(msgs.contains(&("SIG003", "extra.bin".into())), "{msgs:?}");
    assert!(msgs.contains(&("SIG003", "signme-2".into())), "{msgs:?}");
    // Without the explicit ignore, v1.0.1's ignore-me is an extra file.
    let dir = vectors().join("v1.0.1-elliptic-key");
    let r = verify(
        &dir,
        &dir.join(SIGNATURE_FILE),
        &opts(Some(vector_key()), &[]),
    );
    assert_eq!(r.outcome, Outcome::Invalid);
    // A wrong key.
    let other = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let pem = {
        use p384::pkcs8::{EncodePublicKey, LineEnding};
        other
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem")
    };
    let dir = vectors().join("v1.1.0-elliptic-key");
    let r = verify(
        &dir,
        &dir.join(SIGNATURE_FILE),
        &opts(Some(pem.clone()), &[]),
    );
    assert_eq!(r.outcome, Outcome::Invalid);
    assert_eq!(r.findings[0].rule.code, "SIG002");
    // Older bundles have no hint: the signature check itself fails.
    let dir = vectors().join("v1.0.1-elliptic-key");
    let r = verify(
        &dir,
        &dir.join(SIGNATURE_FILE),
        &opts(Some(pem), &["ignore-me"]),
    );
    assert!(
        r.findings[0].message.contains("does not verify"),
        "{:#?}",
        r.findings
    );
    // A flipped signature byte.
    let d = copy("v1.1.0-elliptic-key");
    let sig_path = d.path().join(SIGNATURE_FILE);
    let mut bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sig_path).expect("read")).expect("json");
    let sig = bundle["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .expect("sig")
        .to_owned();
    let mut raw = base64_decode(sig.as_bytes()).expect("b64");
    let n = raw.len();
    raw[n - 3] ^= 0x01;
    bundle["dsseEnvelope"]["signatures"][0]["sig"] = serde_json::Value::String(b64(&raw));
    std::fs::write(&sig_path, bundle.to_string()).expect("write");
    let r = verify(d.path(), &sig_path, &opts(Some(vector_key()), &[]));
    assert_eq!(r.outcome, Outcome::Invalid);
    assert_eq!(r.findings[0].rule.code, "SIG002");
}

fn anchors() -> String {
    std::fs::read_to_string(vectors().join("keys/ca-cert.pem")).unwrap_or_default()
}

#[test]
fn certificate_vectors_verify_through_the_rsa_root() {
    for name in [
        "v1.1.0-certificate",
        "v1.0.1-certificate",
        "v1.0.0-certificate",
        "v0.3.1-certificate",
    ] {
        let dir = vectors().join(name);
        let ignore: &[&str] = if name == "v1.0.1-certificate" {
            &["ignore-me"]
        } else {
            &[]
        };
        let mut o = opts(None, ignore);
        o.certificate_chain_pem = Some(anchors());
        let r = verify(&dir, &dir.join(SIGNATURE_FILE), &o);
        assert!(
            matches!(r.outcome, Outcome::Verified { .. }),
            "{name}: {:#?}",
            r.findings
        );
    }
    // A trust file without the right root: the chain cannot be built.
    let dir = vectors().join("v1.1.0-certificate");
    let mut o = opts(None, &[]);
    o.certificate_chain_pem = Some(
        std::fs::read_to_string(vectors().join("keys/int-ca-cert.pem"))
            .unwrap_or_default()
            .replace("BEGIN CERTIFICATE", "BEGIN NOTHING"),
    );
    let r = verify(&dir, &dir.join(SIGNATURE_FILE), &o);
    assert_eq!(r.outcome, Outcome::Invalid);
    // The files still have to match.
    let d = copy("v1.1.0-certificate");
    std::fs::write(d.path().join("signme-2"), b"changed").expect("write");
    let mut o = opts(None, &[]);
    o.certificate_chain_pem = Some(anchors());
    let r = verify(d.path(), &d.path().join(SIGNATURE_FILE), &o);
    assert!(
        r.findings.iter().any(|f| f.rule.code == "SIG003"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn other_methods_and_no_key_are_unverifiable() {
    for name in [
        "v1.1.0-certificate",
        "v1.1.0-sigstore",
        "v1.1.0-elliptic-key",
    ] {
        let dir = vectors().join(name);
        let r = verify(&dir, &dir.join(SIGNATURE_FILE), &opts(None, &[]));
        assert!(matches!(r.outcome, Outcome::Unverifiable { .. }), "{name}");
        assert_eq!(r.findings[0].rule.code, "SIG004");
    }
    let empty = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        status(empty.path(), &VerifyOptions::default())[0].rule.code,
        "SIG001"
    );
}

fn b64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Signs a folder the way the reference signer does, with a fresh P-256 key.
fn sign_fresh(dir: &Path) -> String {
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::{EncodePublicKey, LineEnding};
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let mut resources = Vec::new();
    let mut subject = Sha256::new();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != SIGNATURE_FILE)
        .collect();
    names.sort();
    for n in &names {
        let d = Sha256::digest(std::fs::read(dir.join(n)).expect("read"));
        subject.update(d);
        resources.push(serde_json::json!({"name": n, "algorithm": "sha256", "digest": hex(&d)}));
    }
    let statement = serde_json::json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "m", "digest": {"sha256": hex(&subject.finalize())}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"resources": resources, "serialization": {"method": "files", "hash_type": "sha256", "allow_symlinks": false, "ignore_paths": []}},
    });
    let payload = statement.to_string().into_bytes();
    let sig: p256::ecdsa::Signature = key.sign(&pae(PAYLOAD_TYPE, &payload));
    let pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .expect("pem");
    let bundle = serde_json::json!({
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hex(&Sha256::digest(pem.as_bytes()))}, "tlogEntries": []},
        "dsseEnvelope": {"payload": b64(&payload), "payloadType": PAYLOAD_TYPE, "signatures": [{"sig": b64(sig.to_der().as_bytes()), "keyid": ""}]},
    });
    std::fs::write(dir.join(SIGNATURE_FILE), bundle.to_string()).expect("write");
    pem
}

#[test]
fn fresh_signatures_verify_and_detect_changes() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("weights.safetensors"), vec![7u8; 3000]).expect("write");
    std::fs::write(d.path().join("config.json"), b"{}").expect("write");
    let pem = sign_fresh(d.path());
    let r = verify(
        d.path(),
        &d.path().join(SIGNATURE_FILE),
        &opts(Some(pem.clone()), &[]),
    );
    assert!(
        matches!(r.outcome, Outcome::Verified { .. }),
        "{:#?}",
        r.findings
    );
    std::fs::write(d.path().join("config.json"), b"{\"x\":1}").expect("write");
    let r = verify(
        d.path(),
        &d.path().join(SIGNATURE_FILE),
        &opts(Some(pem), &[]),
    );
    assert_eq!(r.outcome, Outcome::Invalid);
    assert_eq!(
        r.findings[0].location.logical.as_deref(),
        Some("config.json")
    );
}
