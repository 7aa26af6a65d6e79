/* h2o/url.h: URLs of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and the x86_64 layouts (h2o_url_scheme_t 24 bytes, h2o_url_t 64) are 2.2.5's.
 * Everything of 2.2.5's url.h is provided: the types, the scheme objects, the functions, the error
 * object and the inline helpers. */
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

/** Parses an absolute http:// or https:// URL (`url_len` SIZE_MAX: strlen); 0 on success, -1 on error. */
int h2o_url_parse(const char *url, size_t url_len, h2o_url_t *result);
/** Parses a URL reference: absolute, "//authority...", or a path (scheme/authority/host NULL then). */
int h2o_url_parse_relative(const char *url, size_t url_len, h2o_url_t *result);
/** Parses host[:port] (or [v6][:port]); returns the end of it or NULL; *port is 65535 when absent. */
const char *h2o_url_parse_hostport(const char *s, size_t len, h2o_iovec_t *host, uint16_t *port);
/** Resolves `relative` (NULL: stringify `base`) into `dest`; returns the URL, a string from `pool`. */
h2o_iovec_t h2o_url_resolve(h2o_mem_pool_t *pool, const h2o_url_t *base, const h2o_url_t *relative, h2o_url_t *dest);
/** Resolves a relative path in place: the result is `*base` (shortened) followed by `*relative`. */
void h2o_url_resolve_path(h2o_iovec_t *base, h2o_iovec_t *relative);
/** Copies a URL, NUL-terminating copies of authority, host and path from `pool`. */
void h2o_url_copy(h2o_mem_pool_t *pool, h2o_url_t *dest, const h2o_url_t *src);
/** Fills `sa` from a "unix:/path" host; NULL on success, else an error string. */
const char *h2o_url_host_to_sun(h2o_iovec_t host, struct sockaddr_un *sa);
/** The error h2o_url_host_to_sun returns for a host that is not "unix:..." (compare by pointer). */
extern const char *h2o_url_host_to_sun_err_is_not_unix_socket;

/** Initializes `url` from a scheme, an authority (parsed for host and port) and a path; 0 or -1. */
static inline int h2o_url_init(h2o_url_t *url, const h2o_url_scheme_t *scheme, h2o_iovec_t authority, h2o_iovec_t path)
{
    if (h2o_url_parse_hostport(authority.base, authority.len, &url->host, &url->_port) != authority.base + authority.len)
        return -1;
    url->scheme = scheme;
    url->authority = authority;
    url->path = path;
    return 0;
}

/** The URL as a string from `pool`. */
static inline h2o_iovec_t h2o_url_stringify(h2o_mem_pool_t *pool, const h2o_url_t *url)
{
    h2o_url_t tmp;
    return h2o_url_resolve(pool, url, NULL, &tmp);
}

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

/** Whether two URLs name the same host: byte for byte for Unix sockets, else ignoring case. */
static inline int h2o_url_hosts_are_equal(const h2o_url_t *url_a, const h2o_url_t *url_b)
{
    if (url_a->host.len != url_b->host.len)
        return 0;
    if (h2o_url_host_is_unix_path(url_a->host))
        return h2o_memis(url_a->host.base, url_a->host.len, url_b->host.base, url_b->host.len);
    return h2o_lcstris(url_a->host.base, url_a->host.len, url_b->host.base, url_b->host.len);
}

#ifdef __cplusplus
}
#endif

#endif
