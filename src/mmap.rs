//! The one reviewed `unsafe` in loadguard: mapping a file read-only.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Deref;

/// Files smaller than this are read into memory; mapping costs more.
const MMAP_THRESHOLD: u64 = 1 << 20;

/// The bytes of a file, mapped or read.
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Mapped(m) => m,
            Self::Read(v) => v,
        }
    }
}

pub(crate) fn open(path: &std::path::Path) -> io::Result<FileBytes> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len < MMAP_THRESHOLD {
        let mut v = Vec::with_capacity(len as usize);
        io::Read::read_to_end(&mut file, &mut v)?;
        return Ok(FileBytes::Read(v));
    }
    // SAFETY: the map is read-only and private to this process. If another
    // process truncates the file while we scan it, reads past the new end
    // raise SIGBUS; loadguard scans artifacts at rest, and the alternative
    // (reading multi-GB checkpoints into memory) is worse. Nothing here
    // writes through the map or hands out references that outlive it.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    Ok(FileBytes::Mapped(map))
}
