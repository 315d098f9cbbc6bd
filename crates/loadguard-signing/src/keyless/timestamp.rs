//! RFC 3161 signed timestamps: a timestamp authority of the trusted root
//! signed (CMS SignedData, RFC 5652) a TSTInfo whose message imprint is the
//! hash of the DSSE signature, at `genTime`. That time then anchors the
//! certificate checks.

use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;

use super::trust_root::TrustedRoot;
use crate::asn1::{self, CONTEXT_0, CONTEXT_1, INTEGER, OCTET_STRING, SEQUENCE, SET, Tlv};
use crate::certificate::{signed_by, spki_der};
use crate::key::Key;
use crate::path::{self, Usage};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
/// More timestamps than this in one bundle is abuse (sigstore-python's limit).
pub(crate) const MAX_TIMESTAMPS: usize = 32;

fn digest(alg_oid: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    Ok(match alg_oid {
        "2.16.840.1.101.3.4.2.1" => Sha256::digest(data).to_vec(),
        "2.16.840.1.101.3.4.2.2" => Sha384::digest(data).to_vec(),
        "2.16.840.1.101.3.4.2.3" => Sha512::digest(data).to_vec(),
        other => return Err(format!("timestamp hash algorithm {other} is not supported")),
    })
}

/// The OID at the start of an AlgorithmIdentifier.
fn algorithm(t: Tlv<'_>) -> Result<String, String> {
    t.reader().expect(asn1::OID)?.oid()
}

struct SignerInfo<'a> {
    digest_alg: String,
    /// The `[0]` signed attributes, whole (tag included).
    signed_attrs: Tlv<'a>,
    signature_alg: String,
    signature: &'a [u8],
}

struct Token<'a> {
    tst_info: &'a [u8],
    signer: SignerInfo<'a>,
}

/// TimeStampResp (status + token) or a bare token (ContentInfo).
fn parse_token(der: &[u8]) -> Result<Token<'_>, String> {
    let outer = asn1::single(der, SEQUENCE)?;
    let mut r = outer.reader();
    let content_info = if r.peek_tag() == Some(SEQUENCE) {
        let status = r.expect(SEQUENCE)?;
        let code = status.reader().expect(INTEGER)?;
        // granted (0) or grantedWithMods (1).
        if code.value.len() != 1 || code.value[0] > 1 {
            return Err("the timestamp response was not granted".into());
        }
        r.expect(SEQUENCE)?
    } else {
        outer
    };
    let mut ci = content_info.reader();
    if ci.expect(asn1::OID)?.oid()? != OID_SIGNED_DATA {
        return Err("the timestamp token is not CMS SignedData".into());
    }
    let signed_data = ci.expect(CONTEXT_0)?.reader().expect(SEQUENCE)?;
    let mut sd = signed_data.reader();
    sd.expect(INTEGER)?; // version
    sd.expect(SET)?; // digestAlgorithms
    let encap = sd.expect(SEQUENCE)?;
    let mut ec = encap.reader();
    if ec.expect(asn1::OID)?.oid()? != OID_TST_INFO {
        return Err("the timestamp token does not carry a TSTInfo".into());
    }
    let tst_info = ec.expect(CONTEXT_0)?.reader().expect(OCTET_STRING)?.value;
    sd.optional(CONTEXT_0)?; // certificates: the signer is taken from the trusted root
    sd.optional(CONTEXT_1)?; // crls
    let signer_infos = sd.expect(SET)?;
    let mut infos = signer_infos.reader();
    let info = infos.expect(SEQUENCE)?;
    if !infos.is_empty() {
        return Err("the timestamp token has more than one signer".into());
    }
    let mut si = info.reader();
    si.expect(INTEGER)?; // version
    si.next()?; // sid: issuerAndSerialNumber or [0] subjectKeyIdentifier
    let digest_alg = algorithm(si.expect(SEQUENCE)?)?;
    let signed_attrs = si
        .optional(CONTEXT_0)?
        .ok_or("the timestamp token has no signed attributes")?;
    let signature_alg = algorithm(si.expect(SEQUENCE)?)?;
    let signature = si.expect(OCTET_STRING)?.value;
    Ok(Token {
        tst_info,
        signer: SignerInfo {
            digest_alg,
            signed_attrs,
            signature_alg,
            signature,
        },
    })
}

