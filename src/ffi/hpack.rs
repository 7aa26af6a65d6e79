//! `h2o/hpack.h` (2.2.5 declares these in `h2o/http2_internal.h`): `h2o_hpack_parse_headers`,
//! `h2o_hpack_flatten_request` / `_response`, `h2o_hpack_encode_string` and
//! `h2o_hpack_dispose_header_table` over the pure codec `crate::hpack`.
//!
//! The header table: the caller embeds an `h2o_hpack_header_table_t`, zeroed, with
//! `hpack_capacity` (and for a decoder `hpack_max_capacity`) set, as 2.2.5's connections do. On its
//! first use this library hangs a [`TableState`] (a `Box`, holding the codec) off `entries`, and
//! after every call writes the table's `num_entries`, `hpack_size` and `hpack_capacity` back (the
//! numbers 2.2.5 keeps, the same for the same input). A caller that changes `hpack_capacity` or
//! `hpack_max_capacity` between calls is followed: for a decoder as if the peer had sent a size
//! update / as the new limit for size updates; for an encoder as the peer's new
//! SETTINGS_HEADER_TABLE_SIZE (announced with a size update at the start of the next block, which
//! 2.2.5 never sends). `entries` is opaque: 2.2.5's inline `h2o_hpack_header_table_get` cannot be
//! used on it. `h2o_hpack_dispose_header_table` frees the state.
//!
//! Ownership: strings a parsed request refers to are copies in `req->pool`; frames are appended to
//! the caller's `h2o_buffer_t`.
//!
//! Threads: a table is used by one thread at a time (as in 2.2.5).

use std::ffi::{c_char, c_int};
use std::ptr;

use crate::abi::core::{h2o_header_t, h2o_headers_t};
use crate::abi::hpack::*;
use crate::abi::memory::{h2o_buffer_t, h2o_iovec_t, h2o_mem_pool_t};
use crate::abi::panic::boundary;
use crate::abi::request::{h2o_req_t, h2o_res_t, h2o_timestamp_t};
use crate::abi::url::{H2O_URL_SCHEME_HTTP, H2O_URL_SCHEME_HTTPS};
use crate::core::headers;
use crate::hpack::field_chars::{check_name, value_is_valid, NameCheck};
use crate::hpack::{DecodeError, Decoder, Encoder, FieldFlags, Indexing, NameFrom};
use crate::http2::frame::header_bytes;
use crate::token::flag;

/// 2.2.5's descriptions (compared by content, not address, by its users).
const ERR_UPPER_CASE: &std::ffi::CStr = c"found an upper-case letter in header name";
const SOFT_ERR_NAME: &std::ffi::CStr = c"found an invalid character in header name";
const SOFT_ERR_VALUE: &std::ffi::CStr = c"found an invalid character in header value";

const FRAME_TYPE_HEADERS: u8 = 1;
const FRAME_TYPE_PUSH_PROMISE: u8 = 5;
const FRAME_TYPE_CONTINUATION: u8 = 9;
const FRAME_FLAG_END_HEADERS: u8 = 4;
const FRAME_HEADER_SIZE: usize = 9;

/// The tags this module keeps on decoder table entries (`Decoder::decode_tagged`): set, the
/// name's token index + 1 (0: none) in the low 16 bits, and the soft errors of name and value.
const TAG_SET: u32 = 1 << 31;
const TAG_NAME_SOFT: u32 = 1 << 16;
const TAG_VALUE_SOFT: u32 = 1 << 17;

/// Token indexes the parser tells apart (`crate::token::TOKENS`).
const TOK_AUTHORITY: usize = crate::token::index_of(b":authority");
const TOK_METHOD: usize = crate::token::index_of(b":method");
const TOK_PATH: usize = crate::token::index_of(b":path");
const TOK_SCHEME: usize = crate::token::index_of(b":scheme");
const TOK_CONTENT_LENGTH: usize = crate::token::index_of(b"content-length");
const TOK_HOST: usize = crate::token::index_of(b"host");
const TOK_TE: usize = crate::token::index_of(b"te");

/// Entries the header list gets room for at its first field: a browser's request has about a
/// dozen, and growing from 4 copies the list twice on the way.
const FIRST_LIST_CAPACITY: usize = 16;

fn tag_token(tag: u32) -> Option<usize> {
    (tag & 0xffff).checked_sub(1).map(|t| t as usize)
}

