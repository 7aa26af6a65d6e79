//! Decompression of a `.gz` file while it is sent (`H2O_FILE_FLAG_GUNZIP`): the gzip framing
//! (RFC 1952: header fields, CRC-32 and length check, several members one after the other) around
//! DEFLATE (RFC 1951: stored, fixed and dynamic Huffman blocks).
//!
//! The input is read from the file's cache entry as needed (kept bytes or `pread`); the output is
//! produced a piece at a time ([`Gunzip::produce`] stops after about `limit` bytes, even in the
//! middle of a block, and goes on from there on the next call), so a large file never sits in
//! memory whole: what is kept is the 32 KiB window DEFLATE refers back to, the piece being sent and
//! one input buffer. Huffman codes are decoded canonically a bit at a time (simple and exact; this
//! path serves only clients that cannot take gzip).

use std::rc::Rc;

use crate::handler::filecache::Entry;

/// How far back a DEFLATE match may refer.
const WINDOW: usize = 32 * 1024;
/// How much compressed input is read at a time.
const INPUT_CHUNK: usize = 64 * 1024;

/// Why decompression stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// Not gzip, or damaged data.
    Corrupt(&'static str),
    /// The file could not be read (errno).
    Io(i32),
}

type Result<T> = std::result::Result<T, Error>;

/// A canonical Huffman code: how many codes of each length, and the symbols in code order.
struct Huffman {
    count: [u16; 16],
    symbol: Vec<u16>,
}

impl Huffman {
    /// The code for the code lengths `lengths` (0: symbol unused). Over-subscribed sets are
    /// refused; incomplete ones are allowed (a lone distance code is legal).
    fn new(lengths: &[u8]) -> Result<Huffman> {
        let mut count = [0u16; 16];
        for &l in lengths {
            count[l as usize] += 1;
        }
        let mut left: i32 = 1;
        for &c in &count[1..] {
            left = (left << 1) - c as i32;
            if left < 0 {
                return Err(Error::Corrupt("over-subscribed Huffman code"));
            }
        }
        let mut offs = [0u16; 16];
        for len in 1..15 {
            offs[len + 1] = offs[len] + count[len];
        }
        let mut symbol = vec![0u16; lengths.len()];
        for (sym, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbol[offs[l as usize] as usize] = sym as u16;
                offs[l as usize] += 1;
            }
        }
        count[0] = 0;
        Ok(Huffman { count, symbol })
    }
}

