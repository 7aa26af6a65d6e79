//! HPACK (RFC 7541): header compression for HTTP/2. Pure safe Rust, no C types.
//!
//! - [`huffman`]: the canonical Huffman code of Appendix B, both ways.
//! - [`table`]: the static table (Appendix A) and the dynamic table with its size accounting
//!   (entry size = name + value + 32) and evictions.
//! - [`Decoder`]: decodes one header block at a time, in order, with one dynamic table per
//!   connection; enforces the table size the local SETTINGS allow (size updates above it are a
//!   COMPRESSION_ERROR) and a limit on the decoded header list (an HPACK bomb is refused).
//! - [`Encoder`]: encodes header lists, indexing what is worth it, never indexing what the caller
//!   marks sensitive; follows the peer's SETTINGS_HEADER_TABLE_SIZE with a size update.
//!
//! Owner of this module: the HPACK work of issue 8. The signatures below are the contract the
//! HTTP/2 engine codes against; additions are fine, changes must be coordinated.
#![forbid(unsafe_code)]

pub mod field_chars;
pub mod huffman;
pub mod table;

use table::{DynamicTable, ENTRY_OVERHEAD, FieldHash, STATIC, STATIC_LEN};

/// Why a header block could not be decoded. Every variant is a connection error of type
/// COMPRESSION_ERROR (RFC 9113 4.3), except `ListTooLarge`, after which the decoder's state is
/// still in sync (the whole block was processed) and the caller may answer 431 or reset the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The block ended inside a representation.
    Truncated,
    /// An integer does not fit (more than 2^32 or too many continuation bytes).
    IntegerOverflow,
    /// An index of 0 or beyond the static and dynamic tables.
    BadIndex,
    /// Huffman data with an EOS symbol, padding longer than 7 bits or not all ones.
    BadHuffman,
    /// A dynamic table size update above the limit, or one not at the start of the block.
    BadSizeUpdate,
    /// The decoded list (RFC 9113 SETTINGS_MAX_HEADER_LIST_SIZE accounting: name + value + 32 per
    /// field) exceeds the decoder's limit.
    ListTooLarge,
}

/// Flags on a decoded field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FieldFlags {
    /// Sent as a literal never indexed (RFC 7541 6.2.3): must be re-encoded the same way.
    pub never_indexed: bool,
    /// Where the name came from.
    pub name_from: NameFrom,
    /// The value came from the same table entry as the name (an indexed field).
    pub value_indexed: bool,
}

/// Where a decoded field's name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameFrom {
    /// A string literal.
    #[default]
    Literal,
    /// Static table entry `i` (1..=61).
    Static(u8),
    /// A dynamic table entry, whose tag is given (see [`Decoder::decode_tagged`]; 0: none).
    Dynamic(u32),
}

/// One connection's HPACK decoder.
pub struct Decoder {
    table: DynamicTable,
    /// The size our SETTINGS_HEADER_TABLE_SIZE allows: size updates above it are refused.
    settings_max: usize,
    max_list_size: usize,
    /// Our SETTINGS lowered the limit below the table's maximum: the next block must start with
    /// a size update (RFC 7541 4.2).
    update_required: bool,
    /// Huffman output for the current field's name and value: reused, and only ever grown (no
    /// allocation or zeroing per field); the length used is in [`Str::Scratch`].
    scratch_name: Vec<u8>,
    scratch_value: Vec<u8>,
}

/// Where a decoded string is.
#[derive(Clone, Copy)]
enum Str {
    Static(&'static [u8]),
    /// Name of dynamic entry `i` (0: newest).
    Dynamic(usize),
    /// `block[start..end]` (a literal sent as is).
    Block(usize, usize),
    /// The first `n` bytes of the scratch buffer (Huffman-decoded or copied there).
    Scratch(usize),
}

impl Str {
    #[inline]
    fn get<'a>(self, block: &'a [u8], table: Option<&'a DynamicTable>, scratch: &'a [u8]) -> &'a [u8] {
        match self {
            Str::Static(s) => s,
            Str::Dynamic(i) => table.and_then(|t| t.get(i)).map_or(&[], |e| e.0),
            Str::Block(a, b) => &block[a..b],
            Str::Scratch(n) => &scratch[..n],
        }
    }
}

