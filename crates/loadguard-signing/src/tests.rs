//! The reference vectors, negatives derived from them, and fresh signatures
//! made with keys generated here.

use std::path::{Path, PathBuf};

use super::*;
use crate::bundle::{BUNDLE_MEDIA_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, python_bytes_repr};
use crate::encoding::base64 as base64_decode;
use crate::manifest::under;

mod path_rules;
mod private_sigstore;

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
        ..Default::default()
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
    let mut raw = base64_decode(&sig).expect("b64");
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
        "v0.2.0-certificate",
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
    // A trust file with a real root, but not this chain's: the chain
    // cannot be built.
    let dir = vectors().join("v1.1.0-certificate");
    let mut o = opts(None, &[]);
    let stranger_key = private_sigstore::new_key();
    let stranger = private_sigstore::sign_tbs(
        private_sigstore::tbs(
            "CN=stranger root",
            "CN=stranger root",
            &stranger_key,
            (1_600_000_000, 2_400_000_000),
            private_sigstore::ca_extensions(),
        ),
        &stranger_key,
    );
    o.certificate_chain_pem = Some(private_sigstore::pem(&stranger));
    let r = verify(&dir, &dir.join(SIGNATURE_FILE), &o);
    assert_eq!(r.outcome, Outcome::Invalid);
    invalid_because(&r, "no trusted issuer");
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
        statuses(empty.path(), &VerifyOptions::default(), false)[0].1[0]
            .rule
            .code,
        "SIG001"
    );
}

fn b64(b: &[u8]) -> String {
    crate::encoding::base64_encode(b)
}

/// The in-toto statement the reference signer writes for a flat folder.
fn statement_for(dir: &Path) -> Vec<u8> {
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
    statement.to_string().into_bytes()
}

/// Signs a folder the way the reference signer does, with a fresh P-256 key.
fn sign_fresh(dir: &Path) -> String {
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::{EncodePublicKey, LineEnding};
    let key = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
    let payload = statement_for(dir);
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

const IDENTITY: &str = "stefanb@us.ibm.com";
const ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";

fn keyless_opts(identity: &str, issuer: &str) -> VerifyOptions {
    VerifyOptions {
        identity: Some(identity.to_owned()),
        issuer: Some(issuer.to_owned()),
        ignore_paths: vec!["ignore-me".to_owned()],
        ..Default::default()
    }
}

fn verify_dir(dir: &Path, o: &VerifyOptions) -> Report {
    verify(dir, &dir.join(SIGNATURE_FILE), o)
}

fn invalid_because(r: &Report, why: &str) {
    assert_eq!(r.outcome, Outcome::Invalid, "{:#?}", r.findings);
    assert!(
        r.findings.iter().any(|f| f.message.contains(why)),
        "expected {why:?} in {:#?}",
        r.findings
    );
}

#[test]
fn keyless_vectors_verify_offline_against_the_built_in_root() {
    for name in [
        "v1.1.0-sigstore",
        "v1.0.1-sigstore",
        "v1.0.0-sigstore",
        "v0.3.1-sigstore",
    ] {
        let r = verify_dir(&vectors().join(name), &keyless_opts(IDENTITY, ISSUER));
        let Outcome::Verified { by } = &r.outcome else {
            panic!("{name}: {:#?}", r.findings);
        };
        assert!(by.contains(IDENTITY) && by.contains(ISSUER), "{by}");
        // v1.1.0 is timed by the timestamp authority and by Rekor.
        assert_eq!(
            by.contains("timestamp authority"),
            name == "v1.1.0-sigstore",
            "{by}"
        );
        assert!(by.contains("Rekor integration time"), "{by}");
    }
}

#[test]
fn keyless_without_an_expected_signer_is_not_verified() {
    let dir = vectors().join("v1.1.0-sigstore");
    for o in [
        VerifyOptions::default(),
        VerifyOptions {
            identity: Some(IDENTITY.to_owned()),
            ..Default::default()
        },
    ] {
        let r = verify_dir(&dir, &o);
        let Outcome::Unverifiable { why } = &r.outcome else {
            panic!("{:#?}", r.findings);
        };
        assert!(why.contains(IDENTITY) && why.contains("--issuer"), "{why}");
    }
}

#[test]
fn keyless_signer_mismatch_fails() {
    let dir = vectors().join("v1.0.1-sigstore");
    invalid_because(
        &verify_dir(&dir, &keyless_opts("mallory@example.com", ISSUER)),
        "not by the expected identity mallory@example.com",
    );
    invalid_because(
        &verify_dir(&dir, &keyless_opts(IDENTITY, "https://accounts.google.com")),
        "not through the expected issuer",
    );
}

#[test]
fn keyless_changed_files_fail() {
    let d = copy("v1.1.0-sigstore");
    let o = keyless_opts(IDENTITY, ISSUER);
    std::fs::write(d.path().join("signme-1"), b"changed").expect("write");
    std::fs::write(d.path().join("extra.bin"), b"new").expect("write");
    let r = verify_dir(d.path(), &o);
    assert_eq!(r.outcome, Outcome::Invalid);
    let messages: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("digest mismatch")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("does not cover")),
        "{messages:?}"
    );
    std::fs::remove_file(d.path().join("extra.bin")).expect("rm");
    std::fs::remove_file(d.path().join("signme-2")).expect("rm");
    let r = verify_dir(d.path(), &o);
    assert!(
        r.findings.iter().any(|f| f.message.contains("missing")),
        "{:#?}",
        r.findings
    );
}

