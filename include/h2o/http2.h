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
 * the same h2o_req_t API on both (req->version 0x200 on HTTP/2). The frame encode/decode and
 * HPACK exports of 2.2.5 are not provided yet. */
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

#ifdef __cplusplus
}
#endif

#endif
