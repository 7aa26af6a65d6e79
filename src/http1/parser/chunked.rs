//! The chunked transfer-coding decoder (picohttpparser's `phr_decode_chunked`), decoding in place.
//!
//! Behaviour of current upstream: chunk sizes of at most 16 hex digits; after the size only BWS,
//! `;` (an extension, skipped) or the line end may follow; the chunk-size line and the line after
//! the data must end in CRLF (a bare LF is an error there, against request smuggling); trailers are
//! skipped when `consume_trailer` is set; and when the body is still incomplete but the framing
//! overhead has reached 100 KiB and more than 80% of all bytes seen, decoding fails (a flood of tiny
//! chunks).

use super::Invalid;

/// Decoder states; stored as a byte in the C struct (`_state`). Zero is the initial state.
const IN_CHUNK_SIZE: u8 = 0;
const IN_CHUNK_EXT: u8 = 1;
const IN_CHUNK_HEADER_EXPECT_LF: u8 = 2;
const IN_CHUNK_DATA: u8 = 3;
const IN_CHUNK_DATA_EXPECT_CR: u8 = 4;
const IN_CHUNK_DATA_EXPECT_LF: u8 = 5;
const IN_TRAILERS_LINE_HEAD: u8 = 6;
const IN_TRAILERS_LINE_MIDDLE: u8 = 7;

/// Overhead (framing bytes) that may be seen before the flood check can fail a body.
const OVERHEAD_FLOOR: u64 = 100 * 1024;

/// The state of one chunked body. Create with [`ChunkedDecoder::new`] (or zeroed, as in C).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkedDecoder {
    /// Bytes of the current chunk not yet seen.
    pub bytes_left_in_chunk: usize,
    /// Whether trailer lines after the last chunk are consumed (else decoding ends after `0\r\n`).
    pub consume_trailer: bool,
    pub(crate) hex_count: u8,
    pub(crate) state: u8,
    pub(crate) total_read: u64,
    pub(crate) total_overhead: u64,
}

/// What one call of [`ChunkedDecoder::decode`] achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunked {
    /// The body goes on; `buf[..decoded]` holds the data decoded by this call.
    Partial { decoded: usize },
    /// The body ended; `buf[..decoded]` holds the last data, followed directly by `rest` bytes
    /// that came after the body (the next message, in a pipeline).
    Complete { decoded: usize, rest: usize },
}

fn hex_value(c: u8) -> Option<usize> {
    match c {
        b'0'..=b'9' => Some((c - b'0') as usize),
        b'A'..=b'F' => Some((c - b'A' + 10) as usize),
        b'a'..=b'f' => Some((c - b'a' + 10) as usize),
        _ => None,
    }
}

/// The outcome of the state machine before the result is packaged.
enum Outcome {
    Incomplete,
    Error,
    Complete,
}

impl ChunkedDecoder {
    /// A decoder at the start of a body.
    pub fn new(consume_trailer: bool) -> Self {
        ChunkedDecoder { consume_trailer, ..Default::default() }
    }

    /// Whether the decoder is in the middle of a chunk's data.
    pub fn is_in_data(&self) -> bool {
        self.state == IN_CHUNK_DATA
    }

    /// Decodes `buf` in place. See [`Chunked`]; an error is final.
    pub fn decode(&mut self, buf: &mut [u8]) -> Result<Chunked, Invalid> {
        let (ret, decoded) = self.decode_raw(buf, true);
        match ret {
            -2 => Ok(Chunked::Partial { decoded }),
            -1 => Err(Invalid),
            rest => Ok(Chunked::Complete { decoded, rest: rest as usize }),
        }
    }

