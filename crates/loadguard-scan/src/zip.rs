//! A defensive zip reader. It reads the central directory *and* walks the
//! local headers, and reports every disagreement between them instead of
//! failing, so that no member that some reader (PyTorch's miniz, Python's
//! `zipfile`, a streaming unzip) would load goes unscanned.

use std::borrow::Cow;
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
    resolve(src, directory(src, max_entries), max_entries)
}

/// The central directory alone: its entries, with their header offsets
/// adjusted for prepended bytes and their data offsets not yet known, so
/// that a caller can start on one member (a checkpoint's pickle) while
/// [`resolve`] checks the rest.
#[derive(Debug, Default)]
pub struct Directory {
    pub entries: Vec<Entry>,
    issues: Vec<Issue>,
    delta: u64,
}

/// Where a directory entry's data starts, from its local header.
pub fn data_offset(src: &dyn Source, entry: &Entry) -> Option<u64> {
    read_local(src, entry.header_offset).map(|l| l.data_offset)
}

/// Reads the central directory (the end record, ZIP64 records, entries).
pub fn directory(src: &dyn Source, max_entries: usize) -> Directory {
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
    for e in &mut central {
        e.header_offset += delta;
    }
    Directory {
        entries: central,
        issues: archive.issues,
        delta,
    }
}

/// Resolves every directory entry through its local header, walks the
/// local headers for members the directory hides, and checks names, flags
/// and overlaps.
pub fn resolve(src: &dyn Source, dir: Directory, max_entries: usize) -> Archive {
    let Directory {
        entries: mut central,
        issues,
        delta,
    } = dir;
    let mut archive = Archive {
        entries: Vec::new(),
        issues,
    };
    // Each entry's local header (a checkpoint's directory can hold 200,000):
    // its data offset, where the next header would start, and the local name
    // when it differs.
    let resolve_one = |e: &Entry| {
        let local = read_local(src, e.header_offset)?;
        // Decoded as the central entry says, so that only different bytes
        // (not a different UTF-8 flag) count as a mismatch.
        let same = if local.raw_name.is_ascii() {
            local.raw_name == e.name.as_bytes()
        } else {
            decode_name(&local.raw_name, e.flags) == e.name
        };
        Some((
            local.data_offset,
            after_local(src, &local),
            (!same).then(|| local.name()),
        ))
    };
    // In memory, in parallel; a remote source reads ahead in order, and
    // readers on two threads would defeat it.
    let resolved: Vec<Option<(u64, u64, Option<String>)>> = if src.contiguous().is_some() {
        use rayon::prelude::*;
        central
            .par_iter()
            .with_min_len(1024)
            .map(resolve_one)
            .collect()
    } else {
        central.iter().map(resolve_one).collect()
    };
    // (header offset, entry index, where the next header would start), for
    // the walk below: a listed header is parsed once.
    let mut listed: Vec<(u64, usize, u64)> = Vec::with_capacity(central.len());
    let issues = &mut archive.issues;
    let mut resolved = resolved.into_iter();
    central.retain_mut(|e| {
        let Some((data_offset, after, mismatch)) = resolved.next().flatten() else {
            issues.push(Issue::Malformed {
                reason: format!(
                    "no local header for {:?} at offset {}",
                    e.name, e.header_offset
                ),
                offset: e.record_offset,
            });
            return false;
        };
        if let Some(local) = mismatch {
            issues.push(Issue::NameMismatch {
                central: e.name.clone(),
                local,
                offset: e.header_offset,
            });
        }
        e.data_offset = data_offset;
        listed.push((e.header_offset, listed.len(), after));
        true
    });
    archive.entries = central;
    // Stable: of two entries that share a header, the first listed is first.
    listed.sort_by_key(|l| l.0);
    for w in listed.windows(2) {
        if w[0].0 == w[1].0 {
            archive.issues.push(Issue::Overlap {
                first: archive.entries[w[0].1].name.clone(),
                second: archive.entries[w[1].1].name.clone(),
                offset: w[1].0,
            });
        }
    }
    listed.dedup_by_key(|l| l.0);
    // Walk local headers from the start: members the directory does not list.
    walk_locals(src, &listed, max_entries, &mut archive);
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
    // Sized from the directory itself (an entry takes at least 46 bytes),
    // not from the count a hostile end record claims.
    let mut entries = Vec::with_capacity((cd.len() / 46).min(max_entries));
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

struct Local<'a> {
    /// The name bytes as stored (borrowed from an in-memory source).
    raw_name: Cow<'a, [u8]>,
    flags: u16,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    size: u64,
    data_offset: u64,
}