/// The callback [`Decoder::decode`] hands each field to: `(name, value, flags)`.
pub type EmitField<'a, E> = dyn FnMut(&[u8], &[u8], FieldFlags) -> Result<(), E> + 'a;

/// The callback of [`Decoder::decode_tagged`]: as [`EmitField`], returning the tag to keep on the
/// field's dynamic table entry when the field is added to the table.
pub type EmitTagged<'a, E> = dyn FnMut(&[u8], &[u8], FieldFlags) -> Result<u32, E> + 'a;

/// The list-size accounting and delivery shared by every representation.
struct Sink<'e, E, F: ?Sized> {
    emit: &'e mut F,
    result: Result<(), E>,
    list_size: usize,
    max_list_size: usize,
    too_large: bool,
    /// The tag `emit` returned for the last field (0 when it was not called).
    tag: u32,
}

impl<E, F> Sink<'_, E, F>
where
    F: FnMut(&[u8], &[u8], FieldFlags) -> Result<u32, E> + ?Sized,
{
    #[inline]
    fn field(&mut self, name: &[u8], value: &[u8], flags: FieldFlags) {
        self.tag = 0;
        self.list_size += name.len() + value.len() + ENTRY_OVERHEAD;
        if self.list_size > self.max_list_size {
            self.too_large = true;
        } else if self.result.is_ok() {
            match (self.emit)(name, value, flags) {
                Ok(t) => self.tag = t,
                Err(e) => self.result = Err(e),
            }
        }
    }
}

impl Decoder {
    /// A decoder whose dynamic table may grow up to `max_table_size` (our SETTINGS_HEADER_TABLE_SIZE,
    /// 4096 by default) and which refuses header lists larger than `max_list_size` bytes.
    pub fn new(max_table_size: usize, max_list_size: usize) -> Self {
        Decoder {
            table: DynamicTable::new(max_table_size),
            settings_max: max_table_size,
            max_list_size,
            update_required: false,
            scratch_name: Vec::new(),
            scratch_value: Vec::new(),
        }
    }

    /// This decoder made new ([`Decoder::new`] with these arguments), keeping its buffers: the
    /// dynamic table's storage and the Huffman scratch space (a finished connection's decoder
    /// serving the next connection without allocating).
    pub fn renew(&mut self, max_table_size: usize, max_list_size: usize) {
        self.table.renew(max_table_size);
        self.settings_max = max_table_size;
        self.max_list_size = max_list_size;
        self.update_required = false;
    }

    /// Our SETTINGS_HEADER_TABLE_SIZE became `size` (call when the peer ACKs it). Size updates
    /// above it are refused from then on; if it is below the table's current maximum, the peer's
    /// next block must start with a size update that brings the table within it (RFC 7541 4.2).
    pub fn set_max_table_size(&mut self, size: usize) {
        self.settings_max = size;
        if size < self.table.max_size() {
            self.update_required = true;
        }
    }

    /// Changes the limit on the decoded header list.
    pub fn set_max_list_size(&mut self, size: usize) {
        self.max_list_size = size;
    }

    /// Sets the table's current maximum to `size` as a size update from the peer would (evicting
    /// the oldest entries to fit), without changing the limit updates are checked against. For
    /// callers that keep that state themselves (2.2.5's `h2o_hpack_header_table_t`).
    pub fn set_table_capacity(&mut self, size: usize) {
        self.table.set_max_size(size);
    }

    /// Sets the limit size updates are checked against, without requiring the next block to
    /// start with one (unlike [`Decoder::set_max_table_size`]).
    pub fn set_update_limit(&mut self, size: usize) {
        self.settings_max = size;
    }

