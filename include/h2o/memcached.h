/* h2o/memcached.h: the memcached client of libh2o 2.2.5 (Tier 3: out of scope for libh2o-rs).
 *
 * Hand-written. Only the opaque type is declared, so that h2o.h's declarations that mention it
 * compile; the h2o_memcached_* functions are NOT PROVIDED by libh2o-rs. */
#ifndef h2o__memcached_h
#define h2o__memcached_h

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_h2o_memcached_context_t h2o_memcached_context_t; /* opaque */

#ifdef __cplusplus
}
#endif

#endif