    /// picohttpparser's contract: returns -2 (incomplete), -1 (error) or the number of bytes left
    /// after the body, and the decoded length (picohttpparser's new `*bufsz`, also after an error).
    /// `flood_check` off keeps the 2.2.5 behaviour for callers whose struct has no counters.
    pub(crate) fn decode_raw(&mut self, buf: &mut [u8], flood_check: bool) -> (isize, usize) {
        let bufsz = buf.len();
        let (mut src, mut dst) = (0usize, 0usize);
        self.total_read = self.total_read.wrapping_add(bufsz as u64);
        let outcome = 'run: loop {
            match self.state {
                IN_CHUNK_SIZE => {
                    loop {
                        let Some(&c) = buf.get(src) else { break 'run Outcome::Incomplete };
                        let Some(v) = hex_value(c) else {
                            if self.hex_count == 0 || !matches!(c, b' ' | b'\t' | b';' | b'\n' | b'\r') {
                                break 'run Outcome::Error;
                            }
                            break;
                        };
                        if self.hex_count as usize == 2 * std::mem::size_of::<usize>() {
                            break 'run Outcome::Error;
                        }
                        self.bytes_left_in_chunk = self.bytes_left_in_chunk.wrapping_mul(16).wrapping_add(v);
                        self.hex_count += 1;
                        src += 1;
                    }
                    self.hex_count = 0;
                    self.state = IN_CHUNK_EXT;
                }
                IN_CHUNK_EXT => {
                    // Extensions are skipped up to the CR; a bare LF (or a folded line) is an error.
                    loop {
                        match buf.get(src) {
                            None => break 'run Outcome::Incomplete,
                            Some(b'\r') => break,
                            Some(b'\n') => break 'run Outcome::Error,
                            Some(_) => src += 1,
                        }
                    }
                    src += 1;
                    self.state = IN_CHUNK_HEADER_EXPECT_LF;
                }
                IN_CHUNK_HEADER_EXPECT_LF => {
                    match buf.get(src) {
                        None => break 'run Outcome::Incomplete,
                        Some(b'\n') => src += 1,
                        Some(_) => break 'run Outcome::Error,
                    }
                    if self.bytes_left_in_chunk == 0 {
                        if self.consume_trailer {
                            self.state = IN_TRAILERS_LINE_HEAD;
                            continue;
                        }
                        break 'run Outcome::Complete;
                    }
                    self.state = IN_CHUNK_DATA;
                }
                IN_CHUNK_DATA => {
                    let avail = bufsz - src;
                    let n = avail.min(self.bytes_left_in_chunk);
                    if dst != src {
                        buf.copy_within(src..src + n, dst);
                    }
                    src += n;
                    dst += n;
                    self.bytes_left_in_chunk -= n;
                    if self.bytes_left_in_chunk != 0 {
                        break 'run Outcome::Incomplete;
                    }
                    self.state = IN_CHUNK_DATA_EXPECT_CR;
                }
                IN_CHUNK_DATA_EXPECT_CR | IN_CHUNK_DATA_EXPECT_LF => {
                    let want = if self.state == IN_CHUNK_DATA_EXPECT_CR { b'\r' } else { b'\n' };
                    match buf.get(src) {
                        None => break 'run Outcome::Incomplete,
                        Some(&c) if c == want => src += 1,
                        Some(_) => break 'run Outcome::Error,
                    }
                    self.state = if want == b'\r' { IN_CHUNK_DATA_EXPECT_LF } else { IN_CHUNK_SIZE };
                }
                IN_TRAILERS_LINE_HEAD => {
                    while buf.get(src) == Some(&b'\r') {
                        src += 1;
                    }
                    let Some(&c) = buf.get(src) else { break 'run Outcome::Incomplete };
                    src += 1;
                    if c == b'\n' {
                        break 'run Outcome::Complete;
                    }
                    self.state = IN_TRAILERS_LINE_MIDDLE;
                }
                IN_TRAILERS_LINE_MIDDLE => {
                    match buf[src..].iter().position(|&c| c == b'\n') {
                        None => {
                            src = bufsz;
                            break 'run Outcome::Incomplete;
                        }
                        Some(i) => src += i + 1,
                    }
                    self.state = IN_TRAILERS_LINE_HEAD;
                }
                // A corrupt state (a C caller scribbled on the struct): refuse, do not guess.
                _ => break 'run Outcome::Error,
            }
        };
        let ret = match outcome {
            Outcome::Complete => (bufsz - src) as isize,
            Outcome::Error => -1,
            Outcome::Incomplete => -2,
        };
        if dst != src {
            buf.copy_within(src..bufsz, dst);
        }
        if ret == -2 && flood_check {
            self.total_overhead = self.total_overhead.wrapping_add((bufsz - dst) as u64);
            if self.total_overhead >= OVERHEAD_FLOOR
                && self.total_read.wrapping_sub(self.total_overhead) < self.total_read / 4
            {
                return (-1, dst);
            }
        }
        (ret, dst)
    }
}