/// The message imprint (hash algorithm and value) and genTime of a TSTInfo.
fn parse_tst_info(der: &[u8]) -> Result<(String, &[u8], u64), String> {
    let tst = asn1::single(der, SEQUENCE)?;
    let mut r = tst.reader();
    r.expect(INTEGER)?; // version
    r.expect(asn1::OID)?; // policy
    let imprint = r.expect(SEQUENCE)?;
    let mut ir = imprint.reader();
    let alg = algorithm(ir.expect(SEQUENCE)?)?;
    let hashed = ir.expect(OCTET_STRING)?.value;
    r.expect(INTEGER)?; // serialNumber
    let gen_time = r.expect(asn1::GENERALIZED_TIME)?;
    let t = crate::time::generalized_time(gen_time.value).ok_or("bad genTime")?;
    Ok((alg, hashed, t))
}

/// The content-type and message-digest attributes must bind the TSTInfo.
fn check_signed_attributes(signer: &SignerInfo<'_>, tst_info: &[u8]) -> Result<(), String> {
    let mut content_type_ok = false;
    let mut digest_ok = false;
    let mut attrs = signer.signed_attrs.reader();
    while !attrs.is_empty() {
        let attr = attrs.expect(SEQUENCE)?;
        let mut a = attr.reader();
        let oid = a.expect(asn1::OID)?.oid()?;
        let values = a.expect(SET)?;
        let mut v = values.reader();
        match oid.as_str() {
            OID_CONTENT_TYPE => {
                content_type_ok = v.expect(asn1::OID)?.oid()? == OID_TST_INFO && v.is_empty();
            }
            OID_MESSAGE_DIGEST => {
                digest_ok = v.expect(OCTET_STRING)?.value == digest(&signer.digest_alg, tst_info)?
                    && v.is_empty();
            }
            _ => {}
        }
    }
    if !(content_type_ok && digest_ok) {
        return Err("the timestamp's signed attributes do not bind its TSTInfo".into());
    }
    Ok(())
}

/// Verifies one timestamp over `signature` (the DSSE signature bytes).
/// Returns the time it proves.
pub(crate) fn verify(der: &[u8], signature: &[u8], root: &TrustedRoot) -> Result<u64, String> {
    let token = parse_token(der)?;
    let (imprint_alg, imprint, gen_time) = parse_tst_info(token.tst_info)?;
    if imprint != digest(&imprint_alg, signature)? {
        return Err("the timestamp is over another signature".into());
    }
    check_signed_attributes(&token.signer, token.tst_info)?;
    // What the TSA signed: the attributes with their SET tag.
    let mut message = token.signer.signed_attrs.raw.to_vec();
    message[0] = SET;
    for tsa in &root.timestamp_authorities {
        let Some(leaf) = tsa.chain.first() else {
            continue;
        };
        if !signed_with(leaf, &message, &token.signer) {
            continue;
        }
        if !tsa.valid.contains(gen_time) {
            return Err("the timestamp was issued outside its authority's validity".into());
        }
        chain_holds(&tsa.chain, gen_time)?;
        return Ok(gen_time);
    }
    Err("the timestamp is not signed by a timestamp authority of the trusted root".into())
}

fn signed_with(leaf: &Certificate, message: &[u8], signer: &SignerInfo<'_>) -> bool {
    spki_der(leaf)
        .ok()
        .and_then(|spki| Key::from_spki_der(&spki))
        .is_some_and(|k| k.verify_with_alg(message, signer.signature, &signer.signature_alg))
}

fn chain_holds(chain: &[Certificate], t: u64) -> Result<(), String> {
    let leaf = chain.first().ok_or("empty timestamp authority chain")?;
    let top = chain.last().unwrap_or(leaf);
    if !signed_by(top, top) {
        return Err("the timestamp authority's chain does not end in a self-signed root".into());
    }
    let path: Vec<&Certificate> = chain.iter().collect();
    path::validate(&path, t, Usage::TimeStamping)
        .map_err(|b| format!("the timestamp authority's chain does not hold at genTime: {b}"))
}