/// A vector's model.sig as JSON.
fn bundle_of(name: &str) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(vectors().join(name).join(SIGNATURE_FILE)).expect("read"),
    )
    .expect("json")
}

/// Rewrites a keyless vector's bundle and expects a failure.
fn tampered(name: &str, why: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let d = copy(name);
    let sig_path = d.path().join(SIGNATURE_FILE);
    let mut bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sig_path).expect("read")).expect("json");
    change(&mut bundle);
    std::fs::write(&sig_path, bundle.to_string()).expect("write");
    invalid_because(&verify_dir(d.path(), &keyless_opts(IDENTITY, ISSUER)), why);
}

fn flip_b64(v: &mut serde_json::Value, at: usize) {
    let mut raw = base64_decode(v.as_str().expect("string")).expect("b64");
    let i = at.min(raw.len() - 1);
    raw[i] ^= 0x01;
    *v = serde_json::Value::String(b64(&raw));
}

#[test]
fn keyless_tampering_is_caught_at_each_step() {
    let entry = "/verificationMaterial/tlogEntries/0";
    // A changed signature no longer matches what the log and the timestamp
    // authority saw.
    tampered(
        "v1.1.0-sigstore",
        "timestamp is over another signature",
        |b| {
            flip_b64(&mut b["dsseEnvelope"]["signatures"][0]["sig"], 40);
        },
    );
    tampered(
        "v1.0.0-sigstore",
        "log entry records another signature",
        |b| {
            flip_b64(&mut b["dsseEnvelope"]["signatures"][0]["sig"], 40);
        },
    );
    tampered("v1.0.0-sigstore", "inclusion proof", |b| {
        let e = b.pointer_mut(entry).expect("entry");
        flip_b64(&mut e["inclusionProof"]["hashes"][3], 5);
    });
    tampered("v1.0.0-sigstore", "checkpoint", |b| {
        let e = b.pointer_mut(entry).expect("entry");
        let cp = e["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .expect("checkpoint")
            .replacen("\n\n", "\nextra\n\n", 1);
        e["inclusionProof"]["checkpoint"]["envelope"] = cp.into();
    });
    tampered("v0.3.1-sigstore", "signed entry timestamp", |b| {
        let e = b.pointer_mut(entry).expect("entry");
        let t = e["integratedTime"]
            .as_str()
            .expect("time")
            .parse::<u64>()
            .expect("int");
        e["integratedTime"] = (t - 3600).to_string().into();
    });
    tampered("v0.3.1-sigstore", "no verified signing time", |b| {
        let e = b.pointer_mut(entry).expect("entry");
        e.as_object_mut()
            .expect("object")
            .remove("inclusionPromise");
    });
    tampered("v1.0.1-sigstore", "another payload", |b| {
        // The log entry of another signing: its body names another payload.
        let other = bundle_of("v1.0.0-sigstore");
        *b.pointer_mut(entry).expect("entry") = other.pointer(entry).expect("entry").clone();
    });
    tampered("v1.1.0-sigstore", "timestamp", |b| {
        let ts = b
            .pointer_mut("/verificationMaterial/timestampVerificationData/rfc3161Timestamps/0/signedTimestamp")
            .expect("timestamp");
        flip_b64(ts, 1200);
    });
    tampered("v1.1.0-sigstore", "transparency log entries", |b| {
        let e = b
            .pointer_mut("/verificationMaterial/tlogEntries")
            .expect("entries");
        *e = serde_json::json!([]);
    });
    tampered("v1.1.0-sigstore", "certificate", |b| {
        // Another Fulcio certificate (from another signing) in place of the signer's.
        let other = bundle_of("v1.0.1-sigstore");
        b["verificationMaterial"]["certificate"] =
            other["verificationMaterial"]["certificate"].clone();
    });
}

#[test]
fn keyless_needs_a_root_that_trusts_the_signer() {
    // A root whose only authority is the expired 2021-2022 Fulcio CA: the
    // 2025 certificate cannot chain.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("trust/public-good.json"),
    )
    .expect("root");
    let with_root = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut root: serde_json::Value = serde_json::from_str(&text).expect("json");
        change(&mut root);
        let mut o = keyless_opts(IDENTITY, ISSUER);
        o.trust_root = Some(std::sync::Arc::new(
            TrustedRoot::from_json(&root.to_string(), "test root").expect("root"),
        ));
        o
    };
    let o = with_root(&|root| {
        root["certificateAuthorities"]
            .as_array_mut()
            .expect("cas")
            .truncate(1);
    });
    invalid_because(
        &verify_dir(&vectors().join("v1.0.0-sigstore"), &o),
        "does not chain to a certificate authority of the test root",
    );
    // Without the timestamp authority, a timestamped bundle is refused.
    let o = with_root(&|root| root["timestampAuthorities"] = serde_json::json!([]));
    invalid_because(
        &verify_dir(&vectors().join("v1.1.0-sigstore"), &o),
        "not signed by a timestamp authority of the trusted root",
    );
    // Without the CT log, the SCT cannot be checked.
    let o = with_root(&|root| root["ctlogs"] = serde_json::json!([]));
    invalid_because(
        &verify_dir(&vectors().join("v1.0.1-sigstore"), &o),
        "CT log that the trusted root does not name",
    );
}