    /// Number of entries in the dynamic table.
    pub fn table_len(&self) -> usize {
        self.table.len()
    }

    /// Decodes one complete header block (HEADERS + CONTINUATION fragments joined), calling
    /// `emit(name, value, flags)` for each field in order. Names are as sent (the decoder does not
    /// lower-case or validate them; the HTTP/2 layer does). The slices are valid only during the
    /// call. When `emit` returns `Err`, decoding continues (to keep the dynamic table in sync) but
    /// `emit` is not called again and the first such error is returned as `Ok(Err(e))`.
    ///
    /// Once the list exceeds the limit, `emit` is no longer called and literals that are not
    /// indexed are skipped undecoded; the rest of the block is still processed (the table stays
    /// in sync) and the result is `Err(DecodeError::ListTooLarge)`. After any other error the
    /// table is out of sync with the peer's (a connection error).
    pub fn decode<E, F>(&mut self, block: &[u8], emit: &mut F) -> Result<Result<(), E>, DecodeError>
    where
        F: FnMut(&[u8], &[u8], FieldFlags) -> Result<(), E> + ?Sized,
    {
        self.decode_tagged(block, &mut |n, v, f| emit(n, v, f).map(|()| 0))
    }

    /// [`Decoder::decode`] for a caller that keeps a note (a `u32` tag, 0 meaning none) on each
    /// dynamic table entry: the tag `emit` returns for a field added to the table is stored with
    /// the entry, and fields that take their name from that entry come with it
    /// ([`NameFrom::Dynamic`]), so that what the caller learnt of a name or value (its token, its
    /// validity) need not be worked out again.
    ///
    /// `emit` is a type parameter, so that a closure is called directly (and may be inlined);
    /// a `&mut dyn FnMut` ([`EmitTagged`]) works too.
    pub fn decode_tagged<E, F>(&mut self, block: &[u8], emit: &mut F) -> Result<Result<(), E>, DecodeError>
    where
        F: FnMut(&[u8], &[u8], FieldFlags) -> Result<u32, E> + ?Sized,
    {
        let Decoder { table, settings_max, max_list_size, update_required, scratch_name, scratch_value } =
            self;
        let mut sink = Sink { emit, result: Ok(()), list_size: 0, max_list_size: *max_list_size, too_large: false, tag: 0 };
        let mut pos = 0;
        let mut at_start = true;
        while pos < block.len() {
            let b = block[pos];
            if b & 0xe0 == 0x20 {
                // Dynamic table size update (6.3): only before the first field.
                if !at_start {
                    return Err(DecodeError::BadSizeUpdate);
                }
                let size = decode_int(block, &mut pos, 5)?;
                if size > *settings_max {
                    return Err(DecodeError::BadSizeUpdate);
                }
                table.set_max_size(size);
                *update_required = false;
                continue;
            }
            if at_start {
                if *update_required {
                    return Err(DecodeError::BadSizeUpdate);
                }
                at_start = false;
            }
            if b & 0x80 != 0 {
                // Indexed field (6.1).
                let i = decode_int(block, &mut pos, 7)?;
                let ((name, value), from) = match i {
                    0 => return Err(DecodeError::BadIndex),
                    1..=STATIC_LEN => (STATIC[i - 1], NameFrom::Static(i as u8)),
                    _ => {
                        let d = i - STATIC_LEN - 1;
                        let (field, tag) = table.get_tagged(d).ok_or(DecodeError::BadIndex)?;
                        (field, NameFrom::Dynamic(tag))
                    }
                };
                if !sink.too_large {
                    sink.field(name, value, FieldFlags { never_indexed: false, name_from: from, value_indexed: true });
                }
                continue;
            }
            // Literal (6.2): with incremental indexing, without indexing, or never indexed.
            let (prefix, index, never_indexed) =
                if b & 0x40 != 0 { (6, true, false) } else { (4, false, b & 0x10 != 0) };
            let skip = sink.too_large && !index;
            let i = decode_int(block, &mut pos, prefix)?;
            let (name_from, name) = match i {
                0 if skip => {
                    skip_string(block, &mut pos)?;
                    (NameFrom::Literal, Str::Scratch(0))
                }
                0 => (NameFrom::Literal, read_string(block, &mut pos, scratch_name)?),
                1..=STATIC_LEN => (NameFrom::Static(i as u8), Str::Static(STATIC[i - 1].0)),
                _ => {
                    let d = i - STATIC_LEN - 1;
                    let ((n, _), tag) = table.get_tagged(d).ok_or(DecodeError::BadIndex)?;
                    let name = if index {
                        // The insertion may evict this entry (4.4): keep a copy.
                        if scratch_name.len() < n.len() {
                            scratch_name.resize(n.len(), 0);
                        }
                        scratch_name[..n.len()].copy_from_slice(n);
                        Str::Scratch(n.len())
                    } else {
                        Str::Dynamic(d)
                    };
                    (NameFrom::Dynamic(tag), name)
                }
            };
            if skip {
                skip_string(block, &mut pos)?;
                continue;
            }
            let value = read_string(block, &mut pos, scratch_value)?;
            if !sink.too_large {
                let n = name.get(block, Some(table), scratch_name);
                let v = value.get(block, None, scratch_value);
                sink.field(n, v, FieldFlags { never_indexed, name_from, value_indexed: false });
            } else {
                sink.tag = 0;
            }
            if index {
                // Neither string is in the table (a name from it was copied above).
                table.insert(name.get(block, None, scratch_name), value.get(block, None, scratch_value));
                table.set_newest_tag(sink.tag);
            }
        }
        if sink.too_large {
            return Err(DecodeError::ListTooLarge);
        }
        Ok(sink.result)
    }