impl Local<'_> {
    fn name(&self) -> String {
        decode_name(&self.raw_name, self.flags)
    }
}

/// A local header. Nothing is allocated for in-memory sources: a
/// checkpoint with 200,000 tensors has 200,000 of them.
fn read_local(src: &dyn Source, offset: u64) -> Option<Local<'_>> {
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
    let raw_name = match tail {
        Cow::Borrowed(b) => Cow::Borrowed(&b[..name_len]),
        Cow::Owned(v) => Cow::Owned(v[..name_len].to_vec()),
    };
    Some(Local {
        raw_name,
        flags,
        method,
        crc32,
        compressed_size,
        size,
        data_offset: offset + 30 + (name_len + extra_len) as u64,
    })
}

/// Where the header after this member would start: after its data, and
/// after a data descriptor (flag bit 3) when one follows.
fn after_local(src: &dyn Source, local: &Local<'_>) -> u64 {
    let next = local.data_offset.saturating_add(local.compressed_size);
    if local.flags & 0x08 == 0 {
        return next;
    }
    match src.read_at(next, 4) {
        Ok(d) if d.as_ref() == b"PK\x07\x08" => next.saturating_add(16),
        _ => next.saturating_add(12),
    }
}

/// Follows local headers one after another from the first one; a header the
/// directory does not list is a hidden member. `listed` is sorted by
/// header offset, without repeats.
fn walk_locals(
    src: &dyn Source,
    listed: &[(u64, usize, u64)],
    max_entries: usize,
    archive: &mut Archive,
) {
    let len = src.size();
    let mut offset = match listed.first() {
        Some(&(first, _, _)) => first.min(find_first_local(src).unwrap_or(first)),
        None => match find_first_local(src) {
            Some(o) => o,
            None => return,
        },
    };
    let mut seen = 0;
    let mut j = 0;
    while offset + 30 <= len && seen < max_entries {
        while j < listed.len() && listed[j].0 < offset {
            j += 1;
        }
        let after = if let Some(&(_, _, after)) = listed.get(j).filter(|l| l.0 == offset) {
            after
        } else {
            let Some(local) = read_local(src, offset) else {
                break;
            };
            let name = local.name();
            archive.issues.push(Issue::Hidden {
                name: name.clone(),
                offset,
            });
            archive.entries.push(Entry {
                name,
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
            after_local(src, &local)
        };
        seen += 1;
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
    use std::collections::hash_map::Entry as Slot;
    // Folded name -> the first name with that folding, and how many times
    // that exact name was seen: one lookup per member (a checkpoint can
    // have 200,000). Names that differ from the first only in case are
    // counted apart, in `variants`.
    let mut folded: HashMap<Cow<'_, str>, (&str, usize)> =
        HashMap::with_capacity(archive.entries.len());
    let mut variants: HashMap<&str, usize> = HashMap::new();
    let mut issues = Vec::new();
    for e in &archive.entries {
        if e.flags & 0x61 != 0 {
            issues.push(Issue::FlagBits {
                name: e.name.clone(),
                flags: e.flags,
            });
        }
        // Most names have no upper-case letter: folded, they are themselves.
        let changes = if e.name.is_ascii() {
            e.name.bytes().any(|b| b.is_ascii_uppercase())
        } else {
            e.name
                .chars()
                .any(|c| !c.to_lowercase().eq(std::iter::once(c)))
        };
        let lower: Cow<'_, str> = if changes {
            Cow::Owned(e.name.to_lowercase())
        } else {
            Cow::Borrowed(e.name.as_str())
        };
        let duplicate = || Issue::Duplicate {
            name: e.name.clone(),
            case_only: false,
        };
        match folded.entry(lower) {
            Slot::Vacant(v) => {
                v.insert((e.name.as_str(), 1));
            }
            Slot::Occupied(mut o) => {
                let (first, seen) = o.get_mut();
                if *first == e.name {
                    *seen += 1;
                    if *seen == 2 {
                        issues.push(duplicate());
                    }
                } else {
                    let seen = variants.entry(e.name.as_str()).or_insert(0);
                    *seen += 1;
                    if *seen == 2 {
                        issues.push(duplicate());
                    }
                    issues.push(Issue::Duplicate {
                        name: format!("{first} / {}", e.name),
                        case_only: true,
                    });
                }
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