/// The element of the token table in use for token index `i` (from `crate::token::lookup`).
fn token_ptr(i: usize) -> *const crate::abi::token::h2o_token_t {
    // SAFETY: `lookup` gives indexes of the table's used slots, within the exported array.
    unsafe { crate::token::base().add(i) }
}

/// The token index of static table entry `i`'s name.
fn static_token(i: u8) -> Option<usize> {
    /// Token index + 1 of each static entry's name (every one is a token), at compile time.
    const TOKENS: [u8; 62] = {
        let mut t = [0u8; 62];
        let mut i = 1;
        while i < 62 {
            t[i] = crate::token::index_of(crate::hpack::table::STATIC[i - 1].0) as u8 + 1;
            i += 1;
        }
        t
    };
    TOKENS.get(i as usize).and_then(|&x| (x as usize).checked_sub(1))
}

/// What `entries` points to once a table has been used.
struct TableState {
    dec: Option<Decoder>,
    enc: Option<Encoder>,
    /// `hpack_capacity` / `hpack_max_capacity` as this library last wrote or read them.
    seen_capacity: usize,
    seen_max_capacity: usize,
    /// The encoder's output, reused.
    block: Vec<u8>,
}

/// The state behind `table`, created on first use.
///
/// # Safety
/// `table` is valid and its `entries` is NULL or was set by this function (and not freed since).
unsafe fn state<'a>(table: *mut h2o_hpack_header_table_t) -> &'a mut TableState {
    // SAFETY: the caller's contract.
    let t = unsafe { &mut *table };
    if t.entries.is_null() {
        let st = Box::new(TableState {
            dec: None,
            enc: None,
            seen_capacity: t.hpack_capacity,
            seen_max_capacity: t.hpack_max_capacity,
            block: Vec::new(),
        });
        t.entries = Box::into_raw(st).cast();
    }
    // SAFETY: `entries` came from `Box::into_raw` above (in this call or an earlier one), is not
    // aliased (one thread uses a table at a time) and lives until h2o_hpack_dispose_header_table.
    unsafe { &mut *t.entries.cast::<TableState>() }
}

/// Writes the codec's table numbers back to the public fields.
fn publish(t: &mut h2o_hpack_header_table_t, st: &mut TableState, len: usize, (size, max): (usize, usize)) {
    t.num_entries = len;
    t.hpack_size = size;
    t.hpack_capacity = max;
    st.seen_capacity = max;
    st.seen_max_capacity = t.hpack_max_capacity;
}

/// Frees the codec state of `header_table` (and nothing else: the struct is the caller's). The
/// table may be used again afterwards, as a new one.
///
/// # Safety
/// `header_table` is NULL or a table only this library's h2o_hpack_* functions have used.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hpack_dispose_header_table(header_table: *mut h2o_hpack_header_table_t) {
    boundary("h2o_hpack_dispose_header_table", (), || {
        if header_table.is_null() {
            return;
        }
        // SAFETY: the caller's contract.
        let t = unsafe { &mut *header_table };
        if !t.entries.is_null() {
            // SAFETY: `entries` was made by `Box::into_raw` in `state` and is freed once (set to
            // NULL right after).
            drop(unsafe { Box::from_raw(t.entries.cast::<TableState>()) });
            t.entries = ptr::null_mut();
        }
        t.num_entries = 0;
        t.hpack_size = 0;
    })
}

/// Why a block was refused (the text of `*err_desc`; 2.2.5 leaves it NULL for these).
fn decode_error_desc(e: DecodeError) -> &'static std::ffi::CStr {
    match e {
        DecodeError::Truncated => c"HPACK: the header block ends inside a field",
        DecodeError::IntegerOverflow => c"HPACK: integer too large",
        DecodeError::BadIndex => c"HPACK: index not in the tables",
        DecodeError::BadHuffman => c"HPACK: invalid Huffman code",
        DecodeError::BadSizeUpdate => c"HPACK: invalid dynamic table size update",
        DecodeError::ListTooLarge => c"HPACK: header list too large",
    }
}

/// A field that ends `h2o_hpack_parse_headers` with `code` (`*err_desc` set to `desc` if any).
struct Refused {
    code: c_int,
    desc: Option<&'static std::ffi::CStr>,
}

