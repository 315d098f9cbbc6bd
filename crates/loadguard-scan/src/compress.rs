//! Bounded decompression of the stream formats models are wrapped in.

use std::cell::Cell;
use std::io::{self, BufRead, Read, Write};

use crate::inflight::{self, Buffer};

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
    /// The output grew past `ratio` times the compressed bytes read so far
    /// (beyond [`RATIO_FREE`]): `output` bytes from `consumed`. A bomb is
    /// stopped after its first megabytes, not at the end of its gigabytes.
    Ratio {
        ratio: u64,
        output: u64,
        consumed: u64,
    },
    /// The decoder would need more memory than it may have (an LZMA or xz
    /// dictionary past [`LZMA_MEMORY_KIB`]); the bytes decoded before it
    /// are kept. Python's `lzma` has no such limit: joblib decodes it.
    Memory { limit_kib: u32 },
    /// The scan's time limit passed while decoding; the bytes decoded so
    /// far are kept.
    Time,
    /// The data is corrupt at some point; the bytes decoded so far are kept.
    Corrupt { reason: String },
}

impl Stopped {
    /// What a ratio stop means, for a finding's message.
    pub fn describe(&self) -> String {
        match self {
            Self::Ratio {
                ratio,
                output,
                consumed,
            } => format!(
                "expands past {ratio}x its compressed size ({output} bytes from the first \
                 {consumed} compressed bytes); only those {output} bytes were scanned"
            ),
            Self::Limit { limit } => {
                format!("expands past {limit} bytes; only the first {limit} were scanned")
            }
            Self::Memory { limit_kib } => format!(
                "asks for a decoder dictionary over the {} MiB allowed; it was not decoded \
                 past that point, and what it holds there was not scanned",
                limit_kib >> 10
            ),
            Self::Time => "was still being decoded when the time limit was reached; only what \
                           was decoded by then was scanned"
                .to_owned(),
            Self::Corrupt { reason } => format!("is corrupt ({reason})"),
        }
    }
}

/// What an LZMA or xz decoder may allocate (its dictionary), in KiB: xz's
/// largest preset uses 64 MiB; a header asking for gigabytes is refused.
const LZMA_MEMORY_KIB: u32 = 256 << 10;

/// Output allowed before the ratio is judged.
pub const RATIO_FREE: u64 = 1 << 20;

/// Output in chunks of nothing but zero bytes that the ratio does not count,
/// per stream. Zeros are what real data compresses best (zero-initialised
/// or sparse arrays: bzip2 and xz take 16 MB of them to a few hundred
/// bytes, past 10,000x), and they cost the scanner nothing to walk (array
/// bytes are skipped by length; a zero byte is no pickle opcode). Past
/// this much, zeros count like any output: a bomb of zeros is stopped
/// once it holds about this much.
pub const ZEROS_FREE: u64 = 64 << 20;

/// Compressed input is handed to the decoders this many bytes at a time, so
/// the count of bytes read follows what the decoder has used: a stream that
/// expands at the ratio limit is stopped within `ratio` times this much
/// output (16 MiB at 1000x), however large its compressed size.
const INPUT_CHUNK: usize = 16 << 10;

/// Decompressed output and whether it is complete. The output stays charged
/// to the process-wide pool ([`crate::inflight`]) until it is dropped.
#[derive(Debug)]
pub struct Decoded {
    pub(crate) data: Buffer,
    pub stopped: Option<Stopped>,
}

/// How much a stream may expand: at most `max_bytes` of output, and at
/// most `max_ratio` times the compressed bytes read so far once the output
/// is past [`RATIO_FREE`]; `max_in_flight` is the process-wide budget its
/// output is charged to ([`crate::inflight`]).
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    pub max_bytes: u64,
    pub max_ratio: u64,
    pub max_in_flight: u64,
    /// When decoding must stop (the scan's time limit).
    pub deadline: Option<std::time::Instant>,
}