    /// Current dynamic table size in bytes (the RFC's accounting) and its current maximum.
    pub fn table_size(&self) -> (usize, usize) {
        (self.table.size(), self.table.max_size())
    }

    /// The dynamic table, newest first (for `/.well-known/h2/state` with hpack).
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.table.iter()
    }
}

/// RFC 7541 5.1: reads an integer with a `prefix_bits`-bit prefix at `block[*pos]`. Values above
/// 2^32 - 1, or with more than five continuation bytes, are refused.
#[inline]
fn decode_int(block: &[u8], pos: &mut usize, prefix_bits: u32) -> Result<usize, DecodeError> {
    let mask = (1u8 << prefix_bits) - 1;
    let first = block.get(*pos).ok_or(DecodeError::Truncated)? & mask;
    *pos += 1;
    if first < mask {
        return Ok(first as usize);
    }
    let mut value = mask as u64;
    let mut shift = 0;
    loop {
        let b = *block.get(*pos).ok_or(DecodeError::Truncated)?;
        *pos += 1;
        value += ((b & 0x7f) as u64) << shift;
        if value > u32::MAX as u64 {
            return Err(DecodeError::IntegerOverflow);
        }
        if b & 0x80 == 0 {
            return Ok(value as usize);
        }
        shift += 7;
        if shift > 28 {
            return Err(DecodeError::IntegerOverflow);
        }
    }
}

/// Reads a string literal's header; returns (Huffman?, start, end) within `block`.
#[inline]
fn string_bounds(block: &[u8], pos: &mut usize) -> Result<(bool, usize, usize), DecodeError> {
    let huffman = block.get(*pos).ok_or(DecodeError::Truncated)? & 0x80 != 0;
    let len = decode_int(block, pos, 7)?;
    let start = *pos;
    if len > block.len() - start {
        return Err(DecodeError::Truncated);
    }
    *pos = start + len;
    Ok((huffman, start, start + len))
}

