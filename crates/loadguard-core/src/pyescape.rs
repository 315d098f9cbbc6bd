//! Python string escapes, decoded as CPython decodes them: in string and
//! bytes literals (the tokenizer, `ast.literal_eval`) and in the
//! `unicode-escape` codec that Jinja2's lexer applies to template strings.
//! One decoder for every place loadguard must read a string the way a
//! Python consumer does (`'\x5f\x5fclass\x5f\x5f'` is `'__class__'`).

/// Decodes the escapes of a literal's body (the text between the quotes).
/// `is_bytes`: a bytes literal (`\u`, `\U` and `\N` are not escapes there,
/// and `\xHH` is one byte). Unknown escapes are kept, backslash included.
/// `\N{NAME}` becomes U+FFFD: there is no name table here.
pub fn unescape(body: &[u8], is_bytes: bool) -> Result<Vec<u8>, &'static str> {
    if !body.contains(&b'\\') {
        return Ok(body.to_vec());
    }
    let mut out = Vec::with_capacity(body.len());
    let push_char = |out: &mut Vec<u8>, c: u32| {
        let ch = char::from_u32(c).unwrap_or('\u{fffd}');
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    };
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' || i + 1 >= body.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        i += 2;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 && i < body.len() && (b'0'..=b'7').contains(&body[i]) {
                    v = v * 8 + u32::from(body[i] - b'0');
                    i += 1;
                    n += 1;
                }
                if is_bytes {
                    out.push((v & 0xff) as u8);
                } else {
                    push_char(&mut out, v);
                }
            }
            b'x' | b'u' | b'U' if e == b'x' || !is_bytes => {
                let n = match e {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let value = body
                    .get(i..i + n)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .ok_or("truncated \\x, \\u or \\U escape")?;
                i += n;
                if is_bytes {
                    out.push((value & 0xff) as u8);
                } else {
                    push_char(&mut out, value);
                }
            }
            b'N' if !is_bytes => {
                let end = body[i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or("malformed \\N escape")?;
                i += end + 1;
                push_char(&mut out, 0xfffd);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn decodes_what_python_decodes() {
        assert_eq!(
            unescape(br"\x5f\x5fclass\u005f\U0000005f", false).as_deref(),
            Ok(&b"__class__"[..])
        );
        assert_eq!(unescape(br"\101\n\q", false).as_deref(), Ok(&b"A\n\\q"[..]));
        assert_eq!(
            unescape(br"\xff\u0041", true).as_deref(),
            Ok(&b"\xff\\u0041"[..])
        );
        assert!(unescape(br"\x5", false).is_err());
    }
}