impl Bound {
    /// Only a byte limit.
    pub fn bytes(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            max_ratio: u64::MAX,
            max_in_flight: inflight::DEFAULT_BUDGET,
            deadline: None,
        }
    }

    /// The member limit, ratio and budget of `limits`.
    pub fn of(limits: &crate::ContainerLimits) -> Self {
        Self {
            max_bytes: limits.max_member_bytes,
            max_ratio: limits.max_ratio,
            max_in_flight: limits.max_in_flight,
            deadline: None,
        }
    }
}

/// Decompresses `input` within `bound`, judging the ratio as the stream is
/// decoded, not after.
pub fn decompress(codec: Codec, input: &[u8], bound: Bound) -> Decoded {
    let consumed = Cell::new(0u64);
    let reader = Chunked {
        data: input,
        pos: 0,
        consumed: &consumed,
    };
    let mut out = LimitedWriter {
        data: Buffer::new(bound.max_in_flight, bound.max_bytes),
        bound,
        consumed: &consumed,
        hit: None,
        ratio: Ratio::new(bound.max_ratio),
    };
    let result: io::Result<()> = match codec {
        Codec::Gzip => copy(flate2::bufread::MultiGzDecoder::new(reader), &mut out),
        Codec::Zlib => copy(flate2::bufread::ZlibDecoder::new(reader), &mut out),
        Codec::Deflate => copy(flate2::bufread::DeflateDecoder::new(reader), &mut out),
        Codec::Bzip2 => copy(bzip2::bufread::MultiBzDecoder::new(reader), &mut out),
        Codec::Lz4 => copy(lz4_flex::frame::FrameDecoder::new(reader), &mut out),
        Codec::Zstd => match ruzstd::decoding::StreamingDecoder::new(reader) {
            Ok(d) => copy(d, &mut out),
            Err(e) => Err(io::Error::other(e.to_string())),
        },
        // Python's lzma module (joblib) stops at the end of the stream and
        // ignores what follows; so does this reader. Errors come after the
        // output decoded before them.
        Codec::Xz => copy(
            lzma_rust2::XzReader::new_mem_limit(reader, true, LZMA_MEMORY_KIB),
            &mut out,
        ),
        Codec::Lzma => match lzma_rust2::LzmaReader::new_mem_limit(reader, LZMA_MEMORY_KIB, None) {
            Ok(mut r) => {
                r.set_defer_errors(true);
                copy(r, &mut out)
            }
            Err(e) => Err(e),
        },
    };
    let stopped = match out.hit {
        Some(why) => Some(why),
        None => result.err().map(|e| {
            if e.kind() == io::ErrorKind::OutOfMemory {
                Stopped::Memory {
                    limit_kib: LZMA_MEMORY_KIB,
                }
            } else {
                Stopped::Corrupt {
                    reason: e.to_string(),
                }
            }
        }),
    };
    Decoded {
        data: out.data,
        stopped,
    }
}

fn copy(mut r: impl Read, w: &mut LimitedWriter<'_>) -> io::Result<()> {
    io::copy(&mut r, w).map(|_| ())
}

/// The compressed input, handed out [`INPUT_CHUNK`] bytes at a time, with
/// the count of bytes handed out so far.
struct Chunked<'a> {
    data: &'a [u8],
    pos: usize,
    consumed: &'a Cell<u64>,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Chunked<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let end = self.data.len().min(self.pos + INPUT_CHUNK);
        Ok(&self.data[self.pos..end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.data.len());
        self.consumed.set(self.pos as u64);
    }
}

/// The ratio limit, judged as output arrives: output against the
/// compressed bytes read so far, beyond [`RATIO_FREE`], not counting chunks
/// of zeros while they stay within [`ZEROS_FREE`].
#[derive(Debug)]
pub(crate) struct Ratio {
    max: u64,
    zeros: u64,
}

impl Ratio {
    pub(crate) fn new(max: u64) -> Self {
        Self { max, zeros: 0 }
    }

    /// Takes note of a chunk of output.
    pub(crate) fn note(&mut self, chunk: &[u8]) {
        if chunk.iter().all(|&b| b == 0) {
            self.zeros += chunk.len() as u64;
        }
    }

    /// Whether `output` bytes from `consumed` compressed bytes are past it.
    pub(crate) fn over(&self, output: u64, consumed: u64) -> bool {
        let judged = if self.zeros <= ZEROS_FREE {
            output.saturating_sub(self.zeros)
        } else {
            output
        };
        output >= RATIO_FREE && judged > consumed.max(1).saturating_mul(self.max)
    }
}