#[test]
fn the_v0_2_layout_verifies_and_its_pae_is_python_repr() {
    let dir = vectors().join("v0.2.0-certificate");
    let mut o = opts(None, &[]);
    o.certificate_chain_pem = Some(anchors());
    let Outcome::Verified { by } = verify_dir(&dir, &o).outcome else {
        panic!("v0.2.0 does not verify");
    };
    assert!(by.contains("legacy"), "{by}");
    let d = copy("v0.2.0-certificate");
    std::fs::write(d.path().join("signme-2"), b"changed").expect("write");
    assert_eq!(verify_dir(d.path(), &o).outcome, Outcome::Invalid);
    assert_eq!(
        python_bytes_repr(b"{\n  \"a\": 'b'\\\t\x00\xff}"),
        r#"b'{\n  "a": \'b\'\\\t\x00\xff}'"#
    );
    assert_eq!(python_bytes_repr(b"it's"), r#"b"it's""#);
}

/// Models signed by the reference tool (tests/fixtures/gen/signing.py): every
/// hash type and both serializations.
#[test]
fn reference_signer_outputs_verify_for_every_hash_type_and_serialization() {
    let key = std::fs::read_to_string(vectors().join("keys/p256-pub.pem")).expect("key");
    for name in [
        "files-sha256",
        "files-blake2",
        "files-blake3",
        "shards-sha256",
        "shards-blake2",
    ] {
        let dir = vectors().join("generated").join(name);
        let r = verify_dir(&dir, &opts(Some(key.clone()), &[]));
        assert!(
            matches!(r.outcome, Outcome::Verified { .. }),
            "{name}: {:#?}",
            r.findings
        );
        // One changed byte in the last shard of a file is named.
        let d = tempfile::tempdir().expect("tempdir");
        copy_tree(&dir, d.path());
        let weights = d.path().join("weights/extra.bin");
        let mut bytes = std::fs::read(&weights).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&weights, bytes).expect("write");
        let logical = invalid_at(d.path(), &key, name);
        let expected = if name.starts_with("shards-sha256") {
            "weights/extra.bin:0:3004"
        } else if name.starts_with("shards") {
            "weights/extra.bin:3000:3004"
        } else {
            "weights/extra.bin"
        };
        assert_eq!(logical, [expected], "{name}");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).expect("prefix");
        let target = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn sigstore_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/sigstore")
}

