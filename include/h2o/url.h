/* h2o/url.h: URLs of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and the x86_64 layouts (h2o_url_scheme_t 24 bytes, h2o_url_t 64) are 2.2.5's.
 * Types, the two scheme objects and the small inline helpers for now: the functions and data
 * objects in the marked block are declared but NOT YET PROVIDED by libh2o-rs (a program using
 * them fails to link). */
#ifndef h2o__url_h
#define h2o__url_h

#include <stdint.h>
#include <string.h>
#include <sys/un.h>
#include "h2o/memory.h"
#include "h2o/string_.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A scheme: its name and its default port. */
typedef struct st_h2o_url_scheme_t {
    h2o_iovec_t name;      /* 0 */
    uint16_t default_port; /* 16 */
} h2o_url_scheme_t;

/** A parsed URL; the iovecs point into the string that was parsed (or a pool). */
typedef struct st_h2o_url_t {
    const h2o_url_scheme_t *scheme; /* 0 */
    h2o_iovec_t authority;          /* 8: host and port as written */
    h2o_iovec_t host;               /* 24 */
    h2o_iovec_t path;               /* 40 */
    uint16_t _port;                 /* 56: 65535 when absent (see h2o_url_get_port) */
} h2o_url_t;

/** The two schemes (exported data objects: {"http", 80} and {"https", 443}); compare by address. */
extern const h2o_url_scheme_t H2O_URL_SCHEME_HTTP, H2O_URL_SCHEME_HTTPS;

/**
 * Removes "." and ".." segments and decodes %xx in a request path, up to the first '?' (whose offset
 * goes to *query_at, SIZE_MAX if none). Returns `path` itself when it needs no change
 * (*norm_indexes = NULL), else a new string from `pool` (*norm_indexes: for each byte of it, the
 * offset in `path` just after its source bytes, also from `pool`). An empty path gives "/".
 */
h2o_iovec_t h2o_url_normalize_path(h2o_mem_pool_t *pool, const char *path, size_t len, size_t *query_at, size_t **norm_indexes);

/* --- not yet provided by libh2o-rs ------------------------------------------------------------ */
extern const char *h2o_url_host_to_sun_err_is_not_unix_socket;
int h2o_url_parse(const char *url, size_t url_len, h2o_url_t *result);
int h2o_url_parse_relative(const char *url, size_t url_len, h2o_url_t *result);
const char *h2o_url_parse_hostport(const char *s, size_t len, h2o_iovec_t *host, uint16_t *port);
h2o_iovec_t h2o_url_resolve(h2o_mem_pool_t *pool, const h2o_url_t *base, const h2o_url_t *relative, h2o_url_t *dest);
void h2o_url_resolve_path(h2o_iovec_t *base, h2o_iovec_t *relative);
void h2o_url_copy(h2o_mem_pool_t *pool, h2o_url_t *dest, const h2o_url_t *src);
const char *h2o_url_host_to_sun(h2o_iovec_t host, struct sockaddr_un *sa);
/* ----------------------------------------------------------------------------------------------- */

/** The port of the URL, or its scheme's default when the URL has none. */
static inline uint16_t h2o_url_get_port(const h2o_url_t *url)
{
    return url->_port != 65535 ? url->_port : url->scheme->default_port;
}

/** Non-zero when `host` names a Unix socket ("unix:/path"). */
static inline int h2o_url_host_is_unix_path(h2o_iovec_t host)
{
    return host.len >= 5 && memcmp(host.base, "unix:", 5) == 0;
}

#ifdef __cplusplus
}
#endif

#endif
