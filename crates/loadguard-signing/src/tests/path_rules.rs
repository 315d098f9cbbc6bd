//! One chain per rule of `path`, built here with fresh P-256 keys, that
//! breaks only that rule; and the same chain with the rule kept, which
//! validates. Then the certificate method end to end on the classic case:
//! a certificate that is not a CA signing the next link.

use der::Encode;
use der::asn1::BitString;
use p256::ecdsa::SigningKey;
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};

use super::private_sigstore::{NOW, ca_extensions, ext, new_key, oid, pem, sign_tbs, tbs};
use crate::path::{self, Usage};

const YEAR: u64 = 365 * 86_400;
const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";

fn bc(ca: bool, path_len: Option<u8>) -> Extension {
    let v = BasicConstraints {
        ca,
        path_len_constraint: path_len,
    };
    ext("2.5.29.19", true, v.to_der().expect("bc"))
}

/// keyUsage with these bits of the first byte (0x80 digitalSignature,
/// 0x04 keyCertSign, 0x02 cRLSign).
fn ku(bits: u8) -> Extension {
    let unused = bits.trailing_zeros().min(7) as u8;
    ext("2.5.29.15", true, vec![0x03, 0x02, unused, bits])
}

fn eku(oids: &[&str]) -> Extension {
    let v = ExtendedKeyUsage(oids.iter().map(|o| oid(o)).collect());
    ext("2.5.29.37", false, v.to_der().expect("eku"))
}

fn cert(
    subject: &str,
    issuer: &str,
    key: &SigningKey,
    by: &SigningKey,
    exts: Vec<Extension>,
) -> Certificate {
    sign_tbs(
        tbs(subject, issuer, key, (NOW - YEAR, NOW + YEAR), exts),
        by,
    )
}

struct Pki {
    root: Certificate,
    root_key: SigningKey,
    mid: Certificate,
    mid_key: SigningKey,
}

/// root (CA) -> intermediate (CA, pathLen 0) -> leaves.
fn pki() -> Pki {
    let root_key = new_key();
    let root = cert("CN=root", "CN=root", &root_key, &root_key, ca_extensions());
    let mid_key = new_key();
    let mid = cert(
        "CN=intermediate",
        "CN=root",
        &mid_key,
        &root_key,
        vec![bc(true, Some(0)), ku(0x06)],
    );
    Pki {
        root,
        root_key,
        mid,
        mid_key,
    }
}

fn code_leaf(p: &Pki, exts: Vec<Extension>) -> Certificate {
    cert(
        "CN=publisher",
        "CN=intermediate",
        &new_key(),
        &p.mid_key,
        exts,
    )
}

fn broken_rule(path: &[&Certificate], usage: Usage) -> String {
    match path::validate(path, NOW, usage) {
        Ok(()) => "valid".into(),
        Err(b) => b.rule.to_owned(),
    }
}

#[test]
fn a_well_formed_chain_validates() {
    let p = pki();
    let leaf = code_leaf(&p, vec![ku(0x80), eku(&[CODE_SIGNING])]);
    assert_eq!(
        broken_rule(&[&leaf, &p.mid, &p.root], Usage::CodeSigning),
        "valid"
    );
}

