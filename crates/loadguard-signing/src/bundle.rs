//! The `model.sig` bundle and the in-toto statement it carries: parsing
//! (every layout the reference verifier reads) and the DSSE encodings.

use crate::encoding::base64;
use serde_json::Value;

use crate::keyless;

pub(crate) const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub(crate) const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub(crate) const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// The v0.2 predicate: every file a subject, no serialization section.
pub(crate) const PREDICATE_TYPE_V0_2: &str = "https://model_signing/Digests/v0.1";
pub(crate) const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// How the bundle says it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    Key {
        hint: Option<String>,
        embedded_pem: Option<String>,
    },
    /// DER certificates: the leaf first, then intermediates.
    Certificate { chain: Vec<Vec<u8>> },
    /// Sigstore keyless: a Fulcio certificate, a Rekor entry, timestamps.
    Keyless(keyless::Material),
}

/// The PAE that model_signing v0.2 signed by mistake: `DSSEV1`, and the
/// payload as Python prints a `bytes` object (`b'...'` with escapes).
pub(crate) fn pae_v0_2(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    format!(
        "DSSEV1 {} {} {} {}",
        payload_type.len(),
        payload_type,
        payload.len(),
        python_bytes_repr(payload)
    )
    .into_bytes()
}

/// `repr(bytes)`: single quotes unless the bytes hold `'` and no `"`.
pub(crate) fn python_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            c if c == quote as u8 => {
                out.push('\\');
                out.push(char::from(c));
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

/// DSSE pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The elements of a JSON array; none when it is absent or not an array.
pub(crate) fn items(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A base64 string field, decoded; the error names `what`.
pub(crate) fn base64_field(v: &Value, what: &str) -> Result<Vec<u8>, String> {
    v.as_str()
        .and_then(base64)
        .ok_or_else(|| format!("{what} is missing or not base64"))
}

/// The parts of a bundle a verifier needs.
pub(crate) struct Bundle {
    pub(crate) method: Method,
    pub(crate) payload: Vec<u8>,
    pub(crate) payload_type: String,
    pub(crate) signature: Vec<u8>,
}

pub(crate) fn parse_bundle(text: &str) -> Result<Bundle, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let media = v["mediaType"].as_str().unwrap_or("");
    if media != BUNDLE_MEDIA_TYPE {
        return Err(format!(
            "media type {media:?}, expected {BUNDLE_MEDIA_TYPE}"
        ));
    }
    let vm = &v["verificationMaterial"];
    let method = if vm.get("publicKey").is_some() {
        let pk = &vm["publicKey"];
        let embedded_pem = pk["rawBytes"]
            .as_str()
            .and_then(base64)
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Method::Key {
            hint: pk["hint"].as_str().map(str::to_owned),
            embedded_pem,
        }
    } else if vm.get("x509CertificateChain").is_some() {
        let chain = items(&vm["x509CertificateChain"]["certificates"])
            .iter()
            .map(|c| base64_field(&c["rawBytes"], "a chain certificate"))
            .collect::<Result<Vec<_>, _>>()?;
        Method::Certificate { chain }
    } else if vm.get("certificate").is_some() {
        Method::Keyless(keyless::Material::parse(vm)?)
    } else {
        return Err("no verification material".into());
    };
    let env = &v["dsseEnvelope"];
    let payload = base64_field(&env["payload"], "dsseEnvelope.payload")?;
    let sigs = env["signatures"].as_array().ok_or("no signatures")?;
    if sigs.len() != 1 {
        return Err(format!(
            "{} signatures; exactly one is expected",
            sigs.len()
        ));
    }
    let signature = base64_field(&sigs[0]["sig"], "the signature")?;
    Ok(Bundle {
        method,
        payload,
        payload_type: env["payloadType"].as_str().unwrap_or("").to_owned(),
        signature,
    })
}

/// What the statement signed.
#[derive(Debug)]
pub(crate) struct Signed {
    /// SHA-256 over the resource digests; absent in the v0.2 layout.
    pub(crate) subject_digest: Option<String>,
    /// Written by model_signing v0.2 (`Digests/v0.1` predicate).
    pub(crate) legacy: bool,
    /// Bytes per shard (`shards` method); a JSON float in real bundles.
    pub(crate) shard_size: Option<u64>,
    pub(crate) method: String,
    pub(crate) hash_type: String,
    pub(crate) ignore_paths: Vec<String>,
    pub(crate) allow_symlinks: bool,
    pub(crate) resources: Vec<(String, String, String)>,
}

pub(crate) fn parse_statement(payload: &[u8]) -> Result<Signed, String> {
    let v: Value =
        serde_json::from_slice(payload).map_err(|e| format!("payload is not JSON: {e}"))?;
    if v["_type"] != STATEMENT_TYPE {
        return Err(format!("statement type {}", v["_type"]));
    }
    if v["predicateType"] == PREDICATE_TYPE_V0_2 {
        return parse_v0_2_statement(&v);
    }
    if v["predicateType"] != PREDICATE_TYPE {
        return Err(format!(
            "predicate type {} is not supported",
            v["predicateType"]
        ));
    }
    let subjects = v["subject"].as_array().ok_or("no subject")?;
    if subjects.len() != 1 {
        return Err("exactly one subject is expected".into());
    }
    let subject_digest = Some(
        subjects[0]["digest"]["sha256"]
            .as_str()
            .ok_or("subject has no sha256")?
            .to_owned(),
    );
    let p = &v["predicate"];
    let s = &p["serialization"];
    let resources = p["resources"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap_or("").to_owned(),
                        x["algorithm"].as_str().unwrap_or("").to_owned(),
                        x["digest"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let shard_size = s["shard_size"]
        .as_f64()
        .or_else(|| s["shard_size"].as_str()?.parse().ok())
        .filter(|f| f.is_finite() && *f >= 1.0 && f.fract() == 0.0 && *f < 2f64.powi(63))
        .map(|f| f as u64);
    Ok(Signed {
        subject_digest,
        legacy: false,
        shard_size,
        method: s["method"].as_str().unwrap_or("files").to_owned(),
        hash_type: s["hash_type"].as_str().unwrap_or("sha256").to_owned(),
        ignore_paths: s["ignore_paths"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        allow_symlinks: s["allow_symlinks"].as_bool().unwrap_or(false),
        resources,
    })
}

/// The v0.2 layout: every file is a subject with its SHA-256; the method is
/// implicitly files/sha256 and nothing else is recorded.
pub(crate) fn parse_v0_2_statement(v: &Value) -> Result<Signed, String> {
    let subjects = v["subject"].as_array().ok_or("no subject")?;
    let resources = subjects
        .iter()
        .map(|s| {
            let name = s["name"].as_str().ok_or("a subject has no name")?;
            let digest = s["digest"]["sha256"]
                .as_str()
                .ok_or("a subject has no sha256")?;
            Ok((name.to_owned(), "sha256".to_owned(), digest.to_owned()))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Signed {
        subject_digest: None,
        legacy: true,
        shard_size: None,
        method: "files".to_owned(),
        hash_type: "sha256".to_owned(),
        ignore_paths: Vec::new(),
        allow_symlinks: false,
        resources,
    })
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
