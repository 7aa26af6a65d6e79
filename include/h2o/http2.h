/* h2o/http2.h: the HTTP/2 server protocol of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names, SETTINGS identifiers and the x86_64 layouts (h2o_http2_settings_t 20 bytes,
 * h2o_http2_priority_t 12) are 2.2.5's. Unlike 2.2.5's, this header includes h2o.h, so it can be
 * included on its own.
 *
 * The HTTP/2 server (over cleartext; TLS comes with its own issue): a plain listener's
 * connections go through h2o_accept() to HTTP/1 first, which hands them to HTTP/2 when they start
 * with the client preface (prior knowledge) or when a request asks for `Upgrade: h2c` with valid
 * `HTTP2-Settings` (both while globalconf.http1.upgrade_to_http2 is set, as 2.2.5). Handlers see
 * the same h2o_req_t API on both (req->version 0x200 on HTTP/2). 2.2.5's frame codec (declared
 * in its h2o/http2_internal.h) is in the frame codec section below; HPACK is h2o/hpack.h, the
 * priority scheduler h2o/http2_scheduler.h. */
#ifndef h2o__http2_h
#define h2o__http2_h

#include <stdint.h>
#include "h2o.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SETTINGS parameter identifiers (RFC 7540 section 6.5.2). */
#define H2O_HTTP2_SETTINGS_HEADER_TABLE_SIZE 1
#define H2O_HTTP2_SETTINGS_ENABLE_PUSH 2
#define H2O_HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS 3
#define H2O_HTTP2_SETTINGS_INITIAL_WINDOW_SIZE 4
#define H2O_HTTP2_SETTINGS_MAX_FRAME_SIZE 5
#define H2O_HTTP2_SETTINGS_MAX_HEADER_LIST_SIZE 6

/** One side's SETTINGS values (20 bytes). */
typedef struct st_h2o_http2_settings_t {
    uint32_t header_table_size;
    uint32_t enable_push;
    uint32_t max_concurrent_streams;
    uint32_t initial_window_size;
    uint32_t max_frame_size; /* 16 */
} h2o_http2_settings_t;

/** A stream's priority (12 bytes). */
typedef struct st_h2o_http2_priority_t {
    int exclusive;
    uint32_t dependency; /* 4 */
    uint16_t weight;     /* 8: 1..256 */
} h2o_http2_priority_t;

/* h2o_http2_npn_protocols / _alpn_protocols: see h2o.h. */

/** The HTTP/2 layer's request_shutdown (graceful: GOAWAY with 2^31-1 and a PING, then the final
 * GOAWAY after the PING's ACK or a second later; streams in flight finish, then the connections
 * close; http2.graceful_shutdown_timeout, when not 0, closes the stragglers) and foreach_request
 * (the request of every open stream). h2o_config_init() stores them in globalconf.http2.callbacks. */
extern const h2o_protocol_callbacks_t H2O_HTTP2_CALLBACKS;
/** RFC 7540's initial values: {4096, 1, UINT32_MAX, 65535, 16384}. */
extern const h2o_http2_settings_t H2O_HTTP2_SETTINGS_DEFAULT;
/** What the server announces: {4096, 0, 100, 16777216, 16384}. */
extern const h2o_http2_settings_t H2O_HTTP2_SETTINGS_HOST;
/** RFC 7540 5.3.5: {0, 0, 16}. */
extern const h2o_http2_priority_t h2o_http2_default_priority;
/** Serves `sock` (owned by the library from now on) as HTTP/2 with prior knowledge: the client
 * preface comes first (bytes already in sock->input are read first). connected_at becomes
 * conn->connected_at. Idle connections (no open stream) are closed after http2.idle_timeout
 * with a GOAWAY. */
void h2o_http2_accept(h2o_accept_ctx_t *ctx, h2o_socket_t *sock, struct timeval connected_at);
/** Switches the HTTP/1.1 connection of `req` (a request with Upgrade: h2c) to HTTP/2: 101
 * Switching Protocols, then the request (with its body) is answered as stream 1. Returns 0 once
 * under way; -1, having done nothing (serve the request over HTTP/1.1), when the Connection header
 * does not list HTTP2-Settings, that header is missing or invalid, or `req` is not an HTTP/1
 * request of this library whose response can still start. The HTTP/1 layer calls it itself. */
int h2o_http2_handle_upgrade(h2o_req_t *req, struct timeval connected_at);

