//! Bounded decompression of the stream formats models are wrapped in.

use std::io::{self, Read, Write};

/// A compression format, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Bzip2,
    Xz,
    /// The legacy `.lzma` ("LZMA alone") format that joblib writes.
    Lzma,
    Zstd,
    Zlib,
    /// A raw deflate stream (zip method 8).
    Deflate,
    /// An LZ4 frame (joblib's `compress="lz4"`).
    Lz4,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Bzip2 => "bzip2",
            Self::Xz => "xz",
            Self::Lzma => "lzma",
            Self::Zstd => "zstd",
            Self::Zlib => "zlib",
            Self::Deflate => "deflate",
            Self::Lz4 => "lz4",
        }
    }

    /// The codec whose magic starts `data` (raw deflate has none).
    pub fn sniff(data: &[u8]) -> Option<Self> {
        match data {
            [0x1f, 0x8b, ..] => Some(Self::Gzip),
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Self::Bzip2),
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Self::Xz),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Self::Zstd),
            [0x04, 0x22, 0x4d, 0x18, ..] => Some(Self::Lz4),
            // LZMA alone, as joblib recognises it (`_LZMA_PREFIX = b"]\x00"`):
            // properties byte 0x5d, then any dictionary size (Python's
            // FORMAT_ALONE decoder is not picky about it).
            [0x5d, 0x00, ..] => Some(Self::Lzma),
            [cmf, flg, ..]
                if cmf & 0x0f == 8
                    && cmf >> 4 <= 7
                    && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0 =>
            {
                Some(Self::Zlib)
            }
            _ => None,
        }
    }
}

/// Why decompression ended early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The output reached the limit; the bytes decoded so far are kept.
    Limit { limit: u64 },
    /// The data is corrupt at some point; the bytes decoded so far are kept.
    Corrupt { reason: String },
}

/// Decompressed output and whether it is complete.
#[derive(Debug)]
pub struct Decoded {
    pub data: Vec<u8>,
    pub stopped: Option<Stopped>,
}

/// Decompresses `input` with at most `limit` bytes of output.
pub fn decompress(codec: Codec, input: &[u8], limit: u64) -> Decoded {
    let mut out = LimitedWriter {
        data: Vec::new(),
        limit,
        hit: false,
    };
    let result: io::Result<()> = match codec {
        Codec::Gzip => copy(flate2::read::MultiGzDecoder::new(input), &mut out),
        Codec::Zlib => copy(flate2::read::ZlibDecoder::new(input), &mut out),
        Codec::Deflate => copy(flate2::read::DeflateDecoder::new(input), &mut out),
        Codec::Bzip2 => copy(bzip2::read::MultiBzDecoder::new(input), &mut out),
        Codec::Lz4 => copy(lz4_flex::frame::FrameDecoder::new(input), &mut out),
        Codec::Zstd => match ruzstd::decoding::StreamingDecoder::new(input) {
            Ok(d) => copy(d, &mut out),
            Err(e) => Err(io::Error::other(e.to_string())),
        },
        Codec::Xz => {
            lzma_rs::xz_decompress(&mut io::BufReader::new(input), &mut out).map_err(lzma_error)
        }
        Codec::Lzma => {
            lzma_rs::lzma_decompress(&mut io::BufReader::new(input), &mut out).map_err(lzma_error)
        }
    };
    let stopped = if out.hit {
        Some(Stopped::Limit { limit })
    } else {
        result.err().map(|e| Stopped::Corrupt {
            reason: e.to_string(),
        })
    };
    Decoded {
        data: out.data,
        stopped,
    }
}

fn lzma_error(e: lzma_rs::error::Error) -> io::Error {
    match e {
        lzma_rs::error::Error::IoError(io) => io,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn copy(mut r: impl Read, w: &mut LimitedWriter) -> io::Result<()> {
    io::copy(&mut r, w).map(|_| ())
}

/// A sink that refuses to grow past its limit.
struct LimitedWriter {
    data: Vec<u8>,
    limit: u64,
    hit: bool,
}

impl Write for LimitedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit.saturating_sub(self.data.len() as u64);
        if room == 0 {
            self.hit = true;
            return Err(io::Error::other("decompression limit reached"));
        }
        let n = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        self.data.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(Codec::sniff(b"\x1f\x8b\x08"), Some(Codec::Gzip));
        assert_eq!(Codec::sniff(b"BZh91AY"), Some(Codec::Bzip2));
        assert_eq!(Codec::sniff(b"\xfd7zXZ\x00"), Some(Codec::Xz));
        assert_eq!(Codec::sniff(b"\x28\xb5\x2f\xfd"), Some(Codec::Zstd));
        assert_eq!(Codec::sniff(b"\x78\x9c"), Some(Codec::Zlib));
        assert_eq!(Codec::sniff(b"\x5d\x00\x00\x80\x00"), Some(Codec::Lzma));
        assert_eq!(Codec::sniff(b"\x5d\x00\x10\x00\x00"), Some(Codec::Lzma));
        assert_eq!(Codec::sniff(b"\x04\x22\x4d\x18"), Some(Codec::Lz4));
        assert_eq!(Codec::sniff(b"\x80\x04"), None);
    }

    #[test]
    fn gzip_round_trip_and_bomb_limit() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 1 << 20]).expect("write");
        let gz = enc.finish().expect("finish");
        let full = decompress(Codec::Gzip, &gz, 2 << 20);
        assert_eq!(full.data.len(), 1 << 20);
        assert_eq!(full.stopped, None);
        let capped = decompress(Codec::Gzip, &gz, 4096);
        assert_eq!(capped.data.len(), 4096);
        assert_eq!(capped.stopped, Some(Stopped::Limit { limit: 4096 }));
        let broken = decompress(Codec::Gzip, &gz[..gz.len() / 2], 2 << 20);
        assert!(matches!(broken.stopped, Some(Stopped::Corrupt { .. })));
    }
}
