//! The Rekor transparency log entry of a keyless signature: the entry body
//! must describe this envelope and certificate, the Merkle inclusion proof
//! must lead to the root that a signed checkpoint commits to, and the signed
//! entry timestamp (SET), when present, proves the integration time.
//!
//! Rekor v1 logs DSSE envelopes as `dsse` 0.0.1 entries (ECDSA log key, SET);
//! Rekor v2 (tile-based) logs them as `hashedrekord` 0.0.2 entries over the
//! PAE digest (Ed25519 log key, no SET: the time comes from a timestamp
//! authority).

use serde_json::Value;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::trust_root::{LogKey, TrustedRoot};
use crate::bundle::{base64_field, items};
use crate::certificate::load_anchors;
use crate::encoding::{base64, base64_encode};
use crate::hex;

/// Proofs deeper than this cannot come from a log of fewer than 2^64 leaves.
const MAX_PROOF_HASHES: usize = 64;

#[derive(Debug)]
pub(crate) struct Proof {
    log_index: u64,
    root_hash: Vec<u8>,
    tree_size: u64,
    hashes: Vec<Vec<u8>>,
    checkpoint: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Entry {
    log_index: u64,
    log_id: Vec<u8>,
    kind: String,
    version: String,
    integrated_time: u64,
    set: Option<Vec<u8>>,
    proof: Option<Proof>,
    body: Vec<u8>,
}

/// int64 fields are strings in protobuf JSON; accept numbers too.
fn int(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

fn b64(v: &Value, what: &str) -> Result<Vec<u8>, String> {
    base64_field(v, &format!("tlog entry: {what}"))
}

pub(crate) fn parse_entries(v: &Value) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    for e in items(v) {
        let proof = match e.get("inclusionProof") {
            Some(p) => {
                let hashes = items(&p["hashes"])
                    .iter()
                    .map(|h| b64(h, "a proof hash"))
                    .collect::<Result<Vec<_>, _>>()?;
                Some(Proof {
                    log_index: int(&p["logIndex"]).ok_or("inclusion proof without logIndex")?,
                    root_hash: b64(&p["rootHash"], "rootHash")?,
                    tree_size: int(&p["treeSize"]).ok_or("inclusion proof without treeSize")?,
                    hashes,
                    checkpoint: p["checkpoint"]["envelope"].as_str().map(str::to_owned),
                })
            }
            None => None,
        };
        let set = match e["inclusionPromise"].get("signedEntryTimestamp") {
            Some(s) => Some(b64(s, "signedEntryTimestamp")?),
            None => None,
        };
        out.push(Entry {
            log_index: int(&e["logIndex"]).ok_or("tlog entry without logIndex")?,
            log_id: b64(&e["logId"]["keyId"], "logId")?,
            kind: e["kindVersion"]["kind"].as_str().unwrap_or("").to_owned(),
            version: e["kindVersion"]["version"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            integrated_time: int(&e["integratedTime"]).unwrap_or(0),
            set,
            proof,
            body: b64(&e["canonicalizedBody"], "canonicalizedBody")?,
        });
    }
    Ok(out)
}

/// What the envelope and certificate are, for the body consistency check.
pub(crate) struct Signed<'a> {
    pub(crate) payload_type: &'a str,
    pub(crate) payload: &'a [u8],
    pub(crate) signature: &'a [u8],
    pub(crate) leaf: &'a Certificate,
}

/// Verifies one entry. Returns the integration time when a SET proves it.
pub(crate) fn verify(
    entry: &Entry,
    root: &TrustedRoot,
    signed: &Signed<'_>,
) -> Result<Option<u64>, String> {
    let log = root
        .tlogs
        .iter()
        .find(|l| l.log_id == entry.log_id)
        .ok_or("the log entry comes from a log that the trusted root does not name")?;
    match (entry.kind.as_str(), entry.version.as_str()) {
        ("dsse", "0.0.1") => check_dsse_body(&entry.body, signed)?,
        ("hashedrekord", "0.0.2") => check_hashedrekord_v2_body(&entry.body, signed)?,
        (kind, version) => {
            return Err(format!(
                "log entry kind {kind}/{version} is not supported (dsse/0.0.1 and hashedrekord/0.0.2 are)"
            ));
        }
    }
    let proof = entry
        .proof
        .as_ref()
        .ok_or("the log entry has no inclusion proof")?;
    let leaf_hash = hash_leaf(&entry.body);
    if !inclusion_holds(
        leaf_hash,
        proof.log_index,
        proof.tree_size,
        &proof.hashes,
        &proof.root_hash,
    ) {
        return Err("the inclusion proof does not lead to its root hash".into());
    }
    let checkpoint = proof
        .checkpoint
        .as_deref()
        .ok_or("the inclusion proof has no checkpoint")?;
    verify_checkpoint(checkpoint, log, proof)?;
    match &entry.set {
        // Only Rekor v1 entries have an integration time a SET can prove.
        Some(set) if entry.version == "0.0.1" => {
            let canonical = format!(
                r#"{{"body":"{}","integratedTime":{},"logID":"{}","logIndex":{}}}"#,
                base64_encode(&entry.body),
                entry.integrated_time,
                hex(&entry.log_id),
                entry.log_index
            );
            if !log.key.verify(canonical.as_bytes(), set) {
                return Err("the signed entry timestamp does not verify".into());
            }
            if !log.valid.contains(entry.integrated_time) {
                return Err("the entry was integrated outside its log key's validity".into());
            }
            Ok(Some(entry.integrated_time))
        }
        _ => Ok(None),
    }
}

/// The body must record this payload, signature and certificate: otherwise
/// the entry proves that something else was logged.
fn check_dsse_body(body: &[u8], signed: &Signed<'_>) -> Result<(), String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the log entry body is not JSON: {e}"))?;
    if v["kind"] != "dsse" || v["apiVersion"] != "0.0.1" {
        return Err("the log entry body is not a dsse 0.0.1 entry".into());
    }
    let spec = &v["spec"];
    let payload_hash = &spec["payloadHash"];
    if payload_hash["algorithm"] != "sha256"
        || payload_hash["value"].as_str() != Some(hex(&Sha256::digest(signed.payload)).as_str())
    {
        return Err("the log entry records another payload".into());
    }
    let sigs = items(&spec["signatures"]);
    let [only] = sigs else {
        return Err("the log entry does not record exactly one signature".into());
    };
    if b64(&only["signature"], "signature")? != signed.signature {
        return Err("the log entry records another signature".into());
    }
    let verifier = b64(&only["verifier"], "verifier")?;
    let certs = load_anchors(&String::from_utf8_lossy(&verifier))?;
    if certs.as_slice() != std::slice::from_ref(signed.leaf) {
        return Err("the log entry records another signing certificate".into());
    }
    Ok(())
}

/// Rekor v2: the entry records the SHA-256 of the PAE, the signature and
/// the certificate (DER).
fn check_hashedrekord_v2_body(body: &[u8], signed: &Signed<'_>) -> Result<(), String> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| format!("the log entry body is not JSON: {e}"))?;
    if v["kind"] != "hashedrekord" || v["apiVersion"] != "0.0.2" {
        return Err("the log entry body is not a hashedrekord 0.0.2 entry".into());
    }
    let spec = &v["spec"]["hashedRekordV002"];
    let pae_digest = Sha256::digest(crate::pae(signed.payload_type, signed.payload));
    if spec["data"]["algorithm"] != "SHA2_256"
        || b64(&spec["data"]["digest"], "digest")? != pae_digest[..]
    {
        return Err("the log entry records another payload".into());
    }
    if b64(&spec["signature"]["content"], "signature")? != signed.signature {
        return Err("the log entry records another signature".into());
    }
    let cert = b64(
        &spec["signature"]["verifier"]["x509Certificate"]["rawBytes"],
        "verifier certificate",
    )?;
    if cert != der::Encode::to_der(signed.leaf).map_err(|e| e.to_string())? {
        return Err("the log entry records another signing certificate".into());
    }
    Ok(())
}

pub(crate) fn hash_leaf(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

fn hash_children(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// RFC 9162 §2.1.3.2: fold the audit path up to the root.
fn inclusion_holds(leaf: [u8; 32], index: u64, size: u64, path: &[Vec<u8>], root: &[u8]) -> bool {
    if index >= size || path.len() > MAX_PROOF_HASHES {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = leaf;
    for p in path {
        if s == 0 || p.len() != 32 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = hash_children(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = hash_children(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r.as_slice() == root
}

/// A signed note: `origin\nsize\nroot\n[extra lines]\n\n— name b64(hint ‖ sig)\n`.
/// Hand-written: no maintained crate reads the note format (C2SP
/// `signed-note`, and `tlog-checkpoint` for the body's three lines); the key
/// hint is the first four bytes of the signature line, as `signed-note`
/// specifies.
fn verify_checkpoint(text: &str, log: &LogKey, proof: &Proof) -> Result<(), String> {
    let split = text
        .find("\n\n")
        .filter(|&i| text[i + 2..].find("\n\n").is_none())
        .ok_or("the checkpoint is not a signed note")?;
    let note = &text[..=split];
    let mut lines = note.lines();
    let (_origin, size, root) = (lines.next(), lines.next(), lines.next());
    let size: u64 = size
        .and_then(|s| s.parse().ok())
        .ok_or("the checkpoint has no tree size")?;
    let root = root
        .and_then(base64)
        .ok_or("the checkpoint has no root hash")?;
    if root != proof.root_hash || size != proof.tree_size {
        return Err("the checkpoint commits to another tree than the inclusion proof".into());
    }
    let hint = log.log_id.get(..4).ok_or("short log ID")?;
    for line in text[split + 2..].lines() {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            continue;
        };
        let Some(sig) = rest.split(' ').nth(1).and_then(base64) else {
            continue;
        };
        if sig.len() > 4 && &sig[..4] == hint {
            return if log.key.verify(note.as_bytes(), &sig[4..]) {
                Ok(())
            } else {
                Err("the checkpoint signature does not verify".into())
            };
        }
    }
    Err("the checkpoint is not signed by the log".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tree of `n` leaves, its root, and the audit path of every leaf,
    /// computed the slow way (RFC 9162 §2.1.1).
    pub(crate) fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves.len() {
            1 => leaves[0],
            n => {
                let k = n.next_power_of_two() / 2;
                hash_children(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    pub(crate) fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<Vec<u8>> {
        let n = leaves.len();
        if n <= 1 {
            return Vec::new();
        }
        let k = n.next_power_of_two() / 2;
        if m < k {
            let mut p = path(m, &leaves[..k]);
            p.push(mth(&leaves[k..]).to_vec());
            p
        } else {
            let mut p = path(m - k, &leaves[k..]);
            p.push(mth(&leaves[..k]).to_vec());
            p
        }
    }

    #[test]
    fn inclusion_proofs_hold_for_every_leaf_and_fail_when_changed() {
        for n in 1..=20usize {
            let leaves: Vec<[u8; 32]> = (0..n).map(|i| hash_leaf(&[i as u8])).collect();
            let root = mth(&leaves);
            for (m, leaf) in leaves.iter().enumerate() {
                let p = path(m, &leaves);
                assert!(
                    inclusion_holds(*leaf, m as u64, n as u64, &p, &root),
                    "{n}/{m}"
                );
                // Wrong index, wrong size, a flipped path hash, a wrong leaf.
                if n > 1 {
                    assert!(!inclusion_holds(
                        *leaf,
                        ((m + 1) % n) as u64,
                        n as u64,
                        &p,
                        &root
                    ));
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert!(!inclusion_holds(*leaf, m as u64, n as u64, &bad, &root));
                }
                // An index outside the tree. (The tree size itself is bound
                // by the signed checkpoint, not by the path.)
                assert!(!inclusion_holds(*leaf, m as u64, m as u64, &p, &root));
                assert!(!inclusion_holds(
                    hash_leaf(b"x"),
                    m as u64,
                    n as u64,
                    &p,
                    &root
                ));
            }
        }
        assert!(!inclusion_holds(hash_leaf(b""), 5, 5, &[], &[0; 32]));
    }
}
