//! A defensive zip reader. It reads the central directory *and* walks the
//! local headers, and reports every disagreement between them instead of
//! failing, so that no member that some reader (PyTorch's miniz, Python's
//! `zipfile`, a streaming unzip) would load goes unscanned.

use std::collections::HashMap;

use crate::source::Source;

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
const EOCD: &[u8; 4] = b"PK\x05\x06";
const EOCD64_LOCATOR: &[u8; 4] = b"PK\x06\x07";
const EOCD64: &[u8; 4] = b"PK\x06\x06";

/// One member, as the central directory (or, for hidden members, the local
/// header) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    /// Offset of the local header.
    pub header_offset: u64,
    /// Offset of the member data (after the local header).
    pub data_offset: u64,
    /// Found only by walking local headers.
    pub hidden: bool,
    /// Where the record that lists it is (its central directory entry, or
    /// its local header when hidden): findings about claims it makes point
    /// here, not at the claimed offsets.
    pub record_offset: u64,
}

/// Something odd about the archive's structure, for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    NameMismatch {
        central: String,
        local: String,
        offset: u64,
    },
    Duplicate {
        name: String,
        case_only: bool,
    },
    FlagBits {
        name: String,
        flags: u16,
    },
    Hidden {
        name: String,
        offset: u64,
    },
    Overlap {
        first: String,
        second: String,
        offset: u64,
    },
    Prepended {
        bytes: u64,
    },
    Malformed {
        reason: String,
        offset: u64,
    },
}

/// The archive: its members and its oddities.
#[derive(Debug, Default)]
pub struct Archive {
    pub entries: Vec<Entry>,
    pub issues: Vec<Issue>,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}
fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}
fn u64_at(b: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Whether `src` looks like a zip: a local header at 0, or an end of central
/// directory record near the end (a zip appended to something else).
pub fn sniff(src: &dyn Source) -> bool {
    let head = src
        .read_at(0, 4)
        .map(|b| b.into_owned())
        .unwrap_or_default();
    head.as_slice() == LOCAL || head.as_slice() == EOCD || find_eocd(src).is_some()
}

/// Reads the archive. Never fails: problems become [`Issue`]s.
pub fn read(src: &dyn Source, max_entries: usize) -> Archive {
    let mut archive = Archive::default();
    let len = src.size();
    let mut central = Vec::new();
    let mut delta = 0u64;
    if let Some(eocd_pos) = find_eocd(src) {
        match read_central(src, eocd_pos, max_entries, &mut archive.issues) {
            Some((entries, adjust)) => {
                central = entries;
                delta = adjust;
            }
            None => archive.issues.push(Issue::Malformed {
                reason: "the central directory cannot be read".into(),
                offset: eocd_pos,
            }),
        }
    } else {
        archive.issues.push(Issue::Malformed {
            reason: "no end of central directory record; members found by their local headers"
                .into(),
            offset: len,
        });
    }
    if delta > 0 {
        archive.issues.push(Issue::Prepended { bytes: delta });
    }
    // Resolve each central entry through its local header.
    let mut by_header: HashMap<u64, String> = HashMap::new();
    for mut e in central {
        e.header_offset += delta;
        match read_local(src, e.header_offset) {
            Some(local) => {
                // Decoded as the central entry says, so that only different
                // bytes (not a different UTF-8 flag) count as a mismatch.
                if decode_name(&local.raw_name, e.flags) != e.name {
                    archive.issues.push(Issue::NameMismatch {
                        central: e.name.clone(),
                        local: local.name.clone(),
                        offset: e.header_offset,
                    });
                }
                e.data_offset = local.data_offset;
                if let Some(first) = by_header.get(&e.header_offset) {
                    archive.issues.push(Issue::Overlap {
                        first: first.clone(),
                        second: e.name.clone(),
                        offset: e.header_offset,
                    });
                } else {
                    by_header.insert(e.header_offset, e.name.clone());
                }
                archive.entries.push(e);
            }
            None => archive.issues.push(Issue::Malformed {
                reason: format!(
                    "no local header for {:?} at offset {}",
                    e.name, e.header_offset
                ),
                offset: e.record_offset,
            }),
        }
    }
    // Walk local headers from the start: members the directory does not list.
    walk_locals(src, &by_header, max_entries, &mut archive);
    check_names_flags_overlaps(&mut archive);
    if let Some(first) = archive.entries.iter().map(|e| e.header_offset).min()
        && first > 0
        && delta == 0
    {
        archive.issues.push(Issue::Prepended { bytes: first });
    }
    archive
}

fn find_eocd(src: &dyn Source) -> Option<u64> {
    let len = src.size();
    let start = len.saturating_sub(loadguard_formats::ZIP_EOCD_WINDOW as u64);
    let tail = src.read_at(start, (len - start) as usize).ok()?;
    loadguard_formats::last_zip_eocd(&tail).map(|i| start + i as u64)
}

fn read_central(
    src: &dyn Source,
    eocd_pos: u64,
    max_entries: usize,
    issues: &mut Vec<Issue>,
) -> Option<(Vec<Entry>, u64)> {
    let eocd = src.read_at(eocd_pos, 22).ok()?;
    if eocd.len() < 22 {
        return None;
    }
    let mut count = u64::from(u16_at(&eocd, 10));
    let mut cd_size = u64::from(u32_at(&eocd, 12));
    let mut cd_offset = u64::from(u32_at(&eocd, 16));
    let mut cd_end = eocd_pos;
    // ZIP64: a locator just before the EOCD points at the ZIP64 end record,
    // which then sits between the central directory and the EOCD. Writers
    // such as PyTorch's emit it even for small archives.
    if eocd_pos >= 20
        && let Ok(loc) = src.read_at(eocd_pos - 20, 20)
        && loc.len() == 20
        && &loc[..4] == EOCD64_LOCATOR
    {
        let rec_pos = u64_at(&loc, 8);
        if let Ok(rec) = src.read_at(rec_pos, 56)
            && rec.len() == 56
            && &rec[..4] == EOCD64
        {
            if count == 0xFFFF {
                count = u64_at(&rec, 32);
            }
            if cd_size == 0xFFFF_FFFF {
                cd_size = u64_at(&rec, 40);
            }
            if cd_offset == 0xFFFF_FFFF {
                cd_offset = u64_at(&rec, 48);
            }
            cd_end = rec_pos;
        } else {
            // The locator may itself be shifted by prepended data.
            cd_end = eocd_pos - 20;
        }
    }
    // Python's zipfile adjusts every offset by the bytes prepended to the archive.
    let delta = cd_end
        .checked_sub(cd_size)
        .and_then(|s| s.checked_sub(cd_offset))
        .unwrap_or(0);
    let cd_start = cd_offset + delta;
    let cd = src.read_at(cd_start, usize::try_from(cd_size).ok()?).ok()?;
    let mut entries = Vec::new();
    let mut i = 0usize;
    while i + 46 <= cd.len() && &cd[i..i + 4] == CENTRAL {
        if entries.len() >= max_entries {
            issues.push(Issue::Malformed {
                reason: format!(
                    "more than {max_entries} central directory entries; the rest were not read"
                ),
                offset: cd_start + i as u64,
            });
            break;
        }
        let flags = u16_at(&cd, i + 8);
        let method = u16_at(&cd, i + 10);
        let crc32 = u32_at(&cd, i + 16);
        let mut compressed_size = u64::from(u32_at(&cd, i + 20));
        let mut size = u64::from(u32_at(&cd, i + 24));
        let name_len = usize::from(u16_at(&cd, i + 28));
        let extra_len = usize::from(u16_at(&cd, i + 30));
        let comment_len = usize::from(u16_at(&cd, i + 32));
        let mut header_offset = u64::from(u32_at(&cd, i + 42));
        let name_end = i + 46 + name_len;
        let extra_end = name_end + extra_len;
        if extra_end + comment_len > cd.len() {
            issues.push(Issue::Malformed {
                reason: "a central directory entry runs past the directory".into(),
                offset: cd_start + i as u64,
            });
            break;
        }
        let name = decode_name(&cd[i + 46..name_end], flags);
        apply_zip64(
            &cd[name_end..extra_end],
            &mut size,
            &mut compressed_size,
            &mut header_offset,
        );
        entries.push(Entry {
            name,
            method,
            flags,
            crc32,
            compressed_size,
            size,
            header_offset,
            data_offset: 0,
            hidden: false,
            record_offset: cd_start + i as u64,
        });
        i = extra_end + comment_len;
    }
    if entries.len() as u64 != count && entries.len() < max_entries {
        issues.push(Issue::Malformed {
            reason: format!(
                "the end record counts {count} entries, the directory holds {}",
                entries.len()
            ),
            offset: eocd_pos,
        });
    }
    Some((entries, delta))
}

fn apply_zip64(extra: &[u8], size: &mut u64, csize: &mut u64, offset: &mut u64) {
    let mut j = 0;
    while j + 4 <= extra.len() {
        let id = u16_at(extra, j);
        let n = usize::from(u16_at(extra, j + 2));
        let body = &extra[j + 4..(j + 4 + n).min(extra.len())];
        if id == 0x0001 {
            let mut k = 0;
            for field in [&mut *size, &mut *csize, &mut *offset] {
                if *field == 0xFFFF_FFFF && k + 8 <= body.len() {
                    *field = u64_at(body, k);
                    k += 8;
                }
            }
        }
        j += 4 + n;
    }
}

/// The upper half of code page 437, the zip default for names.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ',
    'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ',
    'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕',
    '╣', '║', '╗', '╝', '╜', '╛', '┐', '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦',
    '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐',
    '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±',
    '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// Names are UTF-8 when flag bit 11 says so (invalid bytes shown as U+FFFD)
/// and CP437 otherwise, as Python's `zipfile` decodes them.
fn decode_name(raw: &[u8], flags: u16) -> String {
    if flags & 0x800 != 0 || raw.is_ascii() {
        return String::from_utf8_lossy(raw).into_owned();
    }
    raw.iter()
        .map(|&b| {
            if b < 0x80 {
                char::from(b)
            } else {
                CP437_HIGH[usize::from(b - 0x80)]
            }
        })
        .collect()
}

struct Local {
    /// The name bytes as stored.
    raw_name: Vec<u8>,
    name: String,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    size: u64,
    data_offset: u64,
}

fn read_local(src: &dyn Source, offset: u64) -> Option<Local> {
    let h = src.read_at(offset, 30).ok()?;
    if h.len() < 30 || &h[..4] != LOCAL {
        return None;
    }
    let flags = u16_at(&h, 6);
    let method = u16_at(&h, 8);
    let crc32 = u32_at(&h, 14);
    let mut compressed_size = u64::from(u32_at(&h, 18));
    let mut size = u64::from(u32_at(&h, 22));
    let name_len = usize::from(u16_at(&h, 26));
    let extra_len = usize::from(u16_at(&h, 28));
    let tail = src.read_at(offset + 30, name_len + extra_len).ok()?;
    if tail.len() < name_len + extra_len {
        return None;
    }
    let mut ignored = 0;
    apply_zip64(
        &tail[name_len..],
        &mut size,
        &mut compressed_size,
        &mut ignored,
    );
    Some(Local {
        name: decode_name(&tail[..name_len], flags),
        raw_name: tail[..name_len].to_vec(),
        flags,
        method,
        crc32,
        compressed_size,
        size,
        data_offset: offset + 30 + (name_len + extra_len) as u64,
    })
}

/// Follows local headers one after another from the first one; a header the
/// directory does not list is a hidden member.
fn walk_locals(
    src: &dyn Source,
    listed: &HashMap<u64, String>,
    max_entries: usize,
    archive: &mut Archive,
) {
    let len = src.size();
    let mut offset = match listed.keys().min() {
        Some(&first) => first.min(find_first_local(src).unwrap_or(first)),
        None => match find_first_local(src) {
            Some(o) => o,
            None => return,
        },
    };
    let mut seen = 0;
    while offset + 30 <= len && seen < max_entries {
        let Some(local) = read_local(src, offset) else {
            break;
        };
        seen += 1;
        let next = local.data_offset.saturating_add(local.compressed_size);
        if !listed.contains_key(&offset) {
            archive.issues.push(Issue::Hidden {
                name: local.name.clone(),
                offset,
            });
            archive.entries.push(Entry {
                name: local.name,
                method: local.method,
                flags: local.flags,
                crc32: local.crc32,
                compressed_size: local.compressed_size,
                size: local.size,
                header_offset: offset,
                data_offset: local.data_offset,
                hidden: true,
                record_offset: offset,
            });
        }
        // A data descriptor (flag bit 3) may follow the data.
        let mut after = next;
        if local.flags & 0x08 != 0
            && let Ok(d) = src.read_at(after, 4)
            && d.as_ref() == b"PK\x07\x08"
        {
            after += 16;
        } else if local.flags & 0x08 != 0 {
            after += 12;
        }
        if after <= offset {
            break;
        }
        offset = after;
    }
}

fn find_first_local(src: &dyn Source) -> Option<u64> {
    let head = src.read_at(0, 1 << 16).ok()?;
    head.windows(4).position(|w| w == LOCAL).map(|p| p as u64)
}

fn check_names_flags_overlaps(archive: &mut Archive) {
    let mut exact: HashMap<&str, usize> = HashMap::new();
    let mut folded: HashMap<String, &str> = HashMap::new();
    let mut issues = Vec::new();
    for e in &archive.entries {
        if e.flags & 0x61 != 0 {
            issues.push(Issue::FlagBits {
                name: e.name.clone(),
                flags: e.flags,
            });
        }
        let n = exact.entry(e.name.as_str()).or_insert(0);
        *n += 1;
        if *n == 2 {
            issues.push(Issue::Duplicate {
                name: e.name.clone(),
                case_only: false,
            });
        }
        let lower = e.name.to_lowercase();
        match folded.get(&lower) {
            Some(other) if *other != e.name => issues.push(Issue::Duplicate {
                name: format!("{other} / {}", e.name),
                case_only: true,
            }),
            Some(_) => {}
            None => {
                folded.insert(lower, e.name.as_str());
            }
        }
    }
    // Data ranges that overlap (distinct headers).
    let mut ranges: Vec<(u64, u64, &str)> = archive
        .entries
        .iter()
        .map(|e| {
            (
                e.header_offset,
                e.data_offset.saturating_add(e.compressed_size),
                e.name.as_str(),
            )
        })
        .collect();
    ranges.sort_unstable();
    ranges.dedup_by_key(|r| r.0);
    for w in ranges.windows(2) {
        if w[1].0 < w[0].1 {
            issues.push(Issue::Overlap {
                first: w[0].2.to_owned(),
                second: w[1].2.to_owned(),
                offset: w[1].0,
            });
        }
    }
    archive.issues.extend(issues);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn names_decode_as_python_zipfile_does() {
        // Without the UTF-8 flag: CP437 (`zipfile` gives 'ÇüÉ░ .pkl').
        assert_eq!(
            decode_name(b"\x80\x81\x90\xb0\xff.pkl", 0),
            "ÇüÉ░\u{a0}.pkl"
        );
        // With it: UTF-8, invalid bytes replaced.
        assert_eq!(decode_name("é.pkl".as_bytes(), 0x800), "é.pkl");
        assert_eq!(decode_name(b"\xff.pkl", 0x800), "\u{fffd}.pkl");
        assert_eq!(decode_name(b"archive/data.pkl", 0), "archive/data.pkl");
    }

    /// Builds a stored zip by hand: (name, data) members, central directory, EOCD.
    pub(crate) fn build(members: &[(&str, &[u8])]) -> Vec<u8> {
        build_with(members, |_, _, _| {})
    }

    /// Like `build`, letting a test patch each (local header, central entry) pair.
    pub(crate) fn build_with(
        members: &[(&str, &[u8])],
        mut patch: impl FnMut(usize, &mut Vec<u8>, &mut Vec<u8>),
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (i, (name, data)) in members.iter().enumerate() {
            let crc = crc32fast::hash(data);
            let mut local = Vec::new();
            local.extend_from_slice(LOCAL);
            local.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            local.extend_from_slice(&crc.to_le_bytes());
            local.extend_from_slice(&(data.len() as u32).to_le_bytes());
            local.extend_from_slice(&(data.len() as u32).to_le_bytes());
            local.extend_from_slice(&(name.len() as u16).to_le_bytes());
            local.extend_from_slice(&0u16.to_le_bytes());
            local.extend_from_slice(name.as_bytes());
            let mut cd = Vec::new();
            cd.extend_from_slice(CENTRAL);
            cd.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            cd.extend_from_slice(&crc.to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
            cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0; 8]);
            cd.extend_from_slice(&[0; 4]);
            cd.extend_from_slice(&(out.len() as u32).to_le_bytes());
            cd.extend_from_slice(name.as_bytes());
            patch(i, &mut local, &mut cd);
            out.extend_from_slice(&local);
            out.extend_from_slice(data);
            central.extend_from_slice(&cd);
        }
        let cd_offset = out.len();
        out.extend_from_slice(&central);
        out.extend_from_slice(EOCD);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(members.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&(cd_offset as u32).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn reads_a_plain_zip() {
        let z = build(&[("a/data.pkl", b"\x80\x04N."), ("a/version", b"3\n")]);
        let a = read(&z.as_slice(), 1000);
        assert!(a.issues.is_empty(), "{:?}", a.issues);
        assert_eq!(a.entries.len(), 2);
        assert_eq!(a.entries[0].name, "a/data.pkl");
        let e = &a.entries[0];
        assert_eq!(
            &z[e.data_offset as usize..(e.data_offset + e.size) as usize],
            b"\x80\x04N."
        );
    }

    #[test]
    fn reports_duplicates_and_case_collisions() {
        let z = build(&[
            ("a/data.pkl", b"x"),
            ("a/data.pkl", b"y"),
            ("a/DATA.PKL", b"z"),
        ]);
        let a = read(&z.as_slice(), 1000);
        assert!(a.issues.iter().any(|i| matches!(
            i,
            Issue::Duplicate {
                case_only: false,
                ..
            }
        )));
        assert!(a.issues.iter().any(|i| matches!(
            i,
            Issue::Duplicate {
                case_only: true,
                ..
            }
        )));
        assert_eq!(a.entries.len(), 3);
    }

    #[test]
    fn reports_name_mismatch_and_flags() {
        let z = build_with(&[("a/data.pkl", b"x")], |_, local, cd| {
            let n = local.len();
            local[n - 3..].copy_from_slice(b"pkx");
            local[6] = 1;
            cd[8] = 1;
        });
        let a = read(&z.as_slice(), 1000);
        assert!(
            a.issues
                .iter()
                .any(|i| matches!(i, Issue::NameMismatch { .. })),
            "{:?}",
            a.issues
        );
        assert!(
            a.issues
                .iter()
                .any(|i| matches!(i, Issue::FlagBits { flags: 1, .. }))
        );
    }

    #[test]
    fn finds_hidden_members_and_prepended_data() {
        let mut z = build(&[("a/data.pkl", b"x")]);
        // Drop the central directory entry count to zero and the entry itself:
        // rebuild with one member but point the EOCD at an empty directory.
        let eocd = z.len() - 22;
        let cd_start = u32_at(&z, eocd + 16) as usize;
        z.truncate(cd_start);
        z.extend_from_slice(EOCD);
        z.extend_from_slice(&[0; 6]);
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(&(cd_start as u32).to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        let a = read(&z.as_slice(), 1000);
        assert!(
            a.issues.iter().any(|i| matches!(i, Issue::Hidden { .. })),
            "{:?}",
            a.issues
        );
        assert_eq!(a.entries.len(), 1);
        assert!(a.entries[0].hidden);

        let mut poly = b"\x80\x04N.".to_vec();
        poly.extend_from_slice(&build(&[("m", b"y")]));
        let a = read(&poly.as_slice(), 1000);
        assert!(
            a.issues
                .iter()
                .any(|i| matches!(i, Issue::Prepended { bytes: 4 })),
            "{:?}",
            a.issues
        );
        assert_eq!(a.entries.len(), 1);
        assert!(sniff(&poly.as_slice()));
    }

    #[test]
    fn truncation_and_damage_are_reported() {
        let z = build(&[("a/data.pkl", b"\x80\x04N."), ("b", b"12345678")]);
        assert!(read(&z.as_slice(), 1000).issues.is_empty());
        // A truncated archive always has an issue; no member is placed
        // past the bytes there are.
        for cut in 0..z.len() {
            let a = read(&&z[..cut], 1000);
            assert!(!a.issues.is_empty(), "cut at {cut}");
            assert!(a.entries.len() <= 2);
        }
        for i in 0..z.len() {
            let mut m = z.clone();
            m[i] ^= 0xff;
            assert!(read(&m.as_slice(), 1000).entries.len() <= 2);
        }
    }
}
