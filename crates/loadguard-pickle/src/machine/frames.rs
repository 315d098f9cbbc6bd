//! Frames (protocol 4+): where an opcode crosses its frame's end, and how
//! each CPython reader (a file, a `BytesIO`) then reads the stream.

use super::*;

impl<'a> Machine<'a> {
    #[inline(always)]
    pub(super) fn crosses_frame(&self, pos: usize, next: usize) -> bool {
        self.frame_end.is_some_and(|end| pos < end && next > end)
    }

    /// The BytesIO view of a line-argument opcode at `offset` in the
    /// current frame, if its argument crosses the frame's end.
    pub(super) fn splice_at(&self, offset: usize) -> Option<Splice> {
        let end = self.frame_end.filter(|&e| offset < e)?;
        line_splice(self.data, offset, end).map(|(from, to)| Splice {
            frame_at: self.frame_at,
            from,
            to,
        })
    }

    pub(super) fn check_frame(&mut self, ins: &Instruction<'_>) {
        if let Some(end) = self.frame_end
            && ins.offset < end
            && ins.end > end
        {
            let splice = self.splice_at(ins.offset);
            // The first crossing that readers see differently makes the
            // other view (which finds the crossings after it).
            if self.line_splice.is_none() {
                self.line_splice = splice;
            }
            if self.differential_frame_reported {
                return;
            }
            self.differential_frame_reported = true;
            let two_views = if splice.is_some() {
                ": an unpickler reading a buffered file reads its argument on across the \
                 frame's end, one reading a BytesIO drops the rest of the frame and reads the \
                 argument from the frame's end; both were scanned"
            } else {
                ""
            };
            self.event(
                &rules::parser_differential::RULE,
                "frame-cross",
                ins.offset,
                ins.opcode.name(),
                || {
                    format!(
                        "{} crosses the end of its FRAME{two_views}",
                        ins.opcode.name()
                    )
                },
            );
        }
    }
}

/// Where the `BytesIO` view of the opcode at `offset` departs from the
/// bytes, when its argument crosses the frame ending at `frame_end`.
/// CPython's C unpickler reads an argument from its frame buffer, and when
/// the buffer holds too little (no newline, for a line) it drops what was
/// left of the frame and reads the argument from the file instead
/// (`_Unpickler_Read`, `_Unpickler_Readline`). A buffered file's look-ahead
/// holds the bytes after the frame too, so there the argument runs on; and
/// the data of bytes and bytearrays is read with `_Unpickler_ReadInto`,
/// which takes what the buffer holds first, so it runs on for every
/// reader. `Some((from, frame_end))`: a BytesIO reader sees the stream
/// without `from..frame_end`.
pub(super) fn line_splice(data: &[u8], offset: usize, frame_end: usize) -> Option<(usize, usize)> {
    /// One read of an opcode's argument.
    enum Read {
        Line,
        Fixed(usize),
        /// A little-endian length of this many bytes, then that many bytes
        /// (`true`: read with `_Unpickler_ReadInto`, which runs on).
        Counted(usize, bool),
    }
    let reads: &[Read] = match data.get(offset)? {
        b'c' | b'i' => &[Read::Line, Read::Line],
        b'I' | b'L' | b'F' | b'S' | b'V' | b'g' | b'p' | b'P' => &[Read::Line],
        b'K' | b'h' | b'q' | 0x80 | 0x82 => &[Read::Fixed(1)],
        b'M' | 0x83 => &[Read::Fixed(2)],
        b'J' | b'j' | b'r' | 0x84 => &[Read::Fixed(4)],
        b'G' | 0x95 => &[Read::Fixed(8)],
        b'U' | 0x8c | 0x8a => &[Read::Counted(1, false)],
        b'C' => &[Read::Counted(1, true)],
        b'T' | b'X' | 0x8b => &[Read::Counted(4, false)],
        b'B' => &[Read::Counted(4, true)],
        0x8d => &[Read::Counted(8, false)],
        0x8e | 0x96 => &[Read::Counted(8, true)],
        _ => return None,
    };
    let mut pos = offset + 1;
    for read in reads {
        if pos >= frame_end {
            return None;
        }
        match *read {
            Read::Line => match memchr::memchr(b'\n', &data[pos..frame_end]) {
                Some(nl) => pos += nl + 1,
                None => return Some((pos, frame_end)),
            },
            Read::Fixed(n) => {
                if frame_end - pos < n {
                    return Some((pos, frame_end));
                }
                pos += n;
            }
            Read::Counted(k, runs_on) => {
                if frame_end - pos < k {
                    return Some((pos, frame_end));
                }
                let mut len = [0u8; 8];
                len[..k].copy_from_slice(&data[pos..pos + k]);
                let n = u64::from_le_bytes(len);
                pos += k;
                if runs_on {
                    return None;
                }
                if pos < frame_end && ((frame_end - pos) as u64) < n {
                    return Some((pos, frame_end));
                }
                pos = pos.saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
            }
        }
    }
    None
}
