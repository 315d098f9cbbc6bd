//! `model.sig` bundles on arbitrary bytes: JSON, base64 fields, certificates,
//! RFC 3161 timestamps, log entries and checkpoints, through the whole
//! verifier (keyless against the built-in root; key and certificate methods
//! with the vectors' key and anchors).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use loadguard_signing::{SIGNATURE_FILE, VerifyOptions, verify};

fn model() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("loadguard-fuzz-sig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("signme-1"), b"weights").expect("write");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = model();
    let sig = dir.join(SIGNATURE_FILE);
    if std::fs::write(&sig, data).is_err() {
        return;
    }
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/model-signing");
    let options = VerifyOptions {
        identity: Some("stefanb@us.ibm.com".into()),
        issuer: Some("https://sigstore.verify.ibm.com/oauth2".into()),
        public_key_pem: std::fs::read_to_string(format!("{vectors}/keys/signing-key-pub.pem")).ok(),
        certificate_chain_pem: std::fs::read_to_string(format!("{vectors}/keys/ca-cert.pem")).ok(),
        ..Default::default()
    };
    let _ = verify(dir, &sig, &options);
});
