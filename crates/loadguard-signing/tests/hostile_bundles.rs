//! Mutated signature bundles: whatever is changed, verification must not
//! panic; and a change to anything the signer or the log signed must never
//! come out verified. Wider runs by hand:
//! `LOADGUARD_FUZZ_SEED=7 LOADGUARD_FUZZ_ROUNDS=5000 cargo test -p loadguard-signing --test hostile_bundles`.

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use loadguard_signing::{Outcome, SIGNATURE_FILE, VerifyOptions, verify};
use serde_json::Value;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/model-signing")
}

/// xorshift64*: reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A vector folder and what verifies it.
fn cases() -> Vec<(&'static str, VerifyOptions, Vec<&'static str>)> {
    let read = |p: &str| std::fs::read_to_string(vectors().join(p)).ok();
    let ignore = vec!["ignore-me".to_owned()];
    let keyless = VerifyOptions {
        identity: Some("stefanb@us.ibm.com".into()),
        issuer: Some("https://sigstore.verify.ibm.com/oauth2".into()),
        ignore_paths: ignore.clone(),
        ..Default::default()
    };
    let key = VerifyOptions {
        public_key_pem: read("keys/signing-key-pub.pem"),
        ignore_paths: ignore.clone(),
        ..Default::default()
    };
    let cert = VerifyOptions {
        certificate_chain_pem: read("keys/ca-cert.pem"),
        ignore_paths: ignore,
        ..Default::default()
    };
    // JSON pointers to base64 fields whose every byte is signed or logged.
    let envelope = vec!["/dsseEnvelope/payload", "/dsseEnvelope/signatures/0/sig"];
    let mut logged = envelope.clone();
    logged.extend([
        "/verificationMaterial/certificate/rawBytes",
        "/verificationMaterial/tlogEntries/0/canonicalizedBody",
        "/verificationMaterial/tlogEntries/0/inclusionPromise/signedEntryTimestamp",
        "/verificationMaterial/tlogEntries/0/inclusionProof/rootHash",
        "/verificationMaterial/tlogEntries/0/inclusionProof/hashes/0",
    ]);
    vec![
        ("v1.1.0-sigstore", keyless.clone(), logged.clone()),
        ("v1.0.1-sigstore", keyless.clone(), logged.clone()),
        ("v0.3.1-sigstore", keyless, logged),
        ("v1.1.0-elliptic-key", key.clone(), envelope.clone()),
        ("v1.0.1-elliptic-key", key, envelope.clone()),
        ("v1.1.0-certificate", cert.clone(), envelope.clone()),
        ("v0.2.0-certificate", cert, envelope),
    ]
}

fn copy_vector(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(vectors().join(name)).expect("vector") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.path().join(p.file_name().expect("name"))).expect("copy");
    }
    dir
}

fn check(dir: &Path, bundle: &[u8], options: &VerifyOptions) -> Outcome {
    let sig = dir.join(SIGNATURE_FILE);
    std::fs::write(&sig, bundle).expect("write");
    verify(dir, &sig, options).outcome
}

#[test]
fn mutated_bundles_never_panic_and_signed_fields_never_verify() {
    let seed = env_u64("LOADGUARD_FUZZ_SEED", 0x5eed_1234);
    let rounds = env_u64("LOADGUARD_FUZZ_ROUNDS", 40) as usize;
    let mut rng = Rng(seed | 1);
    for (name, options, signed_fields) in cases() {
        let dir = copy_vector(name);
        let original = std::fs::read(dir.path().join(SIGNATURE_FILE)).expect("read");
        assert!(
            matches!(
                check(dir.path(), &original, &options),
                Outcome::Verified { .. }
            ),
            "{name} must verify unchanged"
        );
        let json: Value = serde_json::from_slice(&original).expect("json");
        for round in 0..rounds {
            // Raw text: flip, truncate, splice.
            let mut text = original.clone();
            match rng.below(3) {
                0 => {
                    let i = rng.below(text.len());
                    text[i] ^= 1 << rng.below(8);
                }
                1 => text.truncate(rng.below(text.len())),
                _ => {
                    let a = rng.below(text.len());
                    let b = (a + rng.below(64)).min(text.len());
                    let chunk = text[a..b].to_vec();
                    let at = rng.below(text.len());
                    text.splice(at..at, chunk);
                }
            }
            let _ = check(dir.path(), &text, &options);

            // A signed field, decoded, changed by one bit.
            let pointer = signed_fields[rng.below(signed_fields.len())];
            let mut changed = json.clone();
            let field = changed.pointer_mut(pointer).expect("field");
            let mut raw = Base64::decode_vec(field.as_str().expect("string")).expect("b64");
            let i = rng.below(raw.len());
            raw[i] ^= 1 << rng.below(8);
            *field = Value::String(Base64::encode_string(&raw));
            let outcome = check(dir.path(), changed.to_string().as_bytes(), &options);
            assert!(
                !matches!(outcome, Outcome::Verified { .. }),
                "{name} round {round} (seed {seed}): a bit flip in {pointer} byte {i} still verifies"
            );
        }
    }
}