const PROTOCOL: Refused = Refused { code: HTTP2_ERROR_PROTOCOL, desc: None };

/// Decodes the header block `src` (`len` bytes; all HEADERS / CONTINUATION fragments joined) with
/// the decoder state in `header_table` into `req`: the pseudo-headers into `req->input`
/// (`method`, `authority`, `path` as copies in `req->pool`, `scheme` pointing to
/// `H2O_URL_SCHEME_HTTPS` for "https" and `H2O_URL_SCHEME_HTTP` for anything else) with their
/// `H2O_HPACK_PARSE_HEADERS_*_EXISTS` bits OR-ed into `*pseudo_header_exists_map`; the other fields
/// appended to `req->headers` (names interned as tokens where there is one), except
/// `content-length`, whose value goes to `*content_length` (SIZE_MAX when absent), and `host`,
/// which is dropped. A NULL `pseudo_header_exists_map` (trailers) refuses every pseudo-header.
///
/// Returns 0, or
/// - `H2O_HTTP2_ERROR_INVALID_HEADER_CHAR` (a soft error: everything was decoded and stored) when
///   a name has a character outside RFC 9110's `tchar` or a value a control character, with the
///   first such description in `*err_desc` (which the caller initializes to NULL: a non-NULL one
///   also makes the result this);
/// - `H2O_HTTP2_ERROR_PROTOCOL` for a pseudo-header after a regular field, twice, unknown or in
///   trailers, a connection-specific field (`te` other than "trailers"), a `content-length` that
///   is not a number, an upper-case letter in a name (`*err_desc` says so; 2.2.5 only refuses it in
///   a name sent as is, a Huffman-coded one is a soft error there) and, unlike 2.2.5, an empty name
///   (RFC 9110 5.1);
/// - `H2O_HTTP2_ERROR_COMPRESSION` when the block is not valid HPACK (the decoder is then out of
///   sync with the peer: a connection error), with a description in `*err_desc` (2.2.5 gives
///   none). Unlike 2.2.5, a size update after the first field is one (RFC 7541 4.2), a block made
///   of size updates only is not, and an invalid block is refused even when an earlier field was
///   already refused with PROTOCOL (2.2.5 stops reading at that field).
///
/// `digests` is not used: this library has no cache digests (the `cache-digest` field is kept in
/// `req->headers`).
///
/// # Safety
/// `req` is an initialized request (pool, header list, `input` zeroed or set by earlier calls);
/// `header_table` as for h2o_hpack_dispose_header_table; `src` readable for `len` bytes;
/// `content_length` and `err_desc` writable; `pseudo_header_exists_map` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hpack_parse_headers(
    req: *mut h2o_req_t,
    header_table: *mut h2o_hpack_header_table_t,
    src: *const u8,
    len: usize,
    pseudo_header_exists_map: *mut c_int,
    content_length: *mut usize,
    _digests: *mut std::ffi::c_void,
    err_desc: *mut *const c_char,
) -> c_int {
    boundary("h2o_hpack_parse_headers", HTTP2_ERROR_COMPRESSION, || {
        // SAFETY: the caller's contract.
        unsafe { *content_length = usize::MAX };
        // SAFETY: as above (a NULL `src` is read as empty).
        let block = if len == 0 || src.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(src, len) } };
        // SAFETY: the caller's contract.
        let st = unsafe { state(header_table) };
        // SAFETY: the caller's contract; `state` does not keep a reference to the struct.
        let t = unsafe { &mut *header_table };
        let dec = st.dec.get_or_insert_with(|| {
            let mut d = Decoder::new(t.hpack_capacity, usize::MAX);
            d.set_update_limit(t.hpack_max_capacity);
            d
        });
        if t.hpack_capacity != st.seen_capacity {
            dec.set_table_capacity(t.hpack_capacity);
        }
        if t.hpack_max_capacity != st.seen_max_capacity {
            dec.set_update_limit(t.hpack_max_capacity);
        }
        // SAFETY: distinct fields of the caller's request, used only during this call.
        let (pool, list, input) = unsafe { (&mut (*req).pool, &mut (*req).headers, &mut (*req).input) };
        if list.capacity == 0 && block.len() > 8 {
            // SAFETY: the request's list, in its pool (the caller's contract).
            unsafe {
                crate::mem::vector::expand(Some(pool), list.as_raw(), size_of::<h2o_header_t>(), FIRST_LIST_CAPACITY)
            };
        }
        let mut map = (!pseudo_header_exists_map.is_null()).then_some(pseudo_header_exists_map);
        let mut on_field = |name: &[u8], value: &[u8], flags: FieldFlags| -> Result<u32, Refused> {
            let pseudo = name.first() == Some(&b':');
            // What is known of the name (its token, whether it has an invalid character) from the
            // table it came from, else worked out (a token's name is valid: most need no check).
            let (token, name_soft) = match flags.name_from {
                NameFrom::Static(i) => (static_token(i), false),
                NameFrom::Dynamic(t) if t & TAG_SET != 0 => (tag_token(t), t & TAG_NAME_SOFT != 0),
                _ => {
                    let token = crate::token::lookup(name);
                    let mut soft = false;
                    if !pseudo && token.is_none() {
                        match check_name(name) {
                            NameCheck::UpperCase => return Err(Refused { code: HTTP2_ERROR_PROTOCOL, desc: Some(ERR_UPPER_CASE) }),
                            NameCheck::Invalid => soft = true,
                            NameCheck::Valid if name.is_empty() => return Err(PROTOCOL),
                            NameCheck::Valid => {}
                        }
                    }
                    (token, soft)
                }
            };
            let value_soft = match flags.name_from {
                NameFrom::Static(_) if flags.value_indexed => false,
                NameFrom::Dynamic(t) if flags.value_indexed && t & TAG_SET != 0 => t & TAG_VALUE_SOFT != 0,
                _ => !value_is_valid(value),
            };
            let tag = TAG_SET
                | token.map_or(0, |t| t as u32 + 1)
                | if name_soft { TAG_NAME_SOFT } else { 0 }
                | if value_soft { TAG_VALUE_SOFT } else { 0 };
            let static_value = flags.value_indexed && matches!(flags.name_from, NameFrom::Static(_));
            let soft = if value_soft { Some(SOFT_ERR_VALUE) } else if name_soft { Some(SOFT_ERR_NAME) } else { None };
            if let Some(s) = soft {
                // SAFETY: the caller's contract (writable, initialized).
                unsafe {
                    if (*err_desc).is_null() {
                        *err_desc = s.as_ptr();
                    }
                }
            }
            if pseudo {
                let m = map.ok_or(PROTOCOL)?;
                // SAFETY (the block): the request's pool and `m`, per the caller's contract.
                // A pseudo-header's token, if any, is its name (a name with a token is one).
                let (slot, bit) = match token {
                    Some(TOK_AUTHORITY) => (&mut input.authority, PARSE_HEADERS_AUTHORITY_EXISTS),
                    Some(TOK_METHOD) => (&mut input.method, PARSE_HEADERS_METHOD_EXISTS),
                    Some(TOK_PATH) => (&mut input.path, PARSE_HEADERS_PATH_EXISTS),
                    Some(TOK_SCHEME) => {
                        if !input.scheme.is_null() {
                            return Err(PROTOCOL);
                        }
                        input.scheme = if value == b"https" { &raw const H2O_URL_SCHEME_HTTPS } else { &raw const H2O_URL_SCHEME_HTTP };
                        // SAFETY: `m` is writable (the caller's contract).
                        unsafe { *m |= PARSE_HEADERS_SCHEME_EXISTS };
                        return Ok(tag);
                    }
                    _ => return Err(PROTOCOL),
                };
                if !slot.base.is_null() {
                    return Err(PROTOCOL);
                }
                // SAFETY: the request's pool is initialized; `m` is writable.
                unsafe {
                    *slot = keep(pool, value, static_value);
                    *m |= bit;
                }
                return Ok(tag);
            }
            map = None;
            // A name with an invalid character is no token (2.2.5 does not look those up).
            match token.filter(|_| !name_soft) {
                Some(index) => {
                    let tok = token_ptr(index);
                    // SAFETY: an element of the token table.
                    let tok_flags = unsafe { (*tok).flags };
                    if index == TOK_CONTENT_LENGTH {
                        let n = crate::strings::strtosize(value).ok_or(PROTOCOL)?;
                        // SAFETY: the caller's contract.
                        unsafe { *content_length = n };
                        return Ok(tag);
                    }
                    if tok_flags & flag::H2_REJECT != 0 {
                        if index == TOK_HOST {
                            return Ok(tag);
                        }
                        if !(index == TOK_TE && crate::strings::lcstris(value, b"trailers")) {
                            return Err(PROTOCOL);
                        }
                    }
                    // SAFETY: the request's pool and list; the token outlives the list.
                    unsafe {
                        let v = keep(pool, value, static_value);
                        add_field(pool, list, tok.cast_mut().cast::<h2o_iovec_t>(), v);
                    }
                }
                None => {
                    // SAFETY: the request's pool and list; the name is copied into the pool.
                    unsafe {
                        let n = headers::pool_strdup(pool, name);
                        let n = headers::pool_name(pool, n.base, n.len);
                        let v = keep(pool, value, static_value);
                        add_field(pool, list, n, v);
                    }
                }
            }
            Ok(tag)
        };
        let result = dec.decode_tagged(block, &mut on_field);
        let (len, size) = (dec.table_len(), dec.table_size());
        publish(t, st, len, size);
        match result {
            Err(e) => {
                // SAFETY: the caller's contract.
                unsafe { *err_desc = decode_error_desc(e).as_ptr() };
                HTTP2_ERROR_COMPRESSION
            }
            Ok(Err(refused)) => {
                if let Some(d) = refused.desc {
                    // SAFETY: the caller's contract.
                    unsafe { *err_desc = d.as_ptr() };
                }
                refused.code
            }
            // SAFETY: the caller's contract.
            Ok(Ok(())) if unsafe { !(*err_desc).is_null() } => HTTP2_ERROR_INVALID_HEADER_CHAR,
            Ok(Ok(())) => 0,
        }
    })
}

