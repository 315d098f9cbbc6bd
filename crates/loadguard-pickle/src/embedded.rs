//! The last resort for bytes no format detector recognised: look for the
//! shapes every pickler writes when it imports a callable, anywhere in the
//! data, and keep those that name a dangerous one. A loader that seeks to
//! such an offset (a custom container, a pickle behind a header loadguard
//! does not know) runs it; finding it costs one pass over the bytes.
//!
//! Two shapes are searched:
//! - `GLOBAL`/`INST`: `c` or `i`, a dotted module, `\n`, a dotted name, `\n`
//!   (protocols 0-3);
//! - `STACK_GLOBAL` after two `SHORT_BINUNICODE` (or `BINUNICODE`)
//!   strings, each optionally followed by `MEMOIZE` (protocol 4+).

use crate::policy::{Class, Policy};

/// Where an embedded import starts (its first opcode), and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedImport {
    pub offset: usize,
    pub module: String,
    pub name: String,
}

/// Embedded imports of callables the policy calls dangerous, at most `max`.
pub fn dangerous_imports(data: &[u8], policy: &Policy, max: usize) -> Vec<EmbeddedImport> {
    let mut out = Vec::new();
    // Of the ways to read one spot, the first dangerous one (the longest
    // module) is kept.
    let mut keep = |found: Vec<EmbeddedImport>| {
        let dangerous = found.into_iter().find(|f| {
            let (m, n) = policy.map_python2(&f.module, &f.name);
            matches!(policy.classify(m, n), Class::Dangerous { .. })
        });
        if let Some(f) = dangerous
            && !out.iter().any(|o: &EmbeddedImport| o.offset == f.offset)
        {
            out.push(f);
        }
        out.len() < max
    };
    for nl in memchr::memchr_iter(b'\n', data) {
        if !keep(text_globals_ending_at(data, nl)) {
            return out;
        }
    }
    for sg in memchr::memchr_iter(0x93, data) {
        if !keep(stack_global_at(data, sg).into_iter().collect()) {
            break;
        }
    }
    out.sort_by_key(|f| f.offset);
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// Every `c<module>\n<name>\n` (or `i...`) whose first newline is at `nl`.
fn text_globals_ending_at(data: &[u8], nl: usize) -> Vec<EmbeddedImport> {
    text_global_splits(data, nl).unwrap_or_default()
}

fn text_global_splits(data: &[u8], nl: usize) -> Option<Vec<EmbeddedImport>> {
    let mut start = nl;
    while start > 0 && nl - start < 256 && is_name_byte(data[start - 1]) {
        start -= 1;
    }
    // `start` is the first byte of the module; the opcode is the byte
    // before it. The module itself may begin with `c` or `i`, so try
    // every split that leaves a non-empty module.
    let name_len = data[nl + 1..]
        .iter()
        .take(256)
        .position(|&b| !is_name_byte(b))?;
    if name_len == 0 || data.get(nl + 1 + name_len) != Some(&b'\n') {
        return None;
    }
    let name = std::str::from_utf8(&data[nl + 1..nl + 1 + name_len]).ok()?;
    let mut found = Vec::new();
    for op_at in start.saturating_sub(1)..nl.saturating_sub(1) {
        if matches!(data[op_at], b'c' | b'i') && op_at + 1 < nl {
            let module = std::str::from_utf8(&data[op_at + 1..nl]).ok()?;
            if module.split('.').all(|p| !p.is_empty()) {
                found.push(EmbeddedImport {
                    offset: op_at,
                    module: module.to_owned(),
                    name: name.to_owned(),
                });
            }
        }
    }
    Some(found)
}

/// Two strings pushed right before the `STACK_GLOBAL` at `sg`.
fn stack_global_at(data: &[u8], sg: usize) -> Option<EmbeddedImport> {
    let (name, name_start) = string_ending_at(data, sg)?;
    let (module, module_start) = string_ending_at(data, name_start)?;
    Some(EmbeddedImport {
        offset: module_start,
        module: module.to_owned(),
        name: name.to_owned(),
    })
}

/// A `SHORT_BINUNICODE`/`BINUNICODE` string (and an optional `MEMOIZE`)
/// that ends right before `end`: the text and the opcode's offset. Only the
/// opcode bytes in the 260 bytes before `end` are tried (found with
/// `memrchr`), so random data costs a candidate or two per `0x93`.
fn string_ending_at(data: &[u8], end: usize) -> Option<(&str, usize)> {
    let end = if end > 0 && data[end - 1] == 0x94 {
        end - 1
    } else {
        end
    };
    let from = end.saturating_sub(260);
    let window = &data[from..end];
    for p in memchr::memrchr2_iter(0x8c, b'X', window).map(|p| p + from) {
        let (header, len) = if data[p] == 0x8c {
            (2, data.get(p + 1).map(|&l| usize::from(l)))
        } else {
            (
                5,
                data.get(p + 1..p + 5)
                    .and_then(|b| b.try_into().ok())
                    .map(|b| u32::from_le_bytes(b) as usize),
            )
        };
        if len.is_some_and(|len| len > 0 && p + header + len == end) {
            let text = std::str::from_utf8(&data[p + header..end]).ok()?;
            return Some((text, p));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_text_and_binary_imports_behind_unknown_bytes() {
        let policy = Policy::builtin();
        let mut data = b"\x00\x01HEADER\xff".to_vec();
        data.extend_from_slice(b"cos\nsystem\n(S'id'\ntR.");
        data.extend_from_slice(b"\xfe\xfe\x8c\x02os\x94\x8c\x06system\x94\x93");
        data.extend_from_slice(b"ccollections\nOrderedDict\n");
        let found = dangerous_imports(&data, policy, 10);
        let names: Vec<_> = found
            .iter()
            .map(|f| (f.offset, format!("{}.{}", f.module, f.name)))
            .collect();
        assert_eq!(
            names,
            vec![(9, "os.system".to_owned()), (32, "os.system".to_owned())]
        );
    }

    #[test]
    fn module_names_starting_with_c_are_split_at_the_opcode() {
        let found = dangerous_imports(b"xxccommands\ngetoutput\n", Policy::builtin(), 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].offset, 2);
        assert_eq!(found[0].module, "commands");
    }
}