/// The first size of a decoder's Huffman scratch buffers.
const FIRST_SCRATCH: usize = 256;

/// RFC 7541 5.2: reads a string literal; a Huffman-coded one is decoded into `scratch`.
#[inline]
fn read_string(block: &[u8], pos: &mut usize, scratch: &mut Vec<u8>) -> Result<Str, DecodeError> {
    let (h, start, end) = string_bounds(block, pos)?;
    if !h {
        return Ok(Str::Block(start, end));
    }
    let need = huffman::decode_capacity(end - start);
    if scratch.len() < need {
        // At least FIRST_SCRATCH bytes: most strings fit, so the buffer is allocated (and
        // zeroed) once per decoder instead of growing through the small powers of two.
        scratch.resize(need.next_power_of_two().max(FIRST_SCRATCH), 0);
    }
    let n = huffman::decode_to_slice(&block[start..end], scratch).map_err(|()| DecodeError::BadHuffman)?;
    Ok(Str::Scratch(n))
}

/// Steps over a string literal without decoding it.
#[inline]
fn skip_string(block: &[u8], pos: &mut usize) -> Result<(), DecodeError> {
    string_bounds(block, pos).map(|_| ())
}

/// How the encoder may treat a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Indexing {
    /// Let the encoder decide (indexes name/value pairs that are likely to repeat).
    #[default]
    Auto,
    /// Literal without indexing.
    Never,
    /// Literal never indexed (sensitive: authorization, cookies the caller marks).
    Sensitive,
}

/// The table size both sides start with (RFC 7541 4.2, RFC 9113 6.5.2).
pub const DEFAULT_TABLE_SIZE: usize = 4096;

/// One connection's HPACK encoder.
///
/// Choices (`Indexing::Auto`):
/// - an exact match in the static or dynamic table is sent as an index;
/// - otherwise the field is added to the dynamic table (a literal with incremental indexing,
///   referring to an indexed name when there is one) unless its entry would take more than
///   three quarters of the table (it would flush everything else for one field) or its name is
///   one whose value rarely repeats on a connection: `:path`, `content-length`,
///   `content-range`, `etag`, `age`, `set-cookie` (these go as literals without indexing, with
///   the indexed name). Other values that change per response, such as `date`, are indexed:
///   they repeat across the responses of one second;
/// - strings are Huffman-coded when that is strictly shorter.
///
/// Lookups in the dynamic table go through hash chains, so unlike H2O's linear scan (which caps
/// its table at 32 entries) the whole table is used.
pub struct Encoder {
    table: DynamicTable,
    /// The most we use whatever the peer allows.
    cap: usize,
    /// The maximum the peer's decoder last heard from us.
    announced: usize,
    /// The smallest maximum set since the last block, if it changed.
    pending_min: Option<usize>,
}

/// Names whose values rarely repeat: never added to the dynamic table by `Indexing::Auto`.
fn rarely_repeats(name: &[u8]) -> bool {
    matches!(name, b":path" | b"content-length" | b"content-range" | b"etag" | b"age" | b"set-cookie")
}

/// [`rarely_repeats`] for a name given by its first static index (they are all in the static
/// table).
#[inline]
const fn rarely_repeats_static(first: usize) -> bool {
    matches!(first, 4 | 21 | 28 | 30 | 34 | 55)
}

// `rarely_repeats_static(i)` holds exactly for the first static index of each `rarely_repeats` name.
const _: () = {
    let names: [&[u8]; 6] = [b":path", b"content-length", b"content-range", b"etag", b"age", b"set-cookie"];
    let mut i = 1;
    while i <= STATIC_LEN {
        let name = STATIC[i - 1].0;
        let first = i == 1 || !table::const_same(STATIC[i - 2].0, name);
        let mut listed = false;
        let mut k = 0;
        while k < names.len() {
            listed |= table::const_same(name, names[k]);
            k += 1;
        }
        assert!(rarely_repeats_static(i) == (first && listed));
        i += 1;
    }
};

