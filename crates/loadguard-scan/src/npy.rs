//! `.npy` headers: magic, version, a Python dict literal with `descr`,
//! `fortran_order` and `shape`. An object dtype means a pickle follows.
//! The header is read as NumPy reads it, with `ast.literal_eval` semantics
//! (`pyliteral`): the last duplicate key wins, escapes are decoded.

use crate::pyliteral::{self, Value};

pub const MAGIC: &[u8] = b"\x93NUMPY";
/// NumPy refuses larger headers unless `max_header_size` is raised (which
/// `allow_pickle=True` does).
pub const NUMPY_HEADER_LIMIT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub version: (u8, u8),
    pub header_len: usize,
    /// Offset of the array data (or pickle) after the header.
    pub data_offset: usize,
    pub descr: String,
    pub has_object: bool,
    /// Element count and item size, when the dtype is simple enough to know.
    pub data_len: Option<u128>,
    /// Header keys given more than once (NumPy keeps the last).
    pub duplicate_keys: Vec<String>,
}

/// Where the header ends, from the first 12 bytes (any header size).
pub fn header_end(data: &[u8]) -> Option<usize> {
    match data.get(6)? {
        1 => Some(10 + usize::from(u16::from_le_bytes([*data.get(8)?, *data.get(9)?]))),
        2 | 3 => Some(12 + u32::from_le_bytes(data.get(8..12)?.try_into().ok()?) as usize),
        _ => None,
    }
}

pub fn parse(data: &[u8]) -> Result<Header, String> {
    if !data.starts_with(MAGIC) || data.len() < 10 {
        return Err("not an .npy file".into());
    }
    let version = (data[6], data[7]);
    let (header_len, start): (usize, usize) = match version.0 {
        1 => (usize::from(u16::from_le_bytes([data[8], data[9]])), 10),
        2 | 3 => {
            if data.len() < 12 {
                return Err("truncated header length".into());
            }
            (
                u32::from_le_bytes([data[8], data[9], data[10], data[11]]) as usize,
                12,
            )
        }
        v => return Err(format!("unknown .npy version {v}")),
    };
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= data.len())
        .ok_or("header runs past the end of the file")?;
    let raw = &data[start..end];
    // Versions 1 and 2 are latin-1, version 3 UTF-8 (`_read_array_header`).
    let text: String = if version.0 == 3 {
        String::from_utf8_lossy(raw).into_owned()
    } else {
        raw.iter().map(|&b| char::from(b)).collect()
    };
    let dict = pyliteral::parse(&text).map_err(|e| format!("header is not a literal: {e}"))?;
    if !matches!(dict, Value::Dict(_)) {
        return Err("header is not a dict".into());
    }
    let descr = dict.get("descr").ok_or("no 'descr' in the header")?;
    let mut has_object = false;
    visit_type_strings(descr, 0, &mut |t| has_object |= type_string_has_object(t));
    let shape = match dict.get("shape") {
        Some(Value::Tuple(dims)) => dims
            .iter()
            .map(|d| match d {
                Value::Int(i) => u64::try_from(*i).ok(),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>(),
        _ => None,
    };
    let itemsize = match descr {
        Value::Str(t) => itemsize(t),
        _ => None,
    };
    let data_len = match (shape, itemsize) {
        (Some(dims), Some(size)) if !has_object => dims
            .iter()
            .try_fold(u128::from(size), |acc, d| acc.checked_mul(u128::from(*d))),
        _ => None,
    };
    Ok(Header {
        version,
        header_len,
        data_offset: end,
        descr: describe(descr),
        has_object,
        data_len,
        duplicate_keys: dict.duplicate_keys(),
    })
}

/// Every type string in a `descr`: a string, a `(type, shape)` subarray,
/// or a structured list of `(name, type[, shape])` (nested).
fn visit_type_strings(v: &Value, depth: u32, f: &mut impl FnMut(&str)) {
    if depth > 32 {
        // Deeper than any dtype: assume the worst.
        f("O");
        return;
    }
    match v {
        Value::Str(t) => f(t),
        Value::Tuple(items) | Value::List(items) => {
            for item in items {
                visit_type_strings(item, depth + 1, f);
            }
        }
        _ => {}
    }
}

/// Whether `np.dtype(t)` holds objects. Over-approximated on purpose: any
/// `O` or `object` in the string (`'|O'`, `'O8'`, `'object'`, `'i4,O'`,
/// `'(2,)O'`); no non-object type code contains either.
fn type_string_has_object(t: &str) -> bool {
    t.contains('O') || t.to_ascii_lowercase().contains("object")
}

fn describe(v: &Value) -> String {
    match v {
        Value::Str(t) => format!("{t:?}"),
        _ => "a structured dtype".to_owned(),
    }
}

/// Item size of a simple type string such as `<f8`, `|u1`, `<U5`.
fn itemsize(descr: &str) -> Option<u64> {
    let t = descr.trim_start_matches(['<', '>', '|', '=']);
    let kind = t.chars().next()?;
    let n: u64 = t[kind.len_utf8()..].split('[').next()?.parse().ok()?;
    Some(match kind {
        'U' => n * 4,
        'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'V' | 'M' | 'm' | '?' => n,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str) -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        v.extend_from_slice(&[1, 0]);
        v.extend_from_slice(&(header.len() as u16).to_le_bytes());
        v.extend_from_slice(header.as_bytes());
        v
    }

    #[test]
    fn numeric_and_object_headers() {
        let h = parse(&npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }\n",
        ))
        .expect("parse");
        assert!(!h.has_object);
        assert_eq!(h.data_len, Some(96));
        let h = parse(&npy(
            "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n",
        ))
        .expect("parse");
        assert!(h.has_object);
        let h = parse(&npy(
            "{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (2,), }",
        ))
        .expect("parse");
        assert!(h.has_object);
        let h = parse(&npy(
            "{'descr': '<U5', 'fortran_order': False, 'shape': (), }",
        ))
        .expect("parse");
        assert_eq!(h.data_len, Some(20));
        assert!(parse(b"\x93NUMPY\x01\x00\xff\xff{").is_err());
        // NumPy's reading, not the first match: the last 'descr' wins, and
        // escapes and the long spelling of the object dtype count.
        for header in [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'descr': 'object'}",
            "{'descr': '\\x4f', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': 'i4,O8', 'fortran_order': False, 'shape': (1,)}",
            "{\"descr\": 'obj' 'ect', 'fortran_order': False, 'shape': (1,)}",
        ] {
            let h = parse(&npy(header)).expect(header);
            assert!(h.has_object, "{header}");
        }
        let h = parse(&npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'descr': 'object'}",
        ))
        .expect("dup");
        assert_eq!(h.duplicate_keys, vec!["descr".to_owned()]);
        assert!(parse(&npy("{'fortran_order': False}")).is_err());
    }
}
