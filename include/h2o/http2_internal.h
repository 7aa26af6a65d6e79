/* h2o/http2_internal.h: what libh2o-rs (a drop-in for libh2o-evloop 2.2.5) offers of 2.2.5's header
 * of the same name.
 *
 * Hand-written; names and semantics are 2.2.5's. In 2.2.5 this header is the HTTP/2 server's
 * internals: the layouts of h2o_http2_conn_t and h2o_http2_stream_t, a khash map of streams, write
 * buffers and HPACK tables that its inline functions read and write. Debian's copy cannot even be
 * compiled outside H2O's source tree (it includes "khash.h", which is not installed). libh2o-rs's
 * HTTP/2 connection and streams are other structures (a connection begins with an h2o_conn_t, as
 * 2.2.5's does, and nothing else of its layout is shared), so the two types are opaque here and only
 * the functions that behave as 2.2.5's on them are declared. The other exported names of 2.2.5's
 * header (h2o_http2_conn_register_stream, h2o_http2_stream_open, h2o_http2_stream_close, ...) act on
 * the fields of 2.2.5's structures and are not provided.
 *
 * Ownership: what h2o_http2_get_debug_state returns is allocated from req->pool and freed with the
 * request; the caller frees nothing. */
#ifndef h2o__http2__internal_h
#define h2o__http2__internal_h

#include "h2o.h"

typedef struct st_h2o_http2_conn_t h2o_http2_conn_t;
typedef struct st_h2o_http2_stream_t h2o_http2_stream_t;

/** The state of the HTTP/2 connection `req` came on, as /.well-known/h2/state shows it
 * (h2o_http2_debug_state_register): `json`, one iovec holding H2O's JSON document (settings, peer
 * settings, windows, each open stream by id with its state; the HPACK tables when `hpack_enabled`),
 * and the connection's receive and send windows. NULL (with a report on stderr) when `req` is not a
 * request of one of the library's HTTP/2 connections; 2.2.5 does not check. */
h2o_http2_debug_state_t *h2o_http2_get_debug_state(h2o_req_t *req, int hpack_enabled);

#endif
