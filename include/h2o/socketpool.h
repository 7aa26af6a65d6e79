/* h2o/socketpool.h: pools of client connections of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written. Only the opaque type is declared for now (h2o_req_overrides_t points to it); the
 * h2o_socketpool_* functions (used by the proxy, Tier 3) are NOT YET PROVIDED by libh2o-rs. */
#ifndef h2o__socketpool_h
#define h2o__socketpool_h

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_h2o_socketpool_t h2o_socketpool_t; /* opaque here */

#ifdef __cplusplus
}
#endif

#endif
