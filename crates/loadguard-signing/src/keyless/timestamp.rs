//! RFC 3161 signed timestamps: a timestamp authority of the trusted root
//! signed (CMS SignedData, RFC 5652) a TSTInfo whose message imprint is the
//! hash of the DSSE signature, at `genTime`. That time then anchors the
//! certificate checks. The token is decoded by the RustCrypto `cms` and
//! `x509-tsp` crates (strict DER); the signer identifier must name the
//! certificate whose key signed.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::{Decode, Encode};
use sha2::{Digest, Sha256, Sha384, Sha512};
use x509_cert::Certificate;
use x509_tsp::{TimeStampResp, TstInfo};

use super::trust_root::TrustedRoot;
use crate::certificate::{signed_by, spki_der};
use crate::key::Key;
use crate::path::{self, Usage};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SUBJECT_KEY_IDENTIFIER: &str = "2.5.29.14";
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

/// What the verifier needs from a token, decoded by `cms` and `x509-tsp`
/// (strict DER; RFC 5652 and RFC 3161).
struct Token {
    /// The encapsulated TSTInfo, as signed.
    tst_info_der: Vec<u8>,
    tst_info: TstInfo,
    signer: SignerInfo,
}

/// TimeStampResp (status + token) or a bare token (ContentInfo).
fn parse_token(der: &[u8]) -> Result<Token, String> {
    let content_info = match TimeStampResp::from_der(der) {
        Ok(resp) => {
            // granted (0) or grantedWithMods (1).
            if !matches!(
                resp.status.status,
                cmpv2::status::PkiStatus::Accepted | cmpv2::status::PkiStatus::GrantedWithMods
            ) {
                return Err("the timestamp response was not granted".into());
            }
            resp.time_stamp_token
                .ok_or("the timestamp response carries no token")?
        }
        Err(_) => ContentInfo::from_der(der).map_err(|e| format!("not a timestamp token: {e}"))?,
    };
    if content_info.content_type.to_string() != OID_SIGNED_DATA {
        return Err("the timestamp token is not CMS SignedData".into());
    }
    let signed_data: SignedData = content_info
        .content
        .decode_as()
        .map_err(|e| format!("bad CMS SignedData: {e}"))?;
    let encap = &signed_data.encap_content_info;
    if encap.econtent_type.to_string() != OID_TST_INFO {
        return Err("the timestamp token does not carry a TSTInfo".into());
    }
    let tst_info_der = encap
        .econtent
        .as_ref()
        .ok_or("the timestamp token has no TSTInfo content")?
        .decode_as::<der::asn1::OctetString>()
        .map_err(|e| format!("bad TSTInfo content: {e}"))?
        .into_bytes();
    let tst_info = TstInfo::from_der(&tst_info_der).map_err(|e| format!("bad TSTInfo: {e}"))?;
    let mut infos = signed_data.signer_infos.0.into_vec();
    if infos.len() != 1 {
        return Err("the timestamp token must have exactly one signer".into());
    }
    let signer = infos.remove(0);
    Ok(Token {
        tst_info_der,
        tst_info,
        signer,
    })
}

/// The content-type and message-digest attributes must bind the TSTInfo.
fn check_signed_attributes(signer: &SignerInfo, tst_info: &[u8]) -> Result<(), String> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or("the timestamp token has no signed attributes")?;
    let mut content_type_ok = false;
    let mut digest_ok = false;
    for attr in attrs.iter() {
        let values: Vec<_> = attr.values.iter().collect();
        let [value] = values.as_slice() else {
            return Err("a signed attribute must have exactly one value".into());
        };
        match attr.oid.to_string().as_str() {
            OID_CONTENT_TYPE => {
                content_type_ok = value
                    .decode_as::<der::asn1::ObjectIdentifier>()
                    .is_ok_and(|o| o.to_string() == OID_TST_INFO);
            }
            OID_MESSAGE_DIGEST => {
                let expected = digest(&signer.digest_alg.oid.to_string(), tst_info)?;
                digest_ok = value
                    .decode_as::<der::asn1::OctetString>()
                    .is_ok_and(|o| o.as_bytes() == expected);
            }
            _ => {}
        }
    }
    if !(content_type_ok && digest_ok) {
        return Err("the timestamp's signed attributes do not bind its TSTInfo".into());
    }
    Ok(())
}

/// RFC 5652 5.3: the signer identifier names the certificate whose key
/// signed (issuer and serial number, or subject key identifier).
fn identifies(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(i) => {
            i.issuer == cert.tbs_certificate.issuer
                && i.serial_number == cert.tbs_certificate.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            crate::certificate::extension(cert, OID_SUBJECT_KEY_IDENTIFIER)
                .and_then(|v| x509_cert::ext::pkix::SubjectKeyIdentifier::from_der(v).ok())
                .is_some_and(|own| own == *ski)
        }
    }
}

/// Verifies one timestamp over `signature` (the DSSE signature bytes).
/// Returns the time it proves.
pub(crate) fn verify(der: &[u8], signature: &[u8], root: &TrustedRoot) -> Result<u64, String> {
    let token = parse_token(der)?;
    let imprint = &token.tst_info.message_imprint;
    if imprint.hashed_message.as_bytes()
        != digest(&imprint.hash_algorithm.oid.to_string(), signature)?
    {
        return Err("the timestamp is over another signature".into());
    }
    let gen_time = token.tst_info.gen_time.to_unix_duration().as_secs();
    check_signed_attributes(&token.signer, &token.tst_info_der)?;
    // What the TSA signed: the attributes, DER-encoded as a SET OF.
    let message = token
        .signer
        .signed_attrs
        .as_ref()
        .ok_or("the timestamp token has no signed attributes")?
        .to_der()
        .map_err(|e| e.to_string())?;
    let signature_alg = token.signer.signature_algorithm.oid.to_string();
    let sig = token.signer.signature.as_bytes();
    for tsa in &root.timestamp_authorities {
        let Some(leaf) = tsa.chain.first() else {
            continue;
        };
        if !signed_with(leaf, &message, sig, &signature_alg) {
            continue;
        }
        if !identifies(&token.signer.sid, leaf) {
            return Err(
                "the timestamp's signer identifier names another certificate than the key that signed it".into(),
            );
        }
        if !tsa.valid.contains(gen_time) {
            return Err("the timestamp was issued outside its authority's validity".into());
        }
        chain_holds(&tsa.chain, gen_time)?;
        return Ok(gen_time);
    }
    Err("the timestamp is not signed by a timestamp authority of the trusted root".into())
}

fn signed_with(leaf: &Certificate, message: &[u8], signature: &[u8], alg: &str) -> bool {
    spki_der(leaf)
        .ok()
        .and_then(|spki| Key::from_spki_der(&spki))
        .is_some_and(|k| k.verify_with_alg(message, signature, alg))
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
