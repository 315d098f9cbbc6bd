//! Walking DER elements for the structures that `x509-cert` does not model
//! (RFC 3161 timestamp responses, CMS signed attributes, embedded SCT
//! lists). Every header is decoded by `der` (strict DER: definite, minimal
//! lengths); this module only steps from one element to the next.

use der::asn1::ObjectIdentifier;

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const UTF8_STRING: u8 = 0x0c;
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
/// `[0]` and `[1]`, constructed.
pub(crate) const CONTEXT_0: u8 = 0xa0;
pub(crate) const CONTEXT_1: u8 = 0xa1;

/// One tag-length-value element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) value: &'a [u8],
    /// The whole element, header included.
    pub(crate) raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The children of a constructed element.
    pub(crate) fn reader(&self) -> Reader<'a> {
        Reader::new(self.value)
    }

    pub(crate) fn oid(&self) -> Result<String, String> {
        if self.tag != OID {
            return Err(format!("expected an OID, found tag {:#04x}", self.tag));
        }
        ObjectIdentifier::from_bytes(self.value)
            .map(|o| o.to_string())
            .map_err(|e| format!("bad OID: {e}"))
    }
}

/// Reads consecutive elements from a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    pub(crate) fn next(&mut self) -> Result<Tlv<'a>, String> {
        use der::{Decode, Encode, Reader as _};
        let bytes = self.rest;
        // The header (tag and length) is read by `der`: DER's definite,
        // minimal lengths only (no indefinite form, no long form for short
        // lengths, no leading zeros).
        let mut reader = der::SliceReader::new(bytes).map_err(|e| format!("bad DER: {e}"))?;
        let header =
            der::Header::decode(&mut reader).map_err(|e| format!("bad DER header: {e}"))?;
        let header_len = usize::try_from(header.encoded_len().map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let len = usize::try_from(header.length).map_err(|e| e.to_string())?;
        let end = header_len
            .checked_add(len)
            .filter(|&e| e <= bytes.len() && reader.remaining_len() >= header.length)
            .ok_or("DER element runs past its container")?;
        self.rest = &bytes[end..];
        Ok(Tlv {
            tag: u8::from(header.tag),
            value: &bytes[header_len..end],
            raw: &bytes[..end],
        })
    }

    /// The next element, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, String> {
        let tlv = self.next()?;
        if tlv.tag != tag {
            return Err(format!(
                "expected DER tag {tag:#04x}, found {:#04x}",
                tlv.tag
            ));
        }
        Ok(tlv)
    }

    /// The next element if it carries `tag`.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, String> {
        if self.peek_tag() == Some(tag) {
            self.next().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Reads exactly one element that fills `bytes`.
pub(crate) fn single(bytes: &[u8], tag: u8) -> Result<Tlv<'_>, String> {
    let mut r = Reader::new(bytes);
    let tlv = r.expect(tag)?;
    if !r.is_empty() {
        return Err("trailing data after a DER element".into());
    }
    Ok(tlv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_and_rejects_bad_lengths() {
        // SEQUENCE { INTEGER 1, OCTET STRING "ab" }
        let der = [0x30, 0x07, 0x02, 0x01, 0x01, 0x04, 0x02, b'a', b'b'];
        let seq = single(&der, SEQUENCE).expect("sequence");
        let mut r = seq.reader();
        assert_eq!(r.expect(INTEGER).expect("int").value, &[1]);
        assert_eq!(r.expect(OCTET_STRING).expect("octets").value, b"ab");
        assert!(r.is_empty());
        // Length past the end, indefinite length, non-minimal long form.
        assert!(Reader::new(&[0x30, 0x05, 0x02]).next().is_err());
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).next().is_err());
        assert!(Reader::new(&[0x04, 0x81, 0x00]).next().is_err());
        assert!(Reader::new(&[0x04, 0x85, 1, 1, 1, 1, 1]).next().is_err());
        // The long form for a length under 128 is not DER.
        assert!(Reader::new(&[0x04, 0x81, 0x01, 0x00]).next().is_err());
        assert!(single(&[0x05, 0x00, 0x05, 0x00], 0x05).is_err());
    }
}
