//! ECDSA public keys on the curves the reference signer uses.

use sha2::{Digest, Sha256};

use crate::hex;

/// The hash an ECDSA signature was made over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// A public key on one of the curves the reference signer uses.
pub(crate) enum Key {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

impl Key {
    /// The first `PUBLIC KEY` PEM block in the text (leading text is fine).
    pub(crate) fn from_pem(text: &str) -> Option<Self> {
        let der = crate::encoding::pem_blocks(text, "PUBLIC KEY")
            .ok()?
            .into_iter()
            .next()?;
        Self::from_spki_der(&der)
    }

    pub(crate) fn from_spki_der(der: &[u8]) -> Option<Self> {
        use p256::pkcs8::DecodePublicKey;
        if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(Self::P256(k));
        }
        if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_der(der) {
            return Some(Self::P384(k));
        }
        let pk = p521::PublicKey::from_public_key_der(der).ok()?;
        p521::ecdsa::VerifyingKey::from_sec1_bytes(&pk.to_sec1_bytes())
            .ok()
            .map(Self::P521)
    }

    /// ECDSA with the hash that the signature algorithm OID names
    /// (ecdsa-with-SHA256/384/512), on any of the three curves: certificate
    /// authorities and timestamp authorities mix them (Sigstore's TSA signs
    /// with P-384 and SHA-256).
    pub(crate) fn verify_with_alg(&self, message: &[u8], der: &[u8], alg_oid: &str) -> bool {
        let hash = match alg_oid {
            "1.2.840.10045.4.3.2" => Hash::Sha256,
            "1.2.840.10045.4.3.3" => Hash::Sha384,
            "1.2.840.10045.4.3.4" => Hash::Sha512,
            _ => return false,
        };
        self.verify_hashed(message, der, hash)
    }

    /// ECDSA over `message` hashed with `hash`, whatever the curve.
    pub(crate) fn verify_hashed(&self, message: &[u8], der: &[u8], hash: Hash) -> bool {
        use p256::ecdsa::signature::hazmat::PrehashVerifier;
        let digest = match hash {
            Hash::Sha256 => Sha256::digest(message).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(message).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(message).to_vec(),
        };
        match self {
            Self::P256(k) => p256::ecdsa::Signature::from_der(der)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
            Self::P384(k) => p384::ecdsa::Signature::from_der(der)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
            Self::P521(k) => p521::ecdsa::Signature::from_der(der)
                .is_ok_and(|s| k.verify_prehash(&digest, &s).is_ok()),
        }
    }

    /// sha256 of the canonical PEM (64-column base64, LF), as the hint.
    pub(crate) fn hint(&self) -> Option<String> {
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        let pem = match self {
            Self::P256(k) => k.to_public_key_pem(LineEnding::LF).ok()?,
            Self::P384(k) => k.to_public_key_pem(LineEnding::LF).ok()?,
            Self::P521(k) => {
                p521::PublicKey::from_sec1_bytes(&k.to_encoded_point(false).to_bytes())
                    .ok()?
                    .to_public_key_pem(LineEnding::LF)
                    .ok()?
            }
        };
        Some(hex(&Sha256::digest(pem.as_bytes())))
    }

    /// ECDSA with the curve's own hash, as model signing uses.
    pub(crate) fn verify(&self, message: &[u8], der: &[u8]) -> bool {
        let hash = match self {
            Self::P256(_) => Hash::Sha256,
            Self::P384(_) => Hash::Sha384,
            Self::P521(_) => Hash::Sha512,
        };
        self.verify_hashed(message, der, hash)
    }

    pub(crate) fn curve(&self) -> &'static str {
        match self {
            Self::P256(_) => "P-256",
            Self::P384(_) => "P-384",
            Self::P521(_) => "P-521",
        }
    }
}