impl Encoder {
    /// An encoder with the default table size of 4096 (RFC 7541 4.2).
    pub fn new() -> Self {
        Self::with_max_table_size(DEFAULT_TABLE_SIZE)
    }

    /// An encoder whose dynamic table never exceeds `cap` bytes, whatever the peer allows (with a
    /// `cap` below 4096, the first block starts with a size update).
    pub fn with_max_table_size(cap: usize) -> Self {
        let initial = cap.min(DEFAULT_TABLE_SIZE);
        Encoder {
            table: DynamicTable::with_index(initial),
            cap,
            announced: DEFAULT_TABLE_SIZE,
            pending_min: (initial != DEFAULT_TABLE_SIZE).then_some(initial),
        }
    }

    /// This encoder made new ([`Encoder::with_max_table_size`] with its own cap), keeping the
    /// dynamic table's storage and its index (no allocation, no zeroing of the index).
    pub fn renew(&mut self) {
        let initial = self.cap.min(DEFAULT_TABLE_SIZE);
        self.table.renew(initial);
        self.announced = DEFAULT_TABLE_SIZE;
        self.pending_min = (initial != DEFAULT_TABLE_SIZE).then_some(initial);
    }

    /// The peer announced SETTINGS_HEADER_TABLE_SIZE `size`: the encoder will use at most
    /// `min(size, own cap)` and emits a size update at the start of the next block.
    pub fn set_max_table_size(&mut self, size: usize) {
        let new = size.min(self.cap);
        if new == self.table.max_size() && self.pending_min.is_none() {
            return;
        }
        self.table.set_max_size(new);
        self.pending_min = Some(self.pending_min.map_or(new, |m| m.min(new)));
    }

    /// Appends the representation of one field to `out`. Names must be lower case. Huffman is
    /// used where shorter. Call [`Encoder::begin_block`] before the first field of each block.
    pub fn encode_field(&mut self, out: &mut Vec<u8>, name: &[u8], value: &[u8], indexing: Indexing) {
        self.encode_field_with_static_name(out, name, value, indexing, table::static_name_index(name));
    }

    /// [`Encoder::encode_field`] for a caller that knows the first static table index with this
    /// name (`None`: the name is not in the static table), as a token does: the name is not
    /// looked up. A wrong `static_name` gives a wrong encoding.
    pub fn encode_field_with_static_name(
        &mut self,
        out: &mut Vec<u8>,
        name: &[u8],
        value: &[u8],
        indexing: Indexing,
        static_name: Option<usize>,
    ) {
        if indexing == Indexing::Sensitive {
            // Never indexed (6.2.3), with an indexed name where there is one.
            let name_index = match static_name {
                Some(i) => Some(i),
                None => {
                    let f = self.table.find(name, value);
                    f.full.or(f.name).map(|d| d + STATIC_LEN + 1)
                }
            };
            encode_literal(out, 0x10, 4, name_index, name, value);
            return;
        }
        if let Some(i) = static_name.and_then(|first| table::static_value_index(first, name, value)) {
            encode_int(out, i as u64, 7, 0x80);
            return;
        }
        if static_name.is_some_and(rarely_repeats_static) {
            // Never added to the table (below), so not in it: no hashing, no lookup. These names
            // are all in the static table.
            encode_literal(out, 0x00, 4, static_name, name, value);
            return;
        }
        let hash = FieldHash::of(name, value);
        let found = self.table.find_hashed(name, value, hash);
        if let Some(d) = found.full {
            encode_int(out, (d + STATIC_LEN + 1) as u64, 7, 0x80);
            return;
        }
        let name_index = static_name.or(found.name.map(|d| d + STATIC_LEN + 1));
        let size = name.len() + value.len() + ENTRY_OVERHEAD;
        let max = self.table.max_size();
        if indexing == Indexing::Auto && size <= max - max / 4 && !rarely_repeats(name) {
            encode_literal(out, 0x40, 6, name_index, name, value);
            self.table.insert_hashed(name, value, hash);
        } else {
            encode_literal(out, 0x00, 4, name_index, name, value);
        }
    }