/* ==== the frame codec (issue 8, frame exports) ===================================================
 * 2.2.5 declares these in h2o/http2_internal.h, which cannot be compiled from Debian's package (it
 * includes khash.h, not shipped); here they are part of h2o/http2.h. Names, values, semantics and
 * x86_64 layouts are 2.2.5's (h2o_http2_frame_t 24 bytes, h2o_http2_data_payload_t 16,
 * h2o_http2_headers_payload_t 32, h2o_http2_rst_stream_payload_t 4, h2o_http2_ping_payload_t 8,
 * h2o_http2_goaway_payload_t 24, h2o_http2_window_update_payload_t 4).
 *
 * Errors as in 2.2.5: a negative H2O_HTTP2_ERROR_* value (h2o.h) and, for most of them, a static
 * description in `*err_desc` (where 2.2.5 gives none, this library gives one; on success
 * `*err_desc` is left alone). Return values equal 2.2.5's for the same input
 * (tests/abi/diff/http2_frame_diff.c), except where RFC 9113 asks for another error code:
 *   - a PADDED DATA or HEADERS frame too short for its Pad Length, or a HEADERS frame with PRIORITY
 *     too short for Pad Length + the 5 priority bytes, is H2O_HTTP2_ERROR_FRAME_SIZE (RFC 9113 4.2:
 *     too small to contain mandatory frame data); 2.2.5 says H2O_HTTP2_ERROR_PROTOCOL;
 *   - h2o_http2_update_peer_settings refuses SETTINGS_ENABLE_CONNECT_PROTOCOL (8) and
 *     SETTINGS_NO_RFC7540_PRIORITIES (9) values other than 0 and 1 with H2O_HTTP2_ERROR_PROTOCOL
 *     (RFC 8441 3, RFC 9218 2.1); 2.2.5 ignores them;
 *   - the encoders write the reserved bit of stream identifiers, of GOAWAY's Last-Stream-ID and of
 *     WINDOW_UPDATE's increment as 0 (RFC 9113 4.1, 6.8, 6.9); 2.2.5 writes whatever it is given. */

#define H2O_HTTP2_FRAME_HEADER_SIZE 9

#define H2O_HTTP2_FRAME_TYPE_DATA 0
#define H2O_HTTP2_FRAME_TYPE_HEADERS 1
#define H2O_HTTP2_FRAME_TYPE_PRIORITY 2
#define H2O_HTTP2_FRAME_TYPE_RST_STREAM 3
#define H2O_HTTP2_FRAME_TYPE_SETTINGS 4
#define H2O_HTTP2_FRAME_TYPE_PUSH_PROMISE 5
#define H2O_HTTP2_FRAME_TYPE_PING 6
#define H2O_HTTP2_FRAME_TYPE_GOAWAY 7
#define H2O_HTTP2_FRAME_TYPE_WINDOW_UPDATE 8
#define H2O_HTTP2_FRAME_TYPE_CONTINUATION 9

#define H2O_HTTP2_FRAME_FLAG_END_STREAM 0x1
#define H2O_HTTP2_FRAME_FLAG_ACK 0x1
#define H2O_HTTP2_FRAME_FLAG_END_HEADERS 0x4
#define H2O_HTTP2_FRAME_FLAG_PADDED 0x8
#define H2O_HTTP2_FRAME_FLAG_PRIORITY 0x20

/** A frame split off the input by h2o_http2_decode_frame (24 bytes); `payload` points into it. */
typedef struct st_h2o_http2_frame_t {
    uint32_t length;        /* 0: of the payload */
    uint8_t type;           /* 4 */
    uint8_t flags;          /* 5 */
    uint32_t stream_id;     /* 8: reserved bit cleared */
    const uint8_t *payload; /* 16 */
} h2o_http2_frame_t;

/** DATA without its padding (16 bytes). */
typedef struct st_h2o_http2_data_payload_t {
    const uint8_t *data; /* 0 */
    size_t length;       /* 8 */
} h2o_http2_data_payload_t;

/** HEADERS: the priority (h2o_http2_default_priority's values when the frame has none) and the
 * header block fragment without padding (32 bytes). */
typedef struct st_h2o_http2_headers_payload_t {
    h2o_http2_priority_t priority; /* 0 */
    const uint8_t *headers;        /* 16 */
    size_t headers_len;            /* 24 */
} h2o_http2_headers_payload_t;

typedef struct st_h2o_http2_rst_stream_payload_t {
    uint32_t error_code;
} h2o_http2_rst_stream_payload_t;

typedef struct st_h2o_http2_ping_payload_t {
    uint8_t data[8];
} h2o_http2_ping_payload_t;

