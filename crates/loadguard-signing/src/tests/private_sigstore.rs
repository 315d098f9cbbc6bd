//! A private Sigstore (and PKI) made in the test: Fulcio CA, CT log, Rekor log and
//! timestamp authority keys generated here, and a model signed, logged and
//! timestamped the way the public-good instance does it. Nothing depends on
//! the reference vectors, and each check can be broken on its own.

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, Ia5String, ObjectIdentifier, OctetString, UtcTime};
use der::{Decode, Encode};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use x509_cert::Certificate;
use x509_cert::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::time::{Time, Validity};

use super::*;
use crate::keyless::rekor::{
    hash_leaf,
    tests::{mth, path},
};

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const SHA256_OID: &str = "2.16.840.1.101.3.4.2.1";
const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// 2025-06-15: when the test signs.
pub(super) const NOW: u64 = 1_750_000_000;
const ALICE: &str = "alice@example.com";
const ISSUER_URL: &str = "https://issuer.example";

pub(super) fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

pub(super) fn new_key() -> SigningKey {
    SigningKey::random(&mut rand_core::OsRng)
}

fn spki_der(k: &SigningKey) -> Vec<u8> {
    k.verifying_key()
        .to_public_key_der()
        .expect("spki")
        .as_bytes()
        .to_vec()
}

fn sign(k: &SigningKey, message: &[u8]) -> Vec<u8> {
    let sig: DerSignature = k.sign(message);
    sig.as_bytes().to_vec()
}

pub(super) fn ext(id: &str, critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        extn_id: oid(id),
        critical,
        extn_value: OctetString::new(value).expect("octets"),
    }
}

fn utc(t: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(Duration::from_secs(t)).expect("time"))
}

/// DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid_der(s: &str) -> Vec<u8> {
    tlv(0x06, oid(s).as_bytes())
}

pub(super) fn tbs(
    subject: &str,
    issuer: &str,
    key: &SigningKey,
    valid: (u64, u64),
    extensions: Vec<Extension>,
) -> TbsCertificate {
    TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: SerialNumber::new(&[0x01, 0x42]).expect("serial"),
        signature: AlgorithmIdentifierOwned {
            oid: oid(ECDSA_SHA256),
            parameters: None,
        },
        issuer: Name::from_str(issuer).expect("issuer"),
        validity: Validity {
            not_before: utc(valid.0),
            not_after: utc(valid.1),
        },
        // Fulcio leaves have an empty subject.
        subject: if subject.is_empty() {
            Name::default()
        } else {
            Name::from_str(subject).expect("subject")
        },
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(&spki_der(key)).expect("spki"),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    }
}

pub(super) fn sign_tbs(tbs: TbsCertificate, issuer_key: &SigningKey) -> Certificate {
    let sig = sign(issuer_key, &tbs.to_der().expect("tbs"));
    Certificate {
        signature_algorithm: tbs.signature.clone(),
        tbs_certificate: tbs,
        signature: BitString::from_bytes(&sig).expect("bits"),
    }
}

pub(super) fn ca_extensions() -> Vec<Extension> {
    let bc = BasicConstraints {
        ca: true,
        path_len_constraint: None,
    };
    vec![
        ext("2.5.29.19", true, bc.to_der().expect("bc")),
        // keyCertSign and cRLSign.
        ext("2.5.29.15", true, vec![0x03, 0x02, 0x01, 0x06]),
    ]
}

fn der_b64(c: &Certificate) -> String {
    b64(&c.to_der().expect("der"))
}

pub(super) fn pem(c: &Certificate) -> String {
    let body = b64(&c.to_der().expect("der"));
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|l| std::str::from_utf8(l).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// What a test changes in an otherwise honest signing.
struct Knobs {
    timestamp: bool,
    set: bool,
    /// Sign the envelope with another key than the certificate's (and log it).
    foreign_dsse_key: bool,
    /// The SCT signed by a CT key the trusted root does not have.
    foreign_sct_key: bool,
    /// The SCT logged for another certificate (another precertificate).
    sct_for_other: bool,
    code_signing: bool,
    integrated_time: u64,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            timestamp: true,
            set: true,
            foreign_dsse_key: false,
            foreign_sct_key: false,
            sct_for_other: false,
            code_signing: true,
            integrated_time: NOW,
        }
    }
}

struct Sigstore {
    ca_key: SigningKey,
    ca: Certificate,
    ct_key: SigningKey,
    rekor_key: SigningKey,
    tsa_root: Certificate,
    tsa_key: SigningKey,
    tsa: Certificate,
}

