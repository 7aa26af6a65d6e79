/* h2o/hpack.h: the HPACK codec exports of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * 2.2.5 declares these in h2o/http2_internal.h, which cannot be compiled from Debian's package (it
 * includes khash.h, not shipped); here they have their own header, which includes h2o.h. Names,
 * values, signatures and the x86_64 layout of h2o_hpack_header_table_t (56 bytes) are 2.2.5's.
 *
 * The header table: embed one per direction, zeroed, set hpack_capacity (the table's size; 4096 at
 * the start of a connection) and, for the decoder, hpack_max_capacity (the most a dynamic table
 * size update may set: our SETTINGS_HEADER_TABLE_SIZE), as 2.2.5's connections do; free it with
 * h2o_hpack_dispose_header_table. After every call, num_entries, hpack_size and hpack_capacity hold
 * what 2.2.5 would hold for the same input. Differences from 2.2.5:
 *   - `entries` is opaque (the codec's state), entry_capacity and entry_start_index stay 0: 2.2.5's
 *     inline h2o_hpack_header_table_get (and struct st_h2o_hpack_header_table_entry_t) cannot be
 *     used on a table of this library, so neither is declared here;
 *   - changing hpack_capacity between calls is followed (an encoder announces the new size with a
 *     dynamic table size update at the start of its next block; 2.2.5 sends none).
 * Return values and err_desc of h2o_hpack_parse_headers are 2.2.5's (tests/abi/diff/hpack_diff.c)
 * except where RFC 7541 / RFC 9110 ask otherwise:
 *   - a dynamic table size update after the first field of a block is H2O_HTTP2_ERROR_COMPRESSION
 *     (RFC 7541 4.2; 2.2.5 accepts it), a block holding only size updates is valid (2.2.5:
 *     COMPRESSION);
 *   - an empty field name is H2O_HTTP2_ERROR_PROTOCOL (2.2.5 accepts a raw one and refuses a
 *     Huffman-coded one with COMPRESSION);
 *   - an upper-case letter in a Huffman-coded name is H2O_HTTP2_ERROR_PROTOCOL, as in a raw one
 *     (RFC 9113 8.2.1; 2.2.5 takes it as a soft error: "found an invalid character in header name");
 *   - the whole block is always decoded (the dynamic table stays in sync), so a block that is
 *     invalid HPACK is COMPRESSION even after a field that is PROTOCOL (2.2.5 stops at that field);
 *   - COMPRESSION comes with a description in *err_desc (2.2.5 sets NULL);
 *   - a literal naming a dynamic entry whose value had an invalid character is judged by its own
 *     value (2.2.5 reports the entry's earlier soft error again).
 * The flatten functions encode the same fields as 2.2.5 (same frames: type, flags, stream ids,
 * CONTINUATION split at max_frame_size) but with this library's encoder choices, so the bytes
 * differ: fields likely to repeat are indexed (:path, content-length, etag, set-cookie... are
 * not), Huffman where shorter, and the whole table is searched (2.2.5 caps it at 32 entries). */
#ifndef h2o__hpack_h
#define h2o__hpack_h

#include <stddef.h>
#include <stdint.h>
#include "h2o.h"

#ifdef __cplusplus
extern "C" {
#endif

#define H2O_HTTP2_ENCODE_INT_MAX_LENGTH 5

/** An HPACK header table (56 bytes). */
typedef struct st_h2o_hpack_header_table_t {
    /* opaque in libh2o-rs (2.2.5: a ring of entries) */
    struct st_h2o_hpack_header_table_entry_t *entries;
    size_t num_entries, entry_capacity, entry_start_index; /* 8, 16, 24 */
    /* sizes by RFC 7541's accounting: 32 + name length + value length per entry */
    size_t hpack_size;         /* 32 */
    size_t hpack_capacity;     /* 40: the current maximum (SETTINGS_HEADER_TABLE_SIZE and size updates) */
    size_t hpack_max_capacity; /* 48: the most a size update may set (a decoder's SETTINGS_HEADER_TABLE_SIZE) */
} h2o_hpack_header_table_t;

/* bits of h2o_hpack_parse_headers' *pseudo_header_exists_map */
#define H2O_HPACK_PARSE_HEADERS_METHOD_EXISTS 1
#define H2O_HPACK_PARSE_HEADERS_SCHEME_EXISTS 2
#define H2O_HPACK_PARSE_HEADERS_PATH_EXISTS 4
#define H2O_HPACK_PARSE_HEADERS_AUTHORITY_EXISTS 8

typedef struct st_h2o_cache_digests_t h2o_cache_digests_t;

/** Frees what the library hung off `header_table` (the struct itself is the caller's). */
void h2o_hpack_dispose_header_table(h2o_hpack_header_table_t *header_table);
/**
 * Decodes the header block `src` (HEADERS + CONTINUATION fragments joined) into `req`:
 * :method / :authority / :path / :scheme into req->input (strings copied into req->pool; scheme
 * &H2O_URL_SCHEME_HTTPS for "https", &H2O_URL_SCHEME_HTTP otherwise), their bits OR-ed into
 * *pseudo_header_exists_map (NULL: pseudo-headers refused, for trailers), the other fields appended
 * to req->headers, content-length into *content_length (SIZE_MAX when absent), host dropped.
 * Initialize *err_desc to NULL. Returns 0; H2O_HTTP2_ERROR_INVALID_HEADER_CHAR (soft: all was
 * decoded; *err_desc says which); H2O_HTTP2_ERROR_PROTOCOL (malformed: pseudo-header after a field,
 * duplicate, unknown or in trailers, connection-specific field, bad content-length, upper-case
 * name); H2O_HTTP2_ERROR_COMPRESSION (invalid HPACK: a connection error). `digests` is not used
 * (no cache digests in this library; the cache-digest field stays in req->headers).
 */
int h2o_hpack_parse_headers(h2o_req_t *req, h2o_hpack_header_table_t *header_table, const uint8_t *src, size_t len,
                            int *pseudo_header_exists_map, size_t *content_length, h2o_cache_digests_t **digests,
                            const char **err_desc);
/** Writes `s` as an HPACK string literal (Huffman when shorter) to `dst` (room: len + 5); returns its length. */
size_t h2o_hpack_encode_string(uint8_t *dst, const char *s, size_t len);
/** Appends a PUSH_PROMISE frame on parent_stream_id promising stream_id with req's pseudo-headers and
 * headers (+ CONTINUATION frames beyond max_frame_size). */
void h2o_hpack_flatten_request(h2o_buffer_t **buf, h2o_hpack_header_table_t *header_table, uint32_t stream_id,
                               size_t max_frame_size, h2o_req_t *req, uint32_t parent_stream_id);
/** Appends a HEADERS frame (END_HEADERS, + CONTINUATION frames beyond max_frame_size) on stream_id with
 * :status, server (when server_name is not empty), date (from ts), res->headers and, unless SIZE_MAX,
 * content-length. */
void h2o_hpack_flatten_response(h2o_buffer_t **buf, h2o_hpack_header_table_t *header_table, uint32_t stream_id,
                                size_t max_frame_size, h2o_res_t *res, h2o_timestamp_t *ts, const h2o_iovec_t *server_name,
                                size_t content_length);

#ifdef __cplusplus
}
#endif

#endif
