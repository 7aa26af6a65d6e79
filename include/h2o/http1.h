/* h2o/http1.h: the HTTP/1 server protocol of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and signatures are 2.2.5's. Unlike 2.2.5's, this header includes h2o.h, so
 * it can be included on its own. */
#ifndef h2o__http1_h
#define h2o__http1_h

#include "h2o.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Called once an upgraded connection is handed over (`reqsize`: bytes of the request head). */
typedef void (*h2o_http1_upgrade_cb)(void *user_data, h2o_socket_t *sock, size_t reqsize);

/** What h2o_config_init stores in globalconf.http1.callbacks: request_shutdown closes idle HTTP/1
 * connections at once and the others after their current response; foreach_request calls `cb` on
 * each request in progress until it returns non-zero (and returns that). */
extern const h2o_protocol_callbacks_t H2O_HTTP1_CALLBACKS;
/** h2o_accept for plain HTTP/1 with the time the connection was accepted (conn->connected_at). */
void h2o_http1_accept(h2o_accept_ctx_t *ctx, h2o_socket_t *sock, struct timeval connected_at);
/** Switches the connection of `req` to another protocol (a WebSocket-style upgrade): writes the
 * response head of `req` (req->res.status, usually 101, its reason and headers, with
 * "Connection: upgrade") followed by `inbufs`, then ends the HTTP/1 connection (the request is
 * logged and freed) and calls `on_complete(user_data, sock, reqsize)`: `sock` is now the caller's
 * (it must close it), and its input still begins with the `reqsize` bytes of the request, which the
 * caller consumes (h2o_buffer_consume). When the write fails, the socket is closed and `sock` is
 * NULL. `inbufs` must stay valid until `on_complete`. Only for a request of an HTTP/1 connection
 * whose response has not started (others: refused, `sock` NULL). */
void h2o_http1_upgrade(h2o_req_t *req, h2o_iovec_t *inbufs, size_t inbufcnt, h2o_http1_upgrade_cb on_complete, void *user_data);

#ifdef __cplusplus
}
#endif

#endif