    /// Starts a header block: writes a pending dynamic table size update, if any (RFC 7541 4.2:
    /// when the maximum went down and up again since the last block, the smallest value first,
    /// then the final one).
    pub fn begin_block(&mut self, out: &mut Vec<u8>) {
        let Some(min) = self.pending_min.take() else {
            return;
        };
        let fin = self.table.max_size();
        if min < fin {
            encode_int(out, min as u64, 5, 0x20);
            encode_int(out, fin as u64, 5, 0x20);
        } else if fin != self.announced {
            encode_int(out, fin as u64, 5, 0x20);
        }
        self.announced = fin;
    }

    /// Appends `:status` for `status` (static table where it has one).
    pub fn encode_status(&mut self, out: &mut Vec<u8>, status: u16) {
        let index = match status {
            200 => 8,
            204 => 9,
            206 => 10,
            304 => 11,
            400 => 12,
            404 => 13,
            500 => 14,
            100..=999 => {
                let d = [b'0' + (status / 100) as u8, b'0' + (status / 10 % 10) as u8, b'0' + (status % 10) as u8];
                self.encode_field(out, b":status", &d, Indexing::Auto);
                return;
            }
            _ => {
                // Not a valid status (RFC 9110 15: three digits); sent as given all the same.
                self.encode_field(out, b":status", status.to_string().as_bytes(), Indexing::Auto);
                return;
            }
        };
        out.push(0x80 | index);
    }

    /// Current dynamic table size in bytes and its current maximum.
    pub fn table_size(&self) -> (usize, usize) {
        (self.table.size(), self.table.max_size())
    }

    /// Number of entries in the dynamic table.
    pub fn table_len(&self) -> usize {
        self.table.len()
    }

    /// The dynamic table, newest first.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        self.table.iter()
    }
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

/// A literal field: `first` holds the representation's pattern above a `prefix_bits` name index
/// (0: the name follows as a string).
fn encode_literal(out: &mut Vec<u8>, first: u8, prefix_bits: u8, name_index: Option<usize>, name: &[u8], value: &[u8]) {
    match name_index {
        Some(i) => encode_int(out, i as u64, prefix_bits, first),
        None => {
            out.push(first);
            encode_string(out, name);
        }
    }
    encode_string(out, value);
}

/// RFC 7541 5.1: appends `value` as an integer with an `prefix_bits`-bit prefix; `first` holds
/// the bits above the prefix in the first byte.
#[inline]
pub fn encode_int(out: &mut Vec<u8>, value: u64, prefix_bits: u8, first: u8) {
    let max = (1u64 << prefix_bits) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    let mut rest = value - max;
    while rest >= 0x80 {
        out.push(0x80 | (rest & 0x7f) as u8);
        rest >>= 7;
    }
    out.push(rest as u8);
}

/// RFC 7541 5.2: appends a string literal (Huffman-coded when that is shorter).
pub fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() < 127 {
        // Either way the length takes one byte: reserve it and encode in one pass.
        let at = out.len();
        out.push(0);
        match huffman::encode_if_shorter(s, out) {
            Some(n) => out[at] = 0x80 | n as u8,
            None => {
                out[at] = s.len() as u8;
                out.extend_from_slice(s);
            }
        }
        return;
    }
    let huffman_len = huffman::encoded_len(s);
    if huffman_len < s.len() {
        encode_int(out, huffman_len as u64, 7, 0x80);
        huffman::encode_with_len(s, huffman_len, out);
    } else {
        encode_int(out, s.len() as u64, 7, 0);
        out.extend_from_slice(s);
    }
}

#[cfg(test)]
mod stories;
#[cfg(test)]
mod tests;