impl Sigstore {
    fn new() -> Self {
        let ca_key = new_key();
        let years = (NOW - 86_400 * 365, NOW + 86_400 * 365);
        let ca = sign_tbs(
            tbs("CN=fulcio", "CN=fulcio", &ca_key, years, ca_extensions()),
            &ca_key,
        );
        let tsa_root_key = new_key();
        let tsa_root = sign_tbs(
            tbs(
                "CN=tsa-root",
                "CN=tsa-root",
                &tsa_root_key,
                years,
                ca_extensions(),
            ),
            &tsa_root_key,
        );
        let tsa_key = new_key();
        let eku = ExtendedKeyUsage(vec![oid(TIME_STAMPING)]);
        let tsa = sign_tbs(
            tbs(
                "CN=tsa",
                "CN=tsa-root",
                &tsa_key,
                years,
                vec![ext("2.5.29.37", true, eku.to_der().expect("eku"))],
            ),
            &tsa_root_key,
        );
        Self {
            ca_key,
            ca,
            ct_key: new_key(),
            rekor_key: new_key(),
            tsa_root,
            tsa_key,
            tsa,
        }
    }

    fn log_id(key: &SigningKey) -> Vec<u8> {
        Sha256::digest(spki_der(key)).to_vec()
    }

    fn trusted_root(&self) -> TrustedRoot {
        let log = |k: &SigningKey| {
            serde_json::json!({
                "baseUrl": "https://log.example",
                "hashAlgorithm": "SHA2_256",
                "publicKey": {
                    "rawBytes": b64(&spki_der(k)),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                    "validFor": {"start": "2020-01-01T00:00:00Z"}
                },
                "logId": {"keyId": b64(&Self::log_id(k))}
            })
        };
        let root = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(&self.rekor_key)],
            "ctlogs": [log(&self.ct_key)],
            "certificateAuthorities": [{
                "certChain": {"certificates": [{"rawBytes": der_b64(&self.ca)}]},
                "validFor": {"start": "2020-01-01T00:00:00Z"}
            }],
            "timestampAuthorities": [{
                "certChain": {"certificates": [
                    {"rawBytes": der_b64(&self.tsa)},
                    {"rawBytes": der_b64(&self.tsa_root)}
                ]},
                "validFor": {"start": "2020-01-01T00:00:00Z"}
            }]
        });
        TrustedRoot::from_json(&root.to_string(), "private test root").expect("root")
    }

    /// A Fulcio-style certificate for `key`, valid ten minutes, with its SCT.
    fn leaf(&self, key: &SigningKey, knobs: &Knobs) -> Certificate {
        let eku = ExtendedKeyUsage(vec![oid(if knobs.code_signing {
            CODE_SIGNING
        } else {
            TIME_STAMPING
        })]);
        let san = SubjectAltName(vec![GeneralName::Rfc822Name(
            Ia5String::new(ALICE).expect("ia5"),
        )]);
        let mut t = tbs(
            "",
            "CN=fulcio",
            key,
            (NOW - 60, NOW + 540),
            vec![
                ext("2.5.29.15", true, vec![0x03, 0x02, 0x07, 0x80]),
                ext("2.5.29.37", false, eku.to_der().expect("eku")),
                ext("2.5.29.17", true, san.to_der().expect("san")),
                ext(
                    "1.3.6.1.4.1.57264.1.8",
                    false,
                    tlv(0x0c, ISSUER_URL.as_bytes()),
                ),
            ],
        );
        // The CT log signs the precertificate: this TBS without the SCT.
        let precert = if knobs.sct_for_other {
            let mut other = t.clone();
            other.serial_number = SerialNumber::new(&[0x07]).expect("serial");
            other.to_der().expect("tbs")
        } else {
            t.to_der().expect("tbs")
        };
        let ct_key = if knobs.foreign_sct_key {
            new_key()
        } else {
            self.ct_key.clone()
        };
        let timestamp_ms = NOW * 1000;
        let mut signed = vec![0, 0];
        signed.extend(timestamp_ms.to_be_bytes());
        signed.extend([0, 1]);
        signed.extend(Sha256::digest(spki_der(&self.ca_key)));
        signed.extend(&(precert.len() as u32).to_be_bytes()[1..]);
        signed.extend(&precert);
        signed.extend([0, 0]);
        let sig = sign(&ct_key, &signed);
        let mut sct = vec![0];
        sct.extend(Self::log_id(&self.ct_key));
        sct.extend(timestamp_ms.to_be_bytes());
        sct.extend([0, 0, 4, 3]);
        sct.extend((sig.len() as u16).to_be_bytes());
        sct.extend(sig);
        let mut list = ((sct.len() + 2) as u16).to_be_bytes().to_vec();
        list.extend((sct.len() as u16).to_be_bytes());
        list.extend(sct);
        t.extensions.as_mut().expect("extensions").push(ext(
            "1.3.6.1.4.1.11129.2.4.2",
            false,
            tlv(0x04, &list),
        ));
        sign_tbs(t, &self.ca_key)
    }

    /// A Rekor v1 dsse entry, seventh of eight leaves in the log.
    fn log_entry(
        &self,
        payload: &[u8],
        signature: &[u8],
        leaf: &Certificate,
        knobs: &Knobs,
    ) -> serde_json::Value {
        let body = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(b"envelope"))},
                "payloadHash": {"algorithm": "sha256", "value": hex(&Sha256::digest(payload))},
                "signatures": [{"signature": b64(signature), "verifier": b64(pem(leaf).as_bytes())}]
            }
        })
        .to_string();
        let index = 6;
        let leaves: Vec<[u8; 32]> = (0..8u8)
            .map(|i| {
                if usize::from(i) == index {
                    hash_leaf(body.as_bytes())
                } else {
                    hash_leaf(&[i])
                }
            })
            .collect();
        let root = mth(&leaves);
        let log_id = Self::log_id(&self.rekor_key);
        let note = format!("log.example - 7\n{}\n{}\n", leaves.len(), b64(&root));
        let mut note_sig = log_id[..4].to_vec();
        note_sig.extend(sign(&self.rekor_key, note.as_bytes()));
        let checkpoint = format!("{note}\n\u{2014} log.example {}\n", b64(&note_sig));
        let log_index = 1234;
        let canonical = format!(
            r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{log_index}}}"#,
            b64(body.as_bytes()),
            knobs.integrated_time,
            hex(&log_id)
        );
        let mut entry = serde_json::json!({
            "logIndex": log_index.to_string(),
            "logId": {"keyId": b64(&log_id)},
            "kindVersion": {"kind": "dsse", "version": "0.0.1"},
            "integratedTime": knobs.integrated_time.to_string(),
            "inclusionProof": {
                "logIndex": index.to_string(),
                "rootHash": b64(&root),
                "treeSize": leaves.len().to_string(),
                "hashes": path(index, &leaves).iter().map(|h| b64(h)).collect::<Vec<_>>(),
                "checkpoint": {"envelope": checkpoint}
            },
            "canonicalizedBody": b64(body.as_bytes())
        });
        if knobs.set {
            entry["inclusionPromise"] = serde_json::json!({
                "signedEntryTimestamp": b64(&sign(&self.rekor_key, canonical.as_bytes()))
            });
        }
        entry
    }

    /// An RFC 3161 response over the DSSE signature (CMS SignedData).
    fn timestamp(&self, signature: &[u8]) -> Vec<u8> {
        self.timestamp_naming(signature, &self.tsa)
    }

    /// A token whose signer identifier names `sid_of` (the TSA's own
    /// certificate in a well-formed token).
    fn timestamp_naming(&self, signature: &[u8], sid_of: &Certificate) -> Vec<u8> {
        let gen_time: String = crate::time::format_unix(NOW + 1)
            .chars()
            .filter(char::is_ascii_digit)
            .chain(std::iter::once('Z'))
            .collect();
        let tst_info = seq(&[
            tlv(0x02, &[1]),
            oid_der("1.3.6.1.4.1.57264.2"),
            seq(&[
                seq(&[oid_der(SHA256_OID)]),
                tlv(0x04, &Sha256::digest(signature)),
            ]),
            tlv(0x02, &[7]),
            tlv(0x18, gen_time.as_bytes()),
        ]);
        let attrs = [
            seq(&[
                oid_der("1.2.840.113549.1.9.3"),
                tlv(0x31, &oid_der("1.2.840.113549.1.9.16.1.4")),
            ]),
            seq(&[
                oid_der("1.2.840.113549.1.9.4"),
                tlv(0x31, &tlv(0x04, &Sha256::digest(&tst_info))),
            ]),
        ]
        .concat();
        let sig = sign(&self.tsa_key, &tlv(0x31, &attrs));
        // sid: issuerAndSerialNumber of the TSA's certificate.
        let sid = seq(&[
            sid_of.tbs_certificate.issuer.to_der().expect("issuer"),
            sid_of
                .tbs_certificate
                .serial_number
                .to_der()
                .expect("serial"),
        ]);
        let signer_info = seq(&[
            tlv(0x02, &[1]),
            sid,
            seq(&[oid_der(SHA256_OID)]),
            tlv(0xa0, &attrs),
            seq(&[oid_der(ECDSA_SHA256)]),
            tlv(0x04, &sig),
        ]);
        let signed_data = seq(&[
            tlv(0x02, &[3]),
            tlv(0x31, &seq(&[oid_der(SHA256_OID)])),
            seq(&[
                oid_der("1.2.840.113549.1.9.16.1.4"),
                tlv(0xa0, &tlv(0x04, &tst_info)),
            ]),
            tlv(0x31, &signer_info),
        ]);
        seq(&[
            seq(&[tlv(0x02, &[0])]),
            seq(&[oid_der("1.2.840.113549.1.7.2"), tlv(0xa0, &signed_data)]),
        ])
    }

    /// Signs `dir` keylessly and writes its model.sig.
    fn sign_model(&self, dir: &Path, knobs: &Knobs) {
        let key = new_key();
        let leaf = self.leaf(&key, knobs);
        let payload = statement_for(dir);
        let dsse_key = if knobs.foreign_dsse_key {
            new_key()
        } else {
            key
        };
        let signature = sign(&dsse_key, &pae(PAYLOAD_TYPE, &payload));
        let mut material = serde_json::json!({
            "certificate": {"rawBytes": der_b64(&leaf)},
            "tlogEntries": [self.log_entry(&payload, &signature, &leaf, knobs)],
        });
        if knobs.timestamp {
            material["timestampVerificationData"] = serde_json::json!({
                "rfc3161Timestamps": [{"signedTimestamp": b64(&self.timestamp(&signature))}]
            });
        }
        let bundle = serde_json::json!({
            "mediaType": BUNDLE_MEDIA_TYPE,
            "verificationMaterial": material,
            "dsseEnvelope": {
                "payload": b64(&payload),
                "payloadType": PAYLOAD_TYPE,
                "signatures": [{"sig": b64(&signature), "keyid": ""}]
            }
        });
        std::fs::write(dir.join(SIGNATURE_FILE), bundle.to_string()).expect("write");
    }
}

