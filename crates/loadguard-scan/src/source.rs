//! Random-access byte sources. Container readers ask for ranges, never for
//! the whole artifact: a local file is mapped and ranges are borrowed; a
//! remote artifact (HTTP range requests) can implement the same trait.

use std::borrow::Cow;
use std::io;

/// Bytes that can be read at any offset.
pub trait Source: Sync {
    /// Total length in bytes.
    fn size(&self) -> u64;

    /// Whether the source is empty.
    fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// `len` bytes at `offset`, or fewer at the end of the source.
    fn read_at(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>>;

    /// The whole source as one slice, when it is already in memory (mapped
    /// files and decompressed members). Remote sources return `None`.
    fn contiguous(&self) -> Option<&[u8]> {
        None
    }
}

impl Source for [u8] {
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let end = start.saturating_add(len).min(<[u8]>::len(self));
        Ok(Cow::Borrowed(&self[start..end]))
    }

    fn contiguous(&self) -> Option<&[u8]> {
        Some(self)
    }
}

impl Source for &[u8] {
    fn size(&self) -> u64 {
        <[u8]>::len(self) as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        Source::read_at(*self, offset, len)
    }

    fn contiguous(&self) -> Option<&[u8]> {
        Some(self)
    }
}

impl Source for Vec<u8> {
    fn size(&self) -> u64 {
        Vec::len(self) as u64
    }

    fn read_at(&self, offset: u64, len: usize) -> io::Result<Cow<'_, [u8]>> {
        Source::read_at(<Vec<u8> as AsRef<[u8]>>::as_ref(self), offset, len)
    }

    fn contiguous(&self) -> Option<&[u8]> {
        Some(self)
    }
}