/// Appends `{name, value}` to `list`.
///
/// # Safety
/// `pool` initialized, `list` a list in it, `name` outlives the list.
unsafe fn add_field(pool: &mut h2o_mem_pool_t, list: &mut h2o_headers_t, name: *mut h2o_iovec_t, value: h2o_iovec_t) {
    // SAFETY: the caller's contract.
    unsafe { headers::add(pool, list, name, ptr::null(), value) };
}

/// `value` as an iovec that outlives the call: the static table's own string when it came from
/// there (`is_static`: 'static, NUL-free but not NUL-terminated, as 2.2.5's static values), else a
/// copy in `pool` (NUL-terminated).
///
/// # Safety
/// `pool` is initialized; `is_static` only for a slice of `crate::hpack::table::STATIC`.
unsafe fn keep(pool: &mut h2o_mem_pool_t, value: &[u8], is_static: bool) -> h2o_iovec_t {
    if is_static {
        return h2o_iovec_t { base: value.as_ptr().cast_mut().cast::<c_char>(), len: value.len() };
    }
    // SAFETY: the caller's contract.
    unsafe { headers::pool_strdup(pool, value) }
}

/// The bytes of an iovec (empty for a NULL base).
///
/// # Safety
/// `v.base` is NULL or readable for `v.len` bytes that outlive the result.
unsafe fn bytes<'a>(v: &h2o_iovec_t) -> &'a [u8] {
    if v.base.is_null() || v.len == 0 {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { std::slice::from_raw_parts(v.base.cast::<u8>(), v.len) }
}

/// The encoder of `header_table`, following the caller's `hpack_capacity`.
fn encoder<'a>(t: &h2o_hpack_header_table_t, st: &'a mut TableState) -> &'a mut Encoder {
    let fresh = st.enc.is_none();
    let enc = st.enc.get_or_insert_with(|| Encoder::with_max_table_size(usize::MAX));
    if fresh || t.hpack_capacity != st.seen_capacity {
        enc.set_max_table_size(t.hpack_capacity);
    }
    enc
}

