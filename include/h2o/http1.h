/* h2o/http1.h: the HTTP/1 server protocol of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and signatures are 2.2.5's. Unlike 2.2.5's, this header includes h2o.h, so
 * it can be included on its own. Everything below is declared but NOT YET PROVIDED by libh2o-rs
 * (the HTTP/1.1 server is in progress; a program using these fails to link for now). */
#ifndef h2o__http1_h
#define h2o__http1_h

#include "h2o.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Called once an upgraded connection is handed over (`reqsize`: bytes of the request head). */
typedef void (*h2o_http1_upgrade_cb)(void *user_data, h2o_socket_t *sock, size_t reqsize);

/* --- not yet provided by libh2o-rs ------------------------------------------------------------ */
extern const h2o_protocol_callbacks_t H2O_HTTP1_CALLBACKS;
void h2o_http1_accept(h2o_accept_ctx_t *ctx, h2o_socket_t *sock, struct timeval connected_at);
void h2o_http1_upgrade(h2o_req_t *req, h2o_iovec_t *inbufs, size_t inbufcnt, h2o_http1_upgrade_cb on_complete, void *user_data);
/* ----------------------------------------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif
