//! Verification cost without the hashing: the keyless checks on the v1.1.0
//! reference vector (timestamp, Rekor SET, inclusion proof and checkpoint,
//! Fulcio chain, SCT, DSSE) and a public-key signature. The hashing of large
//! models is measured end to end by `bench/signing.py`.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use loadguard_signing::{Outcome, SIGNATURE_FILE, VerifyOptions, verify};

fn bench(c: &mut Criterion) {
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/model-signing");
    let keyless_dir = vectors.join("v1.1.0-sigstore");
    let keyless = VerifyOptions {
        identity: Some("stefanb@us.ibm.com".into()),
        issuer: Some("https://sigstore.verify.ibm.com/oauth2".into()),
        ..Default::default()
    };
    let key_dir = vectors.join("v1.1.0-elliptic-key");
    let key = VerifyOptions {
        public_key_pem: std::fs::read_to_string(vectors.join("keys/signing-key-pub.pem")).ok(),
        ..Default::default()
    };
    for (dir, options) in [(&keyless_dir, &keyless), (&key_dir, &key)] {
        let outcome = verify(dir, &dir.join(SIGNATURE_FILE), options).outcome;
        assert!(matches!(outcome, Outcome::Verified { .. }), "{outcome:?}");
    }
    let mut g = c.benchmark_group("signing");
    g.bench_function("keyless_v1_1_0_vector", |b| {
        b.iter(|| verify(&keyless_dir, &keyless_dir.join(SIGNATURE_FILE), &keyless));
    });
    g.bench_function("p384_key_vector", |b| {
        b.iter(|| verify(&key_dir, &key_dir.join(SIGNATURE_FILE), &key));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