/// Encodes each entry of `list` (2.2.5's choice kept: a `cookie` / `set-cookie` value shorter than
/// 20 bytes goes as never indexed).
///
/// # Safety
/// `list` holds `size` valid entries.
unsafe fn encode_list(enc: &mut Encoder, out: &mut Vec<u8>, list: &h2o_headers_t) {
    // SAFETY: the caller's contract.
    let entries: &[h2o_header_t] = unsafe { headers::entries(list) };
    for h in entries {
        // SAFETY: a valid entry's name and value.
        let (name, value) = unsafe { (bytes(&*h.name), bytes(&h.value)) };
        if !crate::token::is_token_ptr(h.name) {
            enc.encode_field(out, name, value, Indexing::Auto);
            continue;
        }
        // SAFETY: a token's buf is the start of its h2o_token_t.
        let tok = unsafe { &*h.name.cast::<crate::abi::token::h2o_token_t>() };
        let sensitive = tok.flags & flag::NO_COMPRESS != 0 && value.len() < 20;
        // The token knows its first static table index (0: none): no lookup of the name.
        let first = tok.http2_static_table_name_index as u8 as usize;
        let static_name = (first != 0).then_some(first);
        let indexing = if sensitive { Indexing::Sensitive } else { Indexing::Auto };
        enc.encode_field_with_static_name(out, name, value, indexing, static_name);
    }
}