fn model() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("model.safetensors"), b"weights").expect("write");
    std::fs::write(d.path().join("config.json"), b"{}").expect("write");
    d
}

fn options(sigstore: &Sigstore) -> VerifyOptions {
    VerifyOptions {
        identity: Some(ALICE.to_owned()),
        issuer: Some(ISSUER_URL.to_owned()),
        trust_root: Some(std::sync::Arc::new(sigstore.trusted_root())),
        ..Default::default()
    }
}

fn outcome(knobs: Knobs) -> Report {
    let sigstore = Sigstore::new();
    let d = model();
    sigstore.sign_model(d.path(), &knobs);
    verify_dir(d.path(), &options(&sigstore))
}

#[test]
fn a_fresh_keyless_signature_verifies_with_any_source_of_time() {
    for (timestamp, set) in [(true, true), (false, true), (true, false)] {
        let r = outcome(Knobs {
            timestamp,
            set,
            ..Knobs::default()
        });
        let Outcome::Verified { by } = &r.outcome else {
            panic!("timestamp {timestamp}, set {set}: {:#?}", r.findings);
        };
        assert!(by.contains(ALICE) && by.contains(ISSUER_URL), "{by}");
        assert_eq!(by.contains("timestamp authority"), timestamp, "{by}");
        assert_eq!(by.contains("Rekor integration time"), set, "{by}");
    }
}