/// A sink that refuses to grow past its bound.
struct LimitedWriter<'a> {
    data: Buffer,
    bound: Bound,
    consumed: &'a Cell<u64>,
    hit: Option<Stopped>,
    ratio: Ratio,
}

impl Write for LimitedWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let len = self.data.len() as u64;
        let room = self.bound.max_bytes.saturating_sub(len);
        if room == 0 {
            self.hit = Some(Stopped::Limit {
                limit: self.bound.max_bytes,
            });
            return Err(io::Error::other("decompression limit reached"));
        }
        if self
            .bound
            .deadline
            .is_some_and(|d| std::time::Instant::now() >= d)
        {
            self.hit = Some(Stopped::Time);
            return Err(io::Error::other("time limit reached"));
        }
        // Bytes of a chunk the decoder has not finished with count as read
        // (it may need a whole block before it writes).
        let consumed = self.consumed.get().max(1);
        if self.ratio.over(len, consumed) {
            self.hit = Some(Stopped::Ratio {
                ratio: self.bound.max_ratio,
                output: len,
                consumed,
            });
            return Err(io::Error::other("decompression ratio limit reached"));
        }
        let n = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        self.ratio.note(&buf[..n]);
        self.data.extend(&buf[..n]);
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
        let full = decompress(Codec::Gzip, &gz, Bound::bytes(2 << 20));
        assert_eq!(full.data.len(), 1 << 20);
        assert_eq!(full.stopped, None);
        let capped = decompress(Codec::Gzip, &gz, Bound::bytes(4096));
        assert_eq!(capped.data.len(), 4096);
        assert_eq!(capped.stopped, Some(Stopped::Limit { limit: 4096 }));
        let broken = decompress(Codec::Gzip, &gz[..gz.len() / 2], Bound::bytes(2 << 20));
        assert!(matches!(broken.stopped, Some(Stopped::Corrupt { .. })));
    }
}

#[cfg(test)]
mod zero_runs {
    use std::io::Write as _;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).expect("write");
        enc.finish().expect("finish")
    }

    const BOUND: Bound = Bound {
        max_bytes: 4 << 30,
        max_ratio: 1000,
        max_in_flight: inflight::DEFAULT_BUDGET,
        deadline: None,
    };

    #[test]
    fn zeros_between_data_are_not_taken_for_a_bomb() {
        // A pickle's opcodes, 16 MiB of zero array bytes, more opcodes:
        // joblib's layout. Deflate takes the zeros past 1000x.
        let mut body = b"\x80\x04opcodes".to_vec();
        body.resize(body.len() + (16 << 20), 0);
        body.extend_from_slice(b"more opcodes.");
        let gz = gzip(&body);
        assert!(body.len() as u64 > gz.len() as u64 * 1000);
        let d = decompress(Codec::Gzip, &gz, BOUND);
        assert_eq!(d.stopped, None);
        assert_eq!(&*d.data, body.as_slice());
    }

    #[test]
    fn a_bomb_of_zeros_stops_past_the_zero_allowance() {
        // 6 gzip members of 16 MiB of zeros each: 96 MiB at about 1030x.
        let one = gzip(&vec![0u8; 16 << 20]);
        let bomb: Vec<u8> = one.iter().copied().cycle().take(one.len() * 6).collect();
        let d = decompress(Codec::Gzip, &bomb, BOUND);
        assert!(
            matches!(d.stopped, Some(Stopped::Ratio { .. })),
            "{:?}",
            d.stopped
        );
        assert!(d.data.len() as u64 > ZEROS_FREE && (d.data.len() as u64) < ZEROS_FREE + (8 << 20));
        // A bomb of anything else stops at its first MiB past the ratio.
        let n = gzip(&vec![b'N'; 16 << 20]);
        let d = decompress(Codec::Gzip, &n, BOUND);
        assert!(matches!(d.stopped, Some(Stopped::Ratio { .. })));
        assert!((d.data.len() as u64) < 2 * RATIO_FREE, "{}", d.data.len());
    }
}