/// Appends `payload` to `*buf` as a frame of `kind` on `stream_id`, split into CONTINUATION frames
/// of at most `max_frame_size` bytes, END_HEADERS on the last.
///
/// # Safety
/// `buf` points to a valid buffer pointer.
unsafe fn append_frames(buf: *mut *mut h2o_buffer_t, payload: &[u8], kind: u8, stream_id: u32, max_frame_size: usize) {
    let max = max_frame_size.max(1);
    let nframes = payload.len().div_ceil(max).max(1);
    let total = payload.len() + nframes * FRAME_HEADER_SIZE;
    // SAFETY: the caller's contract; the buffer aborts when memory is exhausted.
    let room = unsafe { crate::buffer::reserve(&mut *buf, total) };
    // SAFETY: `reserve` guarantees `total` writable bytes at `room.base`.
    let dst = unsafe { std::slice::from_raw_parts_mut(room.base.cast::<u8>(), total) };
    let mut at = 0;
    let mut chunks = payload.chunks(max).peekable();
    let mut first = true;
    loop {
        let chunk = chunks.next().unwrap_or(&[]);
        let last = chunks.peek().is_none();
        let ty = if first { kind } else { FRAME_TYPE_CONTINUATION };
        let flags = if last { FRAME_FLAG_END_HEADERS } else { 0 };
        dst[at..at + FRAME_HEADER_SIZE].copy_from_slice(&header_bytes(chunk.len(), ty, flags, stream_id));
        at += FRAME_HEADER_SIZE;
        dst[at..at + chunk.len()].copy_from_slice(chunk);
        at += chunk.len();
        first = false;
        if last {
            break;
        }
    }
    // SAFETY: the bytes were written above.
    unsafe { (**buf).size += at };
}

/// Appends to `*buf` a PUSH_PROMISE frame on `parent_stream_id` promising `stream_id`, whose
/// header block carries `req`'s `:method`, `:scheme`, `:authority`, `:path` and headers (followed
/// by CONTINUATION frames when the block exceeds `max_frame_size`), encoded with the state in
/// `header_table` (an encoder's: a table is used either for parsing or for flattening).
/// The encoding differs from 2.2.5's in its choices (which fields are indexed, Huffman where
/// shorter, no 32-entry limit on the table) but decodes to the same fields.
///
/// # Safety
/// `buf` points to a valid buffer pointer; `header_table` as for h2o_hpack_dispose_header_table;
/// `req` has `input.scheme` set and valid strings and headers.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hpack_flatten_request(
    buf: *mut *mut h2o_buffer_t,
    header_table: *mut h2o_hpack_header_table_t,
    stream_id: u32,
    max_frame_size: usize,
    req: *mut h2o_req_t,
    parent_stream_id: u32,
) {
    boundary("h2o_hpack_flatten_request", (), || {
        // SAFETY: the caller's contract.
        let (st, t, req) = unsafe { (state(header_table), &mut *header_table, &*req) };
        let mut out = std::mem::take(&mut st.block);
        out.clear();
        out.extend_from_slice(&(stream_id & 0x7fff_ffff).to_be_bytes());
        let enc = encoder(t, st);
        enc.begin_block(&mut out);
        // SAFETY: the request's strings and scheme are valid (the caller's contract).
        unsafe {
            enc.encode_field(&mut out, b":method", bytes(&req.input.method), Indexing::Auto);
            let scheme = if req.input.scheme.is_null() { &[][..] } else { bytes(&(*req.input.scheme).name) };
            enc.encode_field(&mut out, b":scheme", scheme, Indexing::Auto);
            enc.encode_field(&mut out, b":authority", bytes(&req.input.authority), Indexing::Auto);
            enc.encode_field(&mut out, b":path", bytes(&req.input.path), Indexing::Auto);
            encode_list(enc, &mut out, &req.headers);
        }
        let (len, size) = (enc.table_len(), enc.table_size());
        publish(t, st, len, size);
        // SAFETY: the caller's buffer.
        unsafe { append_frames(buf, &out, FRAME_TYPE_PUSH_PROMISE, parent_stream_id, max_frame_size) };
        st.block = out;
    })
}