#[test]
fn each_keyless_check_fails_on_its_own() {
    invalid_because(
        &outcome(Knobs {
            timestamp: false,
            set: false,
            ..Knobs::default()
        }),
        "no verified signing time",
    );
    invalid_because(
        &outcome(Knobs {
            foreign_dsse_key: true,
            ..Knobs::default()
        }),
        "signature does not verify with the signing certificate",
    );
    invalid_because(
        &outcome(Knobs {
            foreign_sct_key: true,
            ..Knobs::default()
        }),
        "signed certificate timestamp does not verify",
    );
    invalid_because(
        &outcome(Knobs {
            sct_for_other: true,
            ..Knobs::default()
        }),
        "signed certificate timestamp does not verify",
    );
    invalid_because(
        &outcome(Knobs {
            code_signing: false,
            ..Knobs::default()
        }),
        "lacks codeSigning",
    );
    invalid_because(
        &outcome(Knobs {
            integrated_time: NOW + 3600,
            ..Knobs::default()
        }),
        "not valid at the signing time",
    );
}

#[test]
fn another_instance_does_not_vouch_for_a_signature() {
    let ours = Sigstore::new();
    let d = model();
    ours.sign_model(d.path(), &Knobs::default());
    // Verified against a root of another Sigstore, and against the public good.
    invalid_because(
        &verify_dir(d.path(), &options(&Sigstore::new())),
        "checked against the private test root",
    );
    // Against the built-in root, the message says how to use a newer one.
    invalid_because(
        &verify_dir(d.path(), &keyless_opts(ALICE, ISSUER_URL)),
        "pass a current trusted_root.json with --trust-root",
    );
    // A changed file after signing.
    std::fs::write(d.path().join("config.json"), b"{\"evil\": 1}").expect("write");
    let r = verify_dir(d.path(), &options(&ours));
    invalid_because(&r, "digest mismatch");
}

