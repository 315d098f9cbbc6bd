//! `.npy` headers: magic, version, a Python dict literal with `descr`,
//! `fortran_order` and `shape`. An object dtype means a pickle follows.

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
    let text = String::from_utf8_lossy(&data[start..end]);
    let descr = field(&text, "descr").ok_or("no 'descr' in the header")?;
    let has_object = descr_has_object(&descr);
    let shape = field(&text, "shape").and_then(|s| parse_shape(&s));
    let itemsize = itemsize(&descr);
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
        descr,
        has_object,
        data_len,
    })
}

/// The text of `'key': value` up to the next top-level comma or `}`.
fn field(text: &str, key: &str) -> Option<String> {
    let at = text
        .find(&format!("'{key}'"))
        .or_else(|| text.find(&format!("\"{key}\"")))?;
    let rest = &text[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, '}') if depth == 0 => return Some(rest[..i].trim().to_owned()),
            (None, '}') => depth -= 1,
            (None, ',') if depth == 0 => return Some(rest[..i].trim().to_owned()),
            _ => {}
        }
    }
    None
}

/// Any type string naming the object kind: `'|O'`, `'O'`, or `'O'` inside a
/// structured dtype list.
fn descr_has_object(descr: &str) -> bool {
    let mut quote = None;
    let mut current = String::new();
    for c in descr.chars() {
        match quote {
            Some(q) if c == q => {
                let t = current.trim_start_matches(['<', '>', '|', '=']);
                if t.starts_with('O') {
                    return true;
                }
                current.clear();
                quote = None;
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {}
        }
    }
    false
}

fn parse_shape(s: &str) -> Option<Vec<u64>> {
    let inner = s.trim().strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_end_matches('L').parse().ok())
        .collect()
}

/// Item size of a simple type string such as `'<f8'`, `'|u1'`, `'<U5'`.
fn itemsize(descr: &str) -> Option<u64> {
    let t = descr
        .trim()
        .strip_prefix('\'')
        .or_else(|| descr.trim().strip_prefix('"'))?;
    let t = t.strip_suffix('\'').or_else(|| t.strip_suffix('"'))?;
    let t = t.trim_start_matches(['<', '>', '|', '=']);
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
        assert!(parse(&npy("{'fortran_order': False}")).is_err());
    }
}