/// Verifies a generic Sigstore DSSE bundle (not a model signature): the
/// keyless checks only.
fn keyless_check(bundle_text: &str, root: &TrustedRoot) -> Result<keyless::Verified, String> {
    let bundle = parse_bundle(bundle_text)?;
    let Method::Keyless(material) = &bundle.method else {
        return Err("not keyless".into());
    };
    keyless::verify(
        material,
        &bundle.payload_type,
        &bundle.payload,
        &bundle.signature,
        root,
    )
}

#[test]
fn rekor_v2_entries_verify_against_the_staging_root() {
    let root = TrustedRoot::from_json(
        &std::fs::read_to_string(sigstore_fixtures().join("staging-trusted-root.json"))
            .expect("root"),
        "staging root",
    )
    .expect("root");
    for (name, san, issuer) in [
        (
            "a.dsse.staging-rekor-v2.txt.sigstore.json",
            "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main",
            "https://token.actions.githubusercontent.com",
        ),
        (
            "conda-attestation-rekor2.sigstore.json",
            "jku@goto.fi",
            "https://github.com/login/oauth",
        ),
    ] {
        let text = std::fs::read_to_string(sigstore_fixtures().join(name)).expect("bundle");
        let verified = keyless_check(&text, &root).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verified.identity.san, san);
        assert_eq!(verified.identity.issuer, issuer);
        // Time only from the timestamp authority: Rekor v2 has no SET.
        assert!(verified.describe_times().contains("timestamp authority"));
        assert!(!verified.describe_times().contains("Rekor"));
        // The public-good root does not know the staging logs.
        assert!(keyless_check(&text, &TrustedRoot::public_good()).is_err());
        // A flipped bit in the v2 entry body breaks the inclusion proof and
        // the body check.
        let mut bundle: serde_json::Value = serde_json::from_str(&text).expect("json");
        let body = bundle
            .pointer_mut("/verificationMaterial/tlogEntries/0/canonicalizedBody")
            .expect("body");
        let mut raw = base64_decode(body.as_str().expect("str")).expect("b64");
        let i = raw.len() / 2;
        raw[i] ^= 1;
        *body = serde_json::Value::String(b64(&raw));
        assert!(keyless_check(&bundle.to_string(), &root).is_err());
    }
}

#[test]
fn a_public_good_rekor_v1_attestation_verifies() {
    let text = std::fs::read_to_string(sigstore_fixtures().join("conda-attestation.sigstore.json"))
        .expect("bundle");
    let verified = keyless_check(&text, &TrustedRoot::public_good()).expect("verifies");
    assert!(verified.describe_times().contains("Rekor integration time"));
}

#[test]
fn what_the_signer_ignores_is_reported_next_to_a_valid_signature() {
    let key = std::fs::read_to_string(vectors().join("keys/p256-pub.pem")).expect("key");
    // model_signing signed with `weights` ignored: the signature holds, and
    // every weight file is reported high.
    let dir = vectors().join("generated/ignores-weights");
    let r = verify_dir(&dir, &opts(Some(key), &[]));
    assert!(
        matches!(r.outcome, Outcome::Verified { .. }),
        "{:#?}",
        r.findings
    );
    let excluded: Vec<(&str, Severity)> = r
        .findings
        .iter()
        .filter(|f| f.rule.code == "SIG006")
        .map(|f| (f.location.logical.as_deref().unwrap_or(""), f.severity))
        .collect();
    assert_eq!(
        excluded,
        [
            ("weights/extra.bin", Severity::High),
            ("weights/model.safetensors", Severity::High)
        ]
    );
    // A plain file the signer ignored is low; what the verifier ignores
    // itself is not reported.
    let dir = vectors().join("v1.1.0-elliptic-key");
    let r = verify_dir(&dir, &opts(Some(vector_key()), &[]));
    let sig006: Vec<Severity> = r
        .findings
        .iter()
        .filter(|f| f.rule.code == "SIG006")
        .map(|f| f.severity)
        .collect();
    assert_eq!(sig006, [Severity::Low]);
    let r = verify_dir(&dir, &opts(Some(vector_key()), &["ignore-me"]));
    assert!(r.findings.iter().all(|f| f.rule.code != "SIG006"));
}