const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] =
    [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/// The order in which a dynamic block lists the code length code's lengths.
const CLEN_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// CRC-32 (IEEE, reflected), the gzip trailer's checksum.
const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// Where the decoder is.
enum State {
    /// Expecting a member header (the first one must be there).
    Header { first: bool },
    /// Expecting a block header.
    BlockHeader,
    /// Inside a stored block: bytes left to copy.
    Stored(usize),
    /// Inside a Huffman block.
    Codes { lit: Rc<Huffman>, dist: Rc<Huffman> },
    /// After the last block of a member: the CRC-32 and length.
    Trailer,
    Done,
}

/// A gzip stream being decompressed from a cache entry.
pub struct Gunzip {
    file: Rc<Entry>,
    /// Compressed bytes read and not used yet: `input[in_pos..]`; `in_off` is where the next read
    /// starts in the file.
    input: Vec<u8>,
    in_pos: usize,
    in_off: u64,
    bitbuf: u64,
    bitcnt: u32,
    state: State,
    last_block: bool,
    /// A match not finished when the last piece was full: bytes left and distance.
    pending: Option<(usize, usize)>,
    /// The window (up to WINDOW bytes already sent) followed by the piece being produced.
    out: Vec<u8>,
    /// Output of the current member so far (for the trailer check), up to `out[crc_from]`.
    crc: u32,
    size: u32,
    crc_from: usize,
    fixed: Option<(Rc<Huffman>, Rc<Huffman>)>,
}

impl Gunzip {
    pub fn new(file: Rc<Entry>) -> Gunzip {
        Gunzip {
            file,
            input: Vec::new(),
            in_pos: 0,
            in_off: 0,
            bitbuf: 0,
            bitcnt: 0,
            state: State::Header { first: true },
            last_block: false,
            pending: None,
            out: Vec::new(),
            crc: 0,
            size: 0,
            crc_from: 0,
            fixed: None,
        }
    }

    /// Whether the stream has ended (after a complete, checked member).
    pub fn done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Makes more compressed bytes available; false at the end of the file.
    fn refill(&mut self) -> Result<bool> {
        if self.in_pos < self.input.len() {
            return Ok(true);
        }
        self.input.resize(INPUT_CHUNK, 0);
        let n = self.file.read_at(self.in_off, &mut self.input).map_err(Error::Io)?;
        self.input.truncate(n);
        self.in_pos = 0;
        self.in_off += n as u64;
        Ok(n != 0)
    }

    fn need(&mut self, n: u32) -> Result<()> {
        while self.bitcnt < n {
            if !self.refill()? {
                return Err(Error::Corrupt("unexpected end of the compressed data"));
            }
            self.bitbuf |= (self.input[self.in_pos] as u64) << self.bitcnt;
            self.in_pos += 1;
            self.bitcnt += 8;
        }
        Ok(())
    }

    /// The next `n` bits (n <= 32), least significant first.
    fn bits(&mut self, n: u32) -> Result<u32> {
        if n == 0 {
            return Ok(0);
        }
        self.need(n)?;
        let v = (self.bitbuf & ((1u64 << n) - 1)) as u32;
        self.bitbuf >>= n;
        self.bitcnt -= n;
        Ok(v)
    }

    /// Drops the bits left in the current byte.
    fn align(&mut self) {
        let drop = self.bitcnt % 8;
        self.bitbuf >>= drop;
        self.bitcnt -= drop;
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.bits(8)? as u8)
    }

    /// Whether any compressed byte is left (at a byte boundary).
    fn at_end(&mut self) -> Result<bool> {
        Ok(self.bitcnt == 0 && !self.refill()?)
    }

    fn decode(&mut self, h: &Huffman) -> Result<u16> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= self.bits(1)? as i32;
            let count = h.count[len] as i32;
            if code - count < first {
                return Ok(h.symbol[(index + (code - first)) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Error::Corrupt("invalid Huffman code"))
    }

    fn header(&mut self) -> Result<()> {
        if self.byte()? != 0x1f || self.byte()? != 0x8b {
            return Err(Error::Corrupt("not gzip"));
        }
        if self.byte()? != 8 {
            return Err(Error::Corrupt("unknown compression method"));
        }
        let flags = self.byte()?;
        if flags & 0xe0 != 0 {
            return Err(Error::Corrupt("reserved header flags"));
        }
        for _ in 0..6 {
            self.byte()?; // mtime, extra flags, OS
        }
        if flags & 4 != 0 {
            let xlen = self.bits(16)?;
            for _ in 0..xlen {
                self.byte()?;
            }
        }
        for bit in [8u8, 16] {
            if flags & bit != 0 {
                while self.byte()? != 0 {}
            }
        }
        if flags & 2 != 0 {
            self.bits(16)?; // header CRC-16, not checked
        }
        self.crc = 0;
        self.size = 0;
        Ok(())
    }

    fn fixed_codes(&mut self) -> Result<(Rc<Huffman>, Rc<Huffman>)> {
        if self.fixed.is_none() {
            let mut l = [0u8; 288];
            l[..144].fill(8);
            l[144..256].fill(9);
            l[256..280].fill(7);
            l[280..].fill(8);
            self.fixed = Some((Rc::new(Huffman::new(&l)?), Rc::new(Huffman::new(&[5u8; 30])?)));
        }
        Ok(self.fixed.clone().expect("set above"))
    }

    fn dynamic_codes(&mut self) -> Result<(Rc<Huffman>, Rc<Huffman>)> {
        let nlen = self.bits(5)? as usize + 257;
        let ndist = self.bits(5)? as usize + 1;
        let ncode = self.bits(4)? as usize + 4;
        if nlen > 286 || ndist > 30 {
            return Err(Error::Corrupt("bad code counts"));
        }
        let mut cl = [0u8; 19];
        for &i in &CLEN_ORDER[..ncode] {
            cl[i] = self.bits(3)? as u8;
        }
        let clcode = Huffman::new(&cl)?;
        let mut lengths = [0u8; 316];
        let mut i = 0;
        while i < nlen + ndist {
            let sym = self.decode(&clcode)?;
            let (value, repeat) = match sym {
                0..=15 => (sym as u8, 1),
                16 => {
                    if i == 0 {
                        return Err(Error::Corrupt("repeat with no length"));
                    }
                    (lengths[i - 1], 3 + self.bits(2)? as usize)
                }
                17 => (0, 3 + self.bits(3)? as usize),
                _ => (0, 11 + self.bits(7)? as usize),
            };
            if i + repeat > nlen + ndist {
                return Err(Error::Corrupt("too many code lengths"));
            }
            lengths[i..i + repeat].fill(value);
            i += repeat;
        }
        if lengths[256] == 0 {
            return Err(Error::Corrupt("no end-of-block code"));
        }
        Ok((Rc::new(Huffman::new(&lengths[..nlen])?), Rc::new(Huffman::new(&lengths[nlen..nlen + ndist])?)))
    }

    /// Copies `len` bytes from `dist` back, stopping at `limit` output bytes (the rest is kept
    /// pending).
    fn copy_match(&mut self, len: usize, dist: usize, limit: usize) -> Result<()> {
        if dist > self.out.len() {
            return Err(Error::Corrupt("distance too far back"));
        }
        let n = len.min(limit.saturating_sub(self.out.len()));
        for _ in 0..n {
            let b = self.out[self.out.len() - dist];
            self.out.push(b);
        }
        self.pending = (n < len).then_some((len - n, dist));
        Ok(())
    }

    /// Produces the next piece of output (about `max` bytes, fewer at the end), or an empty slice
    /// once the stream is done. The slice stays valid until the next call.
    pub fn produce(&mut self, max: usize) -> Result<&[u8]> {
        // keep what a match may still refer to, forget the rest
        if self.out.len() > WINDOW {
            self.out.drain(..self.out.len() - WINDOW);
        }
        let start = self.out.len();
        self.crc_from = start;
        let limit = start + max.max(1);
        while self.out.len() < limit {
            if let Some((len, dist)) = self.pending {
                self.copy_match(len, dist, limit)?;
                continue;
            }
            match &self.state {
                State::Done => break,
                State::Header { first } => {
                    // after a member: another one, or the end (trailing bytes that are not a
                    // member are ignored, as gzip(1) does)
                    if !*first && (self.at_end()? || self.peek_not_magic()?) {
                        self.state = State::Done;
                        break;
                    }
                    self.header()?;
                    self.state = State::BlockHeader;
                }
                State::BlockHeader => {
                    if self.last_block {
                        self.last_block = false;
                        self.state = State::Trailer;
                        continue;
                    }
                    self.last_block = self.bits(1)? == 1;
                    self.state = match self.bits(2)? {
                        0 => {
                            self.align();
                            let len = self.bits(16)?;
                            let nlen = self.bits(16)?;
                            if len != !nlen & 0xffff {
                                return Err(Error::Corrupt("stored block length"));
                            }
                            State::Stored(len as usize)
                        }
                        1 => {
                            let (lit, dist) = self.fixed_codes()?;
                            State::Codes { lit, dist }
                        }
                        2 => {
                            let (lit, dist) = self.dynamic_codes()?;
                            State::Codes { lit, dist }
                        }
                        _ => return Err(Error::Corrupt("invalid block type")),
                    };
                }
                State::Stored(left) => {
                    let left = *left;
                    if left == 0 {
                        self.state = State::BlockHeader;
                        continue;
                    }
                    let b = self.byte()?;
                    self.out.push(b);
                    self.state = State::Stored(left - 1);
                }
                State::Codes { lit, dist } => {
                    let (lit, dist) = (lit.clone(), dist.clone());
                    while self.out.len() < limit {
                        let sym = self.decode(&lit)? as usize;
                        if sym < 256 {
                            self.out.push(sym as u8);
                            continue;
                        }
                        if sym == 256 {
                            self.state = State::BlockHeader;
                            break;
                        }
                        let s = sym - 257;
                        if s >= 29 {
                            return Err(Error::Corrupt("invalid length code"));
                        }
                        let len = LENGTH_BASE[s] as usize + self.bits(LENGTH_EXTRA[s] as u32)? as usize;
                        let d = self.decode(&dist)? as usize;
                        if d >= 30 {
                            return Err(Error::Corrupt("invalid distance code"));
                        }
                        let distance = DIST_BASE[d] as usize + self.bits(DIST_EXTRA[d] as u32)? as usize;
                        self.copy_match(len, distance, limit)?;
                        if self.pending.is_some() {
                            break;
                        }
                    }
                }
                State::Trailer => {
                    // the member's output up to here counts for its checksum
                    self.account();
                    self.align();
                    let crc = self.bits(32)?;
                    let size = self.bits(32)?;
                    if crc != self.crc || size != self.size {
                        return Err(Error::Corrupt("CRC or length mismatch"));
                    }
                    self.state = State::Header { first: false };
                }
            }
        }
        self.account();
        Ok(&self.out[start..])
    }

    /// Adds the output not counted yet to the member's CRC-32 and length.
    fn account(&mut self) {
        let fresh = &self.out[self.crc_from..];
        self.crc = crc32_update(self.crc, fresh);
        self.size = self.size.wrapping_add(fresh.len() as u32);
        self.crc_from = self.out.len();
    }

    /// Whether the next two compressed bytes are not a gzip member's magic (at a byte boundary).
    fn peek_not_magic(&mut self) -> Result<bool> {
        self.refill()?;
        let avail = &self.input[self.in_pos..];
        if avail.len() >= 2 {
            return Ok(avail[..2] != [0x1f, 0x8b]);
        }
        // the magic spans two reads: read the rest of the file's next bytes to decide
        let mut two = [0u8; 2];
        let have = avail.len();
        two[..have].copy_from_slice(avail);
        let n = self.file.read_at(self.in_off, &mut two[have..]).map_err(Error::Io)?;
        Ok(have + n < 2 || two != [0x1f, 0x8b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8], args: &[&str]) -> Option<Vec<u8>> {
        let mut child = std::process::Command::new("gzip")
            .args(args)
            .arg("-c")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .ok()?;
        let mut stdin = child.stdin.take()?;
        let data = data.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().ok()?;
        writer.join().ok()?.ok()?;
        Some(out.stdout)
    }

    fn entry_of(name: &str, bytes: &[u8]) -> Rc<Entry> {
        let p = std::env::temp_dir().join(format!("h2o-rs-gunzip-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).unwrap();
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        let e = crate::handler::filecache::open_entry(&c).unwrap();
        std::fs::remove_file(&p).unwrap();
        Rc::new(e)
    }

    fn inflate_all(file: Rc<Entry>, piece: usize) -> Result<Vec<u8>> {
        let mut g = Gunzip::new(file);
        let mut out = Vec::new();
        for _ in 0..10_000_000 {
            let p = g.produce(piece)?;
            if p.is_empty() {
                assert!(g.done());
                return Ok(out);
            }
            out.extend_from_slice(p);
        }
        panic!("no end");
    }

    fn samples() -> Vec<Vec<u8>> {
        let mut x: u64 = 88172645463325252;
        let mut random = vec![0u8; 200_000];
        for b in random.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let text: Vec<u8> = (1..40_000).flat_map(|i| format!("line {i} of some text\n").into_bytes()).collect();
        vec![Vec::new(), b"a".to_vec(), vec![b'z'; 100_000], random, text]
    }

    #[test]
    fn inflates_what_gzip_makes() {
        if gzip(b"x", &[]).is_none() {
            eprintln!("gzip(1) not found: skipped");
            return;
        }
        for data in samples() {
            for level in ["-1", "-6", "-9"] {
                let gz = gzip(&data, &[level, "-n"]).unwrap();
                // small and large entries (kept bytes, pread), big and tiny pieces (pauses inside
                // blocks and matches)
                for piece in [65536, 7] {
                    let got = inflate_all(entry_of("a.gz", &gz), piece).unwrap();
                    assert!(got == data, "level {level}, {} bytes, piece {piece}", data.len());
                }
            }
        }
    }

    #[test]
    fn several_members_and_trailing_garbage() {
        let Some(a) = gzip(b"first\n", &[]) else { return };
        let b = gzip(b"second\n", &[]).unwrap();
        let mut both = [a.clone(), b].concat();
        assert_eq!(inflate_all(entry_of("m.gz", &both), 1000).unwrap(), b"first\nsecond\n");
        both.extend_from_slice(b"\0\0junk");
        assert_eq!(inflate_all(entry_of("g.gz", &both), 1000).unwrap(), b"first\nsecond\n");
        // a corrupted CRC is caught
        let mut bad = a.clone();
        let n = bad.len();
        bad[n - 8] ^= 1;
        assert_eq!(inflate_all(entry_of("c.gz", &bad), 1000), Err(Error::Corrupt("CRC or length mismatch")));
        // truncated and not gzip at all
        assert!(inflate_all(entry_of("t.gz", &a[..a.len() - 3]), 1000).is_err());
        assert_eq!(inflate_all(entry_of("n.gz", b"plain text"), 1000), Err(Error::Corrupt("not gzip")));
    }

    #[test]
    fn crc32_known_value() {
        assert_eq!(crc32_update(0, b"123456789"), 0xcbf4_3926);
    }
}