#[test]
fn each_rule_is_broken_on_its_own() {
    let p = pki();
    let good_leaf = || code_leaf(&p, vec![ku(0x80)]);
    // A certificate that is not a CA signs the next link.
    let not_ca_key = new_key();
    let not_ca = cert(
        "CN=ee",
        "CN=root",
        &not_ca_key,
        &p.root_key,
        vec![bc(false, None), ku(0x86)],
    );
    let below = cert(
        "CN=publisher",
        "CN=ee",
        &new_key(),
        &not_ca_key,
        vec![ku(0x80)],
    );
    assert_eq!(
        broken_rule(&[&below, &not_ca, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.4 (k), basicConstraints cA"
    );
    // No basicConstraints at all is no CA either.
    let bare_key = new_key();
    let bare = cert("CN=bare", "CN=root", &bare_key, &p.root_key, vec![ku(0x06)]);
    let under_bare = cert(
        "CN=publisher",
        "CN=bare",
        &new_key(),
        &bare_key,
        vec![ku(0x80)],
    );
    assert_eq!(
        broken_rule(&[&under_bare, &bare, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.4 (k), basicConstraints cA"
    );
    // pathLenConstraint 0 on the intermediate, one more CA below it.
    let sub_key = new_key();
    let sub = cert(
        "CN=sub",
        "CN=intermediate",
        &sub_key,
        &p.mid_key,
        vec![bc(true, None), ku(0x06)],
    );
    let deep = cert(
        "CN=publisher",
        "CN=sub",
        &new_key(),
        &sub_key,
        vec![ku(0x80)],
    );
    assert_eq!(
        broken_rule(&[&deep, &sub, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.4 (l), path length"
    );
    // A CA whose key usage lacks keyCertSign.
    let nosign_key = new_key();
    let nosign = cert(
        "CN=nosign",
        "CN=root",
        &nosign_key,
        &p.root_key,
        vec![bc(true, None), ku(0x80)],
    );
    let under_nosign = cert(
        "CN=publisher",
        "CN=nosign",
        &new_key(),
        &nosign_key,
        vec![ku(0x80)],
    );
    assert_eq!(
        broken_rule(&[&under_nosign, &nosign, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.4 (n), keyCertSign"
    );
    // A leaf for TLS servers only, and a leaf with no usage at all.
    for exts in [vec![eku(&[SERVER_AUTH])], vec![]] {
        let leaf = code_leaf(&p, exts);
        assert_eq!(
            broken_rule(&[&leaf, &p.mid, &p.root], Usage::CodeSigning),
            "RFC 5280 4.2.1.3 / 4.2.1.12, key usage"
        );
    }
    // A critical extension nobody here understands (certificate policies).
    let leaf = code_leaf(&p, vec![ku(0x80), ext("2.5.29.32", true, vec![0x30, 0x00])]);
    assert_eq!(
        broken_rule(&[&leaf, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 4.2, critical extensions"
    );
    // The outer signature algorithm differs from the signed one.
    let mut leaf = good_leaf();
    leaf.signature_algorithm.oid = oid("1.2.840.10045.4.3.3");
    assert_eq!(
        broken_rule(&[&leaf, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 4.1.1.2, signatureAlgorithm"
    );
    // Signed by the intermediate's key but naming another issuer.
    let misnamed = cert(
        "CN=publisher",
        "CN=somebody else",
        &new_key(),
        &p.mid_key,
        vec![ku(0x80)],
    );
    assert_eq!(
        broken_rule(&[&misnamed, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.3 (a)(4), name chaining"
    );
    // A forged signature.
    let mut forged = good_leaf();
    let mut sig = forged.signature.raw_bytes().to_vec();
    let last = sig.len() - 1;
    sig[last] ^= 1;
    forged.signature = BitString::from_bytes(&sig).expect("bits");
    assert_eq!(
        broken_rule(&[&forged, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.3 (a)(1), signature"
    );
    // Not valid at the verification time.
    let expired = sign_tbs(
        tbs(
            "CN=publisher",
            "CN=intermediate",
            &new_key(),
            (NOW - 2 * YEAR, NOW - YEAR),
            vec![ku(0x80)],
        ),
        &p.mid_key,
    );
    assert_eq!(
        broken_rule(&[&expired, &p.mid, &p.root], Usage::CodeSigning),
        "RFC 5280 6.1.3 (a)(2), validity"
    );
    // Each rule kept: the same shapes validate.
    assert_eq!(
        broken_rule(&[&good_leaf(), &p.mid, &p.root], Usage::CodeSigning),
        "valid"
    );
}

#[test]
fn the_certificate_method_refuses_a_non_ca_link() {
    let p = pki();
    // root -> end entity (cA false) -> leaf, every signature valid.
    let ee_key = new_key();
    let ee = cert(
        "CN=ee",
        "CN=root",
        &ee_key,
        &p.root_key,
        vec![bc(false, None), ku(0x80)],
    );
    let leaf = cert("CN=publisher", "CN=ee", &new_key(), &ee_key, vec![ku(0x80)]);
    let err = crate::certificate::verify_chain(&[leaf, ee], std::slice::from_ref(&p.root))
        .expect_err("a non-CA link must not verify");
    assert!(err.contains("basicConstraints cA"), "{err}");
    // Through the real intermediate it verifies.
    let leaf = code_leaf(&p, vec![ku(0x80)]);
    let anchors = crate::certificate::load_anchors(&pem(&p.root)).expect("anchors");
    assert!(crate::certificate::verify_chain(&[leaf, p.mid.clone()], &anchors).is_ok());
}