#[test]
fn ignore_paths_match_like_the_reference() {
    assert!(under("a/b.bin", "a"));
    assert!(under("a/b.bin", "a/"));
    assert!(under("a/b.bin", "./a"));
    assert!(under("a", "a"));
    assert!(!under("ab/c", "a"));
    assert!(!under("a", "a/b"));
    // `.` is the whole model.
    assert!(under("weights/x.bin", "."));
}

#[test]
fn sharded_signatures_catch_appended_bytes_and_allow_empty_files() {
    let key = std::fs::read_to_string(vectors().join("keys/p256-pub.pem")).expect("key");
    for name in ["shards-sha256", "shards-blake2", "files-sha256"] {
        let d = tempfile::tempdir().expect("tempdir");
        copy_tree(&vectors().join("generated").join(name), d.path());
        // Data appended after the last signed byte.
        let weights = d.path().join("weights/model.safetensors");
        let mut bytes = std::fs::read(&weights).expect("read");
        bytes.extend_from_slice(b"appended payload");
        std::fs::write(&weights, bytes).expect("write");
        let logical = invalid_at(d.path(), &key, name);
        assert!(
            logical
                .iter()
                .all(|l| l.starts_with("weights/model.safetensors")),
            "{name}: {logical:?}"
        );
        assert!(!logical.is_empty(), "{name}");
    }
    // An empty file has no shards, so a sharded signature (like the
    // reference) does not list it; by files it is an extra file.
    for (name, holds) in [("shards-sha256", true), ("files-sha256", false)] {
        let d = tempfile::tempdir().expect("tempdir");
        copy_tree(&vectors().join("generated").join(name), d.path());
        std::fs::write(d.path().join("empty.txt"), b"").expect("write");
        let r = verify_dir(d.path(), &opts(Some(key.clone()), &[]));
        assert_eq!(
            matches!(r.outcome, Outcome::Verified { .. }),
            holds,
            "{name}: {:#?}",
            r.findings
        );
    }
}

#[test]
fn an_oversized_bundle_is_refused_without_reading_it() {
    let d = tempfile::tempdir().expect("tempdir");
    let sig = d.path().join(SIGNATURE_FILE);
    let f = std::fs::File::create(&sig).expect("create");
    f.set_len(MAX_SIGNATURE_BYTES + 1).expect("sparse");
    let r = verify(d.path(), &sig, &VerifyOptions::default());
    invalid_because(&r, "limit for a bundle");
    // The limit is the caller's: a vector over a tiny limit is refused.
    let dir = vectors().join("v1.1.0-elliptic-key");
    let o = VerifyOptions {
        max_signature_bytes: Some(100),
        ..opts(Some(vector_key()), &[])
    };
    invalid_because(&verify_dir(&dir, &o), "over the 100-byte limit");
}

/// Verifies `dir` with `key`, expects it invalid, and returns the logical
/// names (files or shards) the findings point at.
fn invalid_at(dir: &Path, key: &str, name: &str) -> Vec<String> {
    let r = verify_dir(dir, &opts(Some(key.to_owned()), &[]));
    assert_eq!(r.outcome, Outcome::Invalid, "{name}");
    r.findings
        .iter()
        .filter_map(|f| f.location.logical.clone())
        .collect()
}

#[test]
fn signature_material_in_non_canonical_base64_is_refused() {
    // The same bytes, written so that a lenient decoder reads them: without
    // padding, URL-safe, with a line break. A strict verifier refuses all.
    for (what, rewrite) in [
        (
            "unpadded",
            (|s: &str| s.trim_end_matches('=').to_owned()) as fn(&str) -> String,
        ),
        ("url-safe", |s: &str| s.replace('+', "-").replace('/', "_")),
        ("wrapped", |s: &str| format!("{}\n{}", &s[..8], &s[8..])),
    ] {
        let d = copy("v1.1.0-sigstore");
        let sig_path = d.path().join(SIGNATURE_FILE);
        let mut bundle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&sig_path).expect("read")).expect("json");
        let field = bundle
            .pointer_mut("/dsseEnvelope/signatures/0/sig")
            .expect("sig");
        let original = field.as_str().expect("str").to_owned();
        let changed = rewrite(&original);
        if changed == original {
            continue;
        }
        *field = serde_json::Value::String(changed);
        std::fs::write(&sig_path, bundle.to_string()).expect("write");
        let r = verify_dir(d.path(), &keyless_opts(IDENTITY, ISSUER));
        assert!(
            !matches!(r.outcome, Outcome::Verified { .. }),
            "{what}: {:#?}",
            r.findings
        );
    }
}
