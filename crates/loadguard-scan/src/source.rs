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

/// A `Read + Seek` view of a source, for readers that want a stream (the
/// 7z reader); reads go through `read_at`, so nothing is loaded whole.
pub(crate) struct SourceReader<'a> {
    src: &'a dyn Source,
    pos: u64,
    /// Bytes read so far, for a caller judging a decompression ratio.
    read: &'a std::cell::Cell<u64>,
}

impl<'a> SourceReader<'a> {
    /// A reader that adds every byte it reads to `read`.
    pub(crate) fn counted(src: &'a dyn Source, read: &'a std::cell::Cell<u64>) -> Self {
        Self { src, pos: 0, read }
    }
}

impl io::Read for SourceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let data = self.src.read_at(self.pos, buf.len())?;
        buf[..data.len()].copy_from_slice(&data);
        self.pos += data.len() as u64;
        self.read.set(self.read.get() + data.len() as u64);
        Ok(data.len())
    }
}

impl io::Seek for SourceReader<'_> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        let target = match to {
            io::SeekFrom::Start(n) => Some(n),
            io::SeekFrom::End(d) => self.src.size().checked_add_signed(d),
            io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek, SeekFrom};

    use super::*;

    #[test]
    fn the_reader_reads_and_seeks_within_the_source() {
        let data: &[u8] = b"0123456789";
        let read = std::cell::Cell::new(0);
        let mut r = SourceReader::counted(&data, &read);
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf).expect("read"), 4);
        assert_eq!(&buf, b"0123");
        assert_eq!(r.seek(SeekFrom::End(-2)).expect("seek"), 8);
        assert_eq!(r.read(&mut buf).expect("read"), 2);
        assert_eq!(&buf[..2], b"89");
        assert_eq!(r.read(&mut buf).expect("read"), 0);
        assert!(r.seek(SeekFrom::Current(-20)).is_err());
        assert_eq!(r.seek(SeekFrom::Start(3)).expect("seek"), 3);
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).expect("read");
        assert_eq!(rest, b"3456789");
        assert_eq!(read.get(), 4 + 2 + 7);
    }
}