/// The certificate method with a PKI made here: a P-256 CA and a leaf that
/// may sign code, the bundle carrying the leaf.
#[test]
fn a_fresh_certificate_signature_verifies_against_its_ca_only() {
    let sigstore = Sigstore::new();
    let key = new_key();
    let leaf = sign_tbs(
        tbs(
            "CN=publisher",
            "CN=fulcio",
            &key,
            (NOW - 60, NOW + 86_400),
            vec![ext("2.5.29.15", true, vec![0x03, 0x02, 0x07, 0x80])],
        ),
        &sigstore.ca_key,
    );
    let d = model();
    let payload = statement_for(d.path());
    let signature = sign(&key, &pae(PAYLOAD_TYPE, &payload));
    let bundle = serde_json::json!({
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {
            "x509CertificateChain": {"certificates": [{"rawBytes": der_b64(&leaf)}]},
            "tlogEntries": []
        },
        "dsseEnvelope": {
            "payload": b64(&payload),
            "payloadType": PAYLOAD_TYPE,
            "signatures": [{"sig": b64(&signature), "keyid": ""}]
        }
    });
    std::fs::write(d.path().join(SIGNATURE_FILE), bundle.to_string()).expect("write");
    let with_anchor = |anchor: &Certificate| VerifyOptions {
        certificate_chain_pem: Some(pem(anchor)),
        ..Default::default()
    };
    let r = verify_dir(d.path(), &with_anchor(&sigstore.ca));
    assert!(
        matches!(r.outcome, Outcome::Verified { .. }),
        "{:#?}",
        r.findings
    );
    // Another CA of the same name does not vouch for it: its key did not sign.
    invalid_because(
        &verify_dir(d.path(), &with_anchor(&Sigstore::new().ca)),
        "RFC 5280 6.1.3 (a)(1), signature",
    );
    std::fs::remove_file(d.path().join("config.json")).expect("rm");
    invalid_because(&verify_dir(d.path(), &with_anchor(&sigstore.ca)), "missing");
}

#[test]
fn a_timestamp_whose_signer_identifier_names_another_certificate_is_refused() {
    let sigstore = Sigstore::new();
    let root = sigstore.trusted_root();
    let signature = b"the DSSE signature";
    let good = sigstore.timestamp(signature);
    assert_eq!(
        crate::keyless::timestamp::verify(&good, signature, &root),
        Ok(NOW + 1)
    );
    // Signed by the TSA's key, but naming the Fulcio CA as the signer.
    let lying = sigstore.timestamp_naming(signature, &sigstore.ca);
    let err = crate::keyless::timestamp::verify(&lying, signature, &root).expect_err("refused");
    assert!(err.contains("signer identifier"), "{err}");
    // BER's indefinite length is not DER.
    let mut ber = good.clone();
    ber[1] = 0x80;
    assert!(crate::keyless::timestamp::verify(&ber, signature, &root).is_err());
    // Nor is a long-form length with a leading zero byte (the same length,
    // written in one byte more).
    assert_eq!(good[1] & 0x80, 0x80, "the token is longer than 127 bytes");
    let n = usize::from(good[1] & 0x7f);
    let mut padded = vec![good[0], 0x80 | (n as u8 + 1), 0x00];
    padded.extend_from_slice(&good[2..]);
    assert!(crate::keyless::timestamp::verify(&padded, signature, &root).is_err());
}
