/* h2o/filecache.h: the open-file cache of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written. Only the opaque type is declared for now (h2o_context_t and h2o_globalconf_t point
 * to it); 2.2.5's h2o_filecache_* functions are NOT YET PROVIDED by libh2o-rs. */
#ifndef h2o__filecache_h
#define h2o__filecache_h

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_h2o_filecache_t h2o_filecache_t; /* opaque, owned by the library */

#ifdef __cplusplus
}
#endif

#endif
