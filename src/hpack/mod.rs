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

pub mod huffman;
pub mod table;

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
}

/// One connection's HPACK decoder.
pub struct Decoder {
    // implementation-defined
}

impl Decoder {
    /// A decoder whose dynamic table may grow up to `max_table_size` (our SETTINGS_HEADER_TABLE_SIZE,
    /// 4096 by default) and which refuses header lists larger than `max_list_size` bytes.
    pub fn new(max_table_size: usize, max_list_size: usize) -> Self {
        let _ = (max_table_size, max_list_size);
        todo!()
    }

    /// Decodes one complete header block (HEADERS + CONTINUATION fragments joined), calling
    /// `emit(name, value, flags)` for each field in order. Names are as sent (the decoder does not
    /// lower-case or validate them; the HTTP/2 layer does). The slices are valid only during the
    /// call. When `emit` returns `Err`, decoding continues (to keep the dynamic table in sync) but
    /// `emit` is not called again and the first such error is returned as `Ok(Err(e))`.
    pub fn decode<E>(
        &mut self,
        block: &[u8],
        emit: &mut dyn FnMut(&[u8], &[u8], FieldFlags) -> Result<(), E>,
    ) -> Result<Result<(), E>, DecodeError> {
        let _ = (block, emit);
        todo!()
    }

    /// Current dynamic table size in bytes (the RFC's accounting) and its current maximum.
    pub fn table_size(&self) -> (usize, usize) {
        todo!()
    }

    /// The dynamic table, newest first (for `/.well-known/h2/state` with hpack).
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        std::iter::empty()
    }
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

/// One connection's HPACK encoder.
pub struct Encoder {
    // implementation-defined
}

impl Encoder {
    /// An encoder with the default table size of 4096 (RFC 7541 4.2).
    pub fn new() -> Self {
        todo!()
    }

    /// The peer announced SETTINGS_HEADER_TABLE_SIZE `size`: the encoder will use at most
    /// `min(size, own cap)` and emits a size update at the start of the next block.
    pub fn set_max_table_size(&mut self, size: usize) {
        let _ = size;
        todo!()
    }

    /// Appends the representation of one field to `out`. Names must be lower case. Huffman is
    /// used where shorter. Call [`Encoder::begin_block`] before the first field of each block.
    pub fn encode_field(&mut self, out: &mut Vec<u8>, name: &[u8], value: &[u8], indexing: Indexing) {
        let _ = (out, name, value, indexing);
        todo!()
    }

    /// Starts a header block: writes a pending dynamic table size update, if any.
    pub fn begin_block(&mut self, out: &mut Vec<u8>) {
        let _ = out;
        todo!()
    }

    /// Appends `:status` for `status` (static table where it has one).
    pub fn encode_status(&mut self, out: &mut Vec<u8>, status: u16) {
        let _ = (out, status);
        todo!()
    }
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

/// RFC 7541 5.1: appends `value` as an integer with an `prefix_bits`-bit prefix; `first` holds
/// the bits above the prefix in the first byte.
pub fn encode_int(out: &mut Vec<u8>, value: u64, prefix_bits: u8, first: u8) {
    let _ = (out, value, prefix_bits, first);
    todo!()
}

/// RFC 7541 5.2: appends a string literal (Huffman-coded when that is shorter).
pub fn encode_string(out: &mut Vec<u8>, s: &[u8]) {
    let _ = (out, s);
    todo!()
}