/** GOAWAY (24 bytes); `debug_data` points into the frame, {NULL, 0} when there is none. */
typedef struct st_h2o_http2_goaway_payload_t {
    uint32_t last_stream_id; /* 0 */
    uint32_t error_code;     /* 4 */
    h2o_iovec_t debug_data;  /* 8 */
} h2o_http2_goaway_payload_t;

typedef struct st_h2o_http2_window_update_payload_t {
    uint32_t window_size_increment;
} h2o_http2_window_update_payload_t;

/** Applies the SETTINGS parameters `src[0..len)` to `settings` in order (unknown ones and
 * MAX_HEADER_LIST_SIZE are ignored): 0, or the error of the first bad value (the ones before it stay
 * applied), or H2O_HTTP2_ERROR_FRAME_SIZE when `len` is not a multiple of 6 (after applying the
 * whole entries). */
int h2o_http2_update_peer_settings(h2o_http2_settings_t *settings, const uint8_t *src, size_t len, const char **err_desc);
/** Writes a 9-byte frame header at `dst`, returns `dst + 9`; a `length` beyond 24 bits is fatal. */
uint8_t *h2o_http2_encode_frame_header(uint8_t *dst, size_t length, uint8_t type, uint8_t flags, int32_t stream_id);

#ifndef H2O_BUILD_ASSERT
#define H2O_BUILD_ASSERT(condition) ((void)sizeof(char[2 * !!(!__builtin_constant_p(condition) || (condition)) - 1]))
#endif
/** Appends RST_STREAM with the (positive) RFC error code `errnum` to `*buf`. */
#define h2o_http2_encode_rst_stream_frame(buf, stream_id, errnum)                                                                  \
    h2o_http2__encode_rst_stream_frame(buf, stream_id, (H2O_BUILD_ASSERT((errnum) > 0), errnum))

void h2o_http2__encode_rst_stream_frame(h2o_buffer_t **buf, uint32_t stream_id, int errnum);
/** Appends PING with the 8 bytes at `data` (ACK if `is_ack`). */
void h2o_http2_encode_ping_frame(h2o_buffer_t **buf, int is_ack, const uint8_t *data);
/** Appends GOAWAY; `errnum` is an H2O_HTTP2_ERROR_* value (its negation goes on the wire). */
void h2o_http2_encode_goaway_frame(h2o_buffer_t **buf, uint32_t last_stream_id, int errnum, h2o_iovec_t additional_data);
void h2o_http2_encode_window_update_frame(h2o_buffer_t **buf, uint32_t stream_id, int32_t window_size_increment);
/** Splits one frame off `src[0..len)`: its size (header included), H2O_HTTP2_ERROR_INCOMPLETE when
 * more bytes are needed (`*frame` untouched below 9 bytes), H2O_HTTP2_ERROR_FRAME_SIZE when the
 * length exceeds `host_settings->max_frame_size`. Only the header is checked: the payload rules are
 * the h2o_http2_decode_*_payload functions'. */
ssize_t h2o_http2_decode_frame(h2o_http2_frame_t *frame, const uint8_t *src, size_t len, const h2o_http2_settings_t *host_settings,
                               const char **err_desc);
/* Each checks `frame` as the frame type its name says (whatever frame->type is) and fills
 * `*payload` (0), or returns an error. The priority decoders do not refuse a stream depending on
 * itself (2.2.5's callers check that). */
int h2o_http2_decode_data_payload(h2o_http2_data_payload_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);
int h2o_http2_decode_headers_payload(h2o_http2_headers_payload_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);
int h2o_http2_decode_priority_payload(h2o_http2_priority_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);
int h2o_http2_decode_rst_stream_payload(h2o_http2_rst_stream_payload_t *payload, const h2o_http2_frame_t *frame,
                                        const char **err_desc);
int h2o_http2_decode_ping_payload(h2o_http2_ping_payload_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);
int h2o_http2_decode_goaway_payload(h2o_http2_goaway_payload_t *payload, const h2o_http2_frame_t *frame, const char **err_desc);
/** `*err_is_stream_level` (set on errors only): whether the error concerns the stream alone (an
 * increment of 0 on a stream) rather than the connection. */
int h2o_http2_decode_window_update_payload(h2o_http2_window_update_payload_t *payload, const h2o_http2_frame_t *frame,
                                           const char **err_desc, int *err_is_stream_level);
/* ==== end of the frame codec ===================================================================== */


#ifdef __cplusplus
}
#endif

#endif
