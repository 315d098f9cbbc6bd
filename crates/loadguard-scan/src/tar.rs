//! A tar reader that lists members (ustar, GNU long names, pax paths) with
//! their types, without trusting sizes it cannot check.

use crate::source::Source;

/// What kind of member a header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
    Symlink,
    Hardlink,
    Device,
    Fifo,
    Other(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub kind: Kind,
    /// Link target, for links.
    pub target: String,
    pub data_offset: u64,
    pub size: u64,
}

#[derive(Debug, Default)]
pub struct Archive {
    pub members: Vec<Member>,
    /// Why reading stopped early, with the offset.
    pub error: Option<(String, u64)>,
}

/// A ustar/GNU magic at offset 257 and a valid header checksum.
pub fn sniff(src: &dyn Source) -> bool {
    match src.read_at(0, 512) {
        Ok(h) if h.len() == 512 => (&h[257..262] == b"ustar") && checksum_ok(&h),
        _ => false,
    }
}

fn checksum_ok(h: &[u8]) -> bool {
    let stored = octal(&h[148..156]);
    let sum: u64 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    stored == Some(sum)
}

fn octal(field: &[u8]) -> Option<u64> {
    // GNU base-256 for large sizes.
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut v = u64::from(field[0] & 0x7f);
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(v);
    }
    let s: Vec<u8> = field
        .iter()
        .copied()
        .take_while(|&b| b != 0)
        .filter(|b| *b != b' ')
        .collect();
    if s.is_empty() {
        return Some(0);
    }
    let mut v = 0u64;
    for b in s {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

fn cstr(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

pub fn read(src: &dyn Source, max_members: usize) -> Archive {
    let mut archive = Archive::default();
    let len = src.size();
    let mut offset = 0u64;
    let mut long_name: Option<String> = None;
    let mut long_link: Option<String> = None;
    while offset + 512 <= len {
        let Ok(h) = src.read_at(offset, 512) else {
            break;
        };
        if h.iter().all(|&b| b == 0) {
            break;
        }
        if !checksum_ok(&h) {
            archive.error = Some(("bad tar header checksum".into(), offset));
            break;
        }
        let Some(size) = octal(&h[124..136]) else {
            archive.error = Some(("bad tar size field".into(), offset));
            break;
        };
        let data_offset = offset + 512;
        let Some(next) = size
            .checked_add(511)
            .map(|s| data_offset + s / 512 * 512)
            .filter(|&n| n <= len + 511)
        else {
            archive.error = Some(("tar member runs past the end".into(), offset));
            break;
        };
        let typeflag = h[156];
        let mut name = cstr(&h[0..100]);
        let prefix = cstr(&h[345..500]);
        if &h[257..262] == b"ustar" && !prefix.is_empty() {
            name = format!("{prefix}/{name}");
        }
        let mut target = cstr(&h[157..257]);
        let body = || {
            src.read_at(data_offset, usize::try_from(size.min(1 << 20)).unwrap_or(0))
                .map(|b| b.into_owned())
                .unwrap_or_default()
        };
        match typeflag {
            b'L' => {
                long_name = Some(cstr(&body()));
                offset = next;
                continue;
            }
            b'K' => {
                long_link = Some(cstr(&body()));
                offset = next;
                continue;
            }
            b'x' => {
                for record in String::from_utf8_lossy(&body()).lines() {
                    if let Some((_, kv)) = record.split_once(' ') {
                        if let Some(p) = kv.strip_prefix("path=") {
                            long_name = Some(p.to_owned());
                        } else if let Some(p) = kv.strip_prefix("linkpath=") {
                            long_link = Some(p.to_owned());
                        }
                    }
                }
                offset = next;
                continue;
            }
            b'g' => {
                offset = next;
                continue;
            }
            _ => {}
        }
        if let Some(n) = long_name.take() {
            name = n;
        }
        if let Some(t) = long_link.take() {
            target = t;
        }
        let kind = match typeflag {
            b'0' | 0 | b'7' => Kind::File,
            b'5' => Kind::Directory,
            b'2' => Kind::Symlink,
            b'1' => Kind::Hardlink,
            b'3' | b'4' => Kind::Device,
            b'6' => Kind::Fifo,
            other => Kind::Other(other),
        };
        if archive.members.len() >= max_members {
            archive.error = Some((
                format!("more than {max_members} members; the rest were not read"),
                offset,
            ));
            break;
        }
        archive.members.push(Member {
            name,
            kind,
            target,
            data_offset,
            size: if kind == Kind::File { size } else { 0 },
        });
        offset = next;
    }
    archive
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn header(name: &str, typeflag: u8, size: usize, link: &str) -> Vec<u8> {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[156] = typeflag;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        h
    }

    pub(crate) fn build(members: &[(&str, u8, &[u8], &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, t, data, link) in members {
            out.extend_from_slice(&header(name, *t, data.len(), link));
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    #[test]
    fn lists_members_and_kinds() {
        let t = build(&[
            ("pickle", b'0', b"\x80\x02N.", ""),
            ("storages", b'2', b"", "/etc/passwd"),
        ]);
        assert!(sniff(&t.as_slice()));
        let a = read(&t.as_slice(), 100);
        assert_eq!(a.error, None);
        assert_eq!(a.members.len(), 2);
        assert_eq!(a.members[0].name, "pickle");
        assert_eq!(a.members[0].size, 4);
        assert_eq!(a.members[1].kind, Kind::Symlink);
        assert_eq!(a.members[1].target, "/etc/passwd");
    }

    #[test]
    fn truncation_and_damage_are_reported() {
        let t = build(&[("a", b'0', b"hello", ""), ("b", b'0', &[7u8; 700], "")]);
        // Cut inside the second member: it is reported, not silently short.
        for cut in [1024 + 100, 1024 + 512 + 10, t.len() - 1024 - 1] {
            let a = read(&&t[..cut], 100);
            assert!(
                a.error.is_some()
                    || a.members
                        .iter()
                        .all(|m| m.data_offset + m.size <= cut as u64),
                "cut at {cut}"
            );
        }
        for cut in 0..t.len() {
            assert!(read(&&t[..cut], 100).members.len() <= 2);
        }
        for i in (0..t.len()).step_by(7) {
            let mut m = t.clone();
            m[i] ^= 0x5a;
            assert!(read(&m.as_slice(), 100).members.len() <= 2);
        }
    }
}