/// Appends to `*buf` a HEADERS frame on `stream_id` (END_HEADERS, never END_STREAM; CONTINUATION
/// frames when the block exceeds `max_frame_size`) carrying `:status` (`res->status`), `server`
/// (`*server_name`, when not empty), `date` (`ts`'s RFC 1123 string, when `ts` is not NULL),
/// `res->headers` and, unless `content_length` is SIZE_MAX, `content-length`, encoded with the
/// state in `header_table`. As for h2o_hpack_flatten_request, the bytes differ from 2.2.5's, the
/// decoded fields do not. A status outside 100..=999 (2.2.5 aborts) is sent as its digits.
///
/// # Safety
/// `buf` points to a valid buffer pointer; `header_table` as for h2o_hpack_dispose_header_table;
/// `res` valid; `ts` NULL or with a valid string; `server_name` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hpack_flatten_response(
    buf: *mut *mut h2o_buffer_t,
    header_table: *mut h2o_hpack_header_table_t,
    stream_id: u32,
    max_frame_size: usize,
    res: *mut h2o_res_t,
    ts: *mut h2o_timestamp_t,
    server_name: *const h2o_iovec_t,
    content_length: usize,
) {
    boundary("h2o_hpack_flatten_response", (), || {
        // SAFETY: the caller's contract.
        let (st, t, res) = unsafe { (state(header_table), &mut *header_table, &*res) };
        let mut out = std::mem::take(&mut st.block);
        out.clear();
        let enc = encoder(t, st);
        enc.begin_block(&mut out);
        enc.encode_status(&mut out, u16::try_from(res.status).unwrap_or(u16::MAX));
        // SAFETY: the caller's contract for `server_name`, `ts` and `res`.
        unsafe {
            if !server_name.is_null() && (*server_name).len != 0 {
                enc.encode_field(&mut out, b"server", bytes(&*server_name), Indexing::Auto);
            }
            if !ts.is_null() && !(*ts).str_.is_null() {
                enc.encode_field(&mut out, b"date", &(&(*(*ts).str_).rfc1123)[..29], Indexing::Auto);
            }
            encode_list(enc, &mut out, &res.headers);
        }
        if content_length != usize::MAX {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut v = content_length;
            loop {
                at -= 1;
                digits[at] = b'0' + (v % 10) as u8;
                v /= 10;
                if v == 0 {
                    break;
                }
            }
            enc.encode_field(&mut out, b"content-length", &digits[at..], Indexing::Auto);
        }
        let (len, size) = (enc.table_len(), enc.table_size());
        publish(t, st, len, size);
        // SAFETY: the caller's buffer.
        unsafe { append_frames(buf, &out, FRAME_TYPE_HEADERS, stream_id, max_frame_size) };
        st.block = out;
    })
}

/// Writes `s` (`len` bytes) to `dst` as an HPACK string literal (RFC 7541 5.2), Huffman-coded
/// when that is shorter, and returns the number of bytes written (at most `len` + 5).
///
/// # Safety
/// `s` readable for `len` bytes; `dst` writable for the result's length (`len` + 5 is enough).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn h2o_hpack_encode_string(dst: *mut u8, s: *const c_char, len: usize) -> usize {
    boundary("h2o_hpack_encode_string", 0, || {
        // SAFETY: the caller's contract.
        let input = if len == 0 || s.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(s.cast::<u8>(), len) } };
        let mut out = Vec::with_capacity(len + 6);
        crate::hpack::encode_string(&mut out, input);
        // SAFETY: `dst` has room for the encoding (the caller's contract); distinct from `out`.
        unsafe { ptr::copy_nonoverlapping(out.as_ptr(), dst, out.len()) };
        out.len()
    })
}
