/* h2o/cache_digests.h: the digests of the `cache-digest` request header, for libh2o-rs (a drop-in
 * for libh2o-evloop 2.2.5).
 *
 * Hand-written; names, values and the x86_64 layout (h2o_cache_digests_t 56 bytes) are 2.2.5's.
 * A client (a service worker such as cache-digest.js) sends Golomb-coded sets of the URLs it has
 * cached (draft-kazuho-h2-cache-digest): `cache-digest: <base64url>[; complete][; validators]
 * [; stale][; reset], ...`. A server that pushes asks these functions whether the client already
 * holds a resource. The engine is src/http2/cache_digests.rs. */
#ifndef h2o__cache_digests_h
#define h2o__cache_digests_h

#include <stddef.h>
#include <stdlib.h>
#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum en_h2o_cache_digests_state_t {
    H2O_CACHE_DIGESTS_STATE_UNKNOWN,    /* 0: no digest says */
    H2O_CACHE_DIGESTS_STATE_NOT_CACHED, /* 1: the digests are complete and do not hold it */
    H2O_CACHE_DIGESTS_STATE_FRESH,      /* 2: a fresh digest holds it */
    H2O_CACHE_DIGESTS_STATE_STALE       /* 3: a stale digest holds it (not returned: stale digests are skipped) */
} h2o_cache_digests_state_t;

/** One decoded digest; opaque. */
typedef struct st_h2o_cache_digests_frame_t h2o_cache_digests_frame_t;

typedef H2O_VECTOR(h2o_cache_digests_frame_t) h2o_cache_digests_frame_vector_t;

/** What a connection has received. Read `size` and `fresh.complete` only; made by
 * h2o_cache_digests_load_header, freed by h2o_cache_digests_destroy. */
typedef struct st_h2o_cache_digests_t {
    struct {
        h2o_cache_digests_frame_vector_t url_only;     /* 0: digests of URLs */
        h2o_cache_digests_frame_vector_t url_and_etag; /* 24: digests of URLs with their ETag (`validators`) */
        int complete;                                  /* 48: a digest said `complete` */
    } fresh;
} h2o_cache_digests_t;

/** Frees `digests` (NULL: nothing happens; 2.2.5 crashes on NULL). */
void h2o_cache_digests_destroy(h2o_cache_digests_t *digests);
/** Takes in one header value of `len` bytes. `*digests` may be NULL: the object is made when a
 * digest is stored (then owned by the caller: h2o_cache_digests_destroy). `reset` frees it and sets
 * `*digests` to NULL (until a later digest of the value is stored). A digest that is not base64url,
 * shorter than its 10-bit head, holds a key wider than its N + P bits, or carries `stale` or a flag
 * of another name is skipped. */
void h2o_cache_digests_load_header(h2o_cache_digests_t **digests, const char *value, size_t len);
/** FRESH when a digest of URLs holds `url` (the absolute URL, e.g. "https://example.com/a.css"),
 * else NOT_CACHED when the digests are complete, else UNKNOWN. */
h2o_cache_digests_state_t h2o_cache_digests_lookup_by_url(h2o_cache_digests_t *digests, const char *url, size_t url_len);
/** The same over the digests of URLs with their ETag (`etag` as sent, quotes included). */
h2o_cache_digests_state_t h2o_cache_digests_lookup_by_url_and_etag(h2o_cache_digests_t *digests, const char *url, size_t url_len,
                                                                   const char *etag, size_t etag_len);

#ifdef __cplusplus
}
#endif

#endif
