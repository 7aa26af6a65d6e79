/* h2o/http1client.h: the HTTP/1 client of libh2o 2.2.5, as far as libh2o-rs has it.
 *
 * Hand-written; names and the x86_64 layout of h2o_http1client_ctx_t (40 bytes, embedded in
 * h2o_context_t) are 2.2.5's. Only the context type is defined for now; the client itself (used by
 * the proxy, Tier 3) is NOT YET PROVIDED by libh2o-rs. */
#ifndef h2o__http1client_h
#define h2o__http1client_h

#include <openssl/ssl.h>
#include "h2o/multithread.h"
#include "h2o/socket.h"
#include "h2o/timeout.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a client connection needs from its surroundings (40 bytes); owned by the caller. */
typedef struct st_h2o_http1client_ctx_t {
    h2o_loop_t *loop;                             /* 0 */
    h2o_multithread_receiver_t *getaddr_receiver; /* 8 */
    h2o_timeout_t *io_timeout;                    /* 16 */
    h2o_timeout_t *websocket_timeout;             /* 24: NULL if websocket upgrades are not allowed */
    SSL_CTX *ssl_ctx;                             /* 32 */
} h2o_http1client_ctx_t;

#ifdef __cplusplus
}
#endif

#endif
