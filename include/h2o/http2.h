/* h2o/http2.h: the HTTP/2 server protocol of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names, SETTINGS identifiers and the x86_64 layouts (h2o_http2_settings_t 20 bytes,
 * h2o_http2_priority_t 12) are 2.2.5's. Unlike 2.2.5's, this header includes h2o.h, so it can be
 * included on its own. The functions and data objects below are declared but NOT YET PROVIDED by
 * libh2o-rs (HTTP/2 comes in its own issue; a program using them fails to link for now). */
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

/* --- not yet provided by libh2o-rs (h2o_http2_npn_protocols / _alpn_protocols: see h2o.h) ------ */
extern const h2o_protocol_callbacks_t H2O_HTTP2_CALLBACKS;
extern const h2o_http2_settings_t H2O_HTTP2_SETTINGS_DEFAULT;
extern const h2o_http2_settings_t H2O_HTTP2_SETTINGS_HOST;
extern const h2o_http2_priority_t h2o_http2_default_priority;
void h2o_http2_accept(h2o_accept_ctx_t *ctx, h2o_socket_t *sock, struct timeval connected_at);
int h2o_http2_handle_upgrade(h2o_req_t *req, struct timeval connected_at);
/* ----------------------------------------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif
