/* h2o/token.h: header-name tokens of libh2o-rs, a drop-in for libh2o-evloop 2.2.5.
 *
 * Hand-written: the API, the layout of h2o_token_t, and the index of every H2O_TOKEN_* are libh2o
 * 2.2.5's (programs built against Debian's libh2o-evloop-dev run on this library unchanged); the
 * implementation is libh2o-rs's (src/token.rs holds the list the table is built from).
 *
 * A token is a well-known lower-case header name, interned: h2o__tokens is a read-only array owned
 * by the library (executables built against 2.2.5 hold a copy-relocated copy of it, which then is
 * the one everybody uses), so two tokens are equal exactly when their pointers are. A token starts
 * with an h2o_iovec_t, so `&token->buf` can be used wherever a header name is expected.
 *
 * In 2.2.5 h2o_token_t is defined in h2o.h, which includes this header; here this header defines it
 * (and h2o.h will include it), so that it is usable on its own.
 */
#ifndef h2o__token_h
#define h2o__token_h

#include <stddef.h>
#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of slots of h2o__tokens (its size is part of the ABI: 100 in 2.2.5). */
#ifndef H2O_MAX_TOKENS
#define H2O_MAX_TOKENS 100
#endif

/* One token: its name, the index of the first HPACK static-table entry with this name (0: none),
 * and flags describing how the server treats the header. */
typedef struct st_h2o_token_t {
    h2o_iovec_t buf;
    char http2_static_table_name_index;
    unsigned char proxy_should_drop_for_req : 1; /* hop-by-hop: not forwarded upstream */
    unsigned char proxy_should_drop_for_res : 1; /* not forwarded downstream */
    unsigned char is_init_header_special : 1;    /* handled by the HTTP/1 request parser itself */
    unsigned char http2_should_reject : 1;       /* connection-specific: invalid in HTTP/2 */
    unsigned char copy_for_push_request : 1;     /* copied into pushed requests */
    unsigned char dont_compress : 1;             /* never added to the HPACK dynamic table */
} h2o_token_t;

/* The tokens (read-only): h2o__num_tokens used slots, the rest zeroed. */
extern h2o_token_t h2o__tokens[H2O_MAX_TOKENS];
extern size_t h2o__num_tokens;

/* The token named exactly name[0..len] (lower case; no case folding), or NULL. */
const h2o_token_t *h2o_lookup_token(const char *name, size_t len);
/* Whether `buf` is the name of a token (i.e. `&token->buf` for an element of h2o__tokens). */
int h2o_iovec_is_token(const h2o_iovec_t *buf);

/* Every token by name: ':' dropped, '-' as '_', upper case. The indices are 2.2.5's. */
#define H2O_TOKEN_AUTHORITY (h2o__tokens + 0)
#define H2O_TOKEN_METHOD (h2o__tokens + 1)
#define H2O_TOKEN_PATH (h2o__tokens + 2)
#define H2O_TOKEN_SCHEME (h2o__tokens + 3)
#define H2O_TOKEN_STATUS (h2o__tokens + 4)
#define H2O_TOKEN_ACCEPT (h2o__tokens + 5)
#define H2O_TOKEN_ACCEPT_CHARSET (h2o__tokens + 6)
#define H2O_TOKEN_ACCEPT_ENCODING (h2o__tokens + 7)
#define H2O_TOKEN_ACCEPT_LANGUAGE (h2o__tokens + 8)
#define H2O_TOKEN_ACCEPT_RANGES (h2o__tokens + 9)
#define H2O_TOKEN_ACCESS_CONTROL_ALLOW_ORIGIN (h2o__tokens + 10)
#define H2O_TOKEN_AGE (h2o__tokens + 11)
#define H2O_TOKEN_ALLOW (h2o__tokens + 12)
#define H2O_TOKEN_AUTHORIZATION (h2o__tokens + 13)
#define H2O_TOKEN_CACHE_CONTROL (h2o__tokens + 14)
#define H2O_TOKEN_CACHE_DIGEST (h2o__tokens + 15)
#define H2O_TOKEN_CONNECTION (h2o__tokens + 16)
#define H2O_TOKEN_CONTENT_DISPOSITION (h2o__tokens + 17)
#define H2O_TOKEN_CONTENT_ENCODING (h2o__tokens + 18)
#define H2O_TOKEN_CONTENT_LANGUAGE (h2o__tokens + 19)
#define H2O_TOKEN_CONTENT_LENGTH (h2o__tokens + 20)
#define H2O_TOKEN_CONTENT_LOCATION (h2o__tokens + 21)
#define H2O_TOKEN_CONTENT_RANGE (h2o__tokens + 22)
#define H2O_TOKEN_CONTENT_TYPE (h2o__tokens + 23)
#define H2O_TOKEN_COOKIE (h2o__tokens + 24)
#define H2O_TOKEN_DATE (h2o__tokens + 25)
#define H2O_TOKEN_ETAG (h2o__tokens + 26)
#define H2O_TOKEN_EXPECT (h2o__tokens + 27)
#define H2O_TOKEN_EXPIRES (h2o__tokens + 28)
#define H2O_TOKEN_FROM (h2o__tokens + 29)
#define H2O_TOKEN_HOST (h2o__tokens + 30)
#define H2O_TOKEN_HTTP2_SETTINGS (h2o__tokens + 31)
#define H2O_TOKEN_IF_MATCH (h2o__tokens + 32)
#define H2O_TOKEN_IF_MODIFIED_SINCE (h2o__tokens + 33)
#define H2O_TOKEN_IF_NONE_MATCH (h2o__tokens + 34)
#define H2O_TOKEN_IF_RANGE (h2o__tokens + 35)
#define H2O_TOKEN_IF_UNMODIFIED_SINCE (h2o__tokens + 36)
#define H2O_TOKEN_KEEP_ALIVE (h2o__tokens + 37)
#define H2O_TOKEN_LAST_MODIFIED (h2o__tokens + 38)
#define H2O_TOKEN_LINK (h2o__tokens + 39)
#define H2O_TOKEN_LOCATION (h2o__tokens + 40)
#define H2O_TOKEN_MAX_FORWARDS (h2o__tokens + 41)
#define H2O_TOKEN_PROXY_AUTHENTICATE (h2o__tokens + 42)
#define H2O_TOKEN_PROXY_AUTHORIZATION (h2o__tokens + 43)
#define H2O_TOKEN_RANGE (h2o__tokens + 44)
#define H2O_TOKEN_REFERER (h2o__tokens + 45)
#define H2O_TOKEN_REFRESH (h2o__tokens + 46)
#define H2O_TOKEN_RETRY_AFTER (h2o__tokens + 47)
#define H2O_TOKEN_SERVER (h2o__tokens + 48)
#define H2O_TOKEN_SET_COOKIE (h2o__tokens + 49)
#define H2O_TOKEN_STRICT_TRANSPORT_SECURITY (h2o__tokens + 50)
#define H2O_TOKEN_TE (h2o__tokens + 51)
#define H2O_TOKEN_TRANSFER_ENCODING (h2o__tokens + 52)
#define H2O_TOKEN_UPGRADE (h2o__tokens + 53)
#define H2O_TOKEN_USER_AGENT (h2o__tokens + 54)
#define H2O_TOKEN_VARY (h2o__tokens + 55)
#define H2O_TOKEN_VIA (h2o__tokens + 56)
#define H2O_TOKEN_WWW_AUTHENTICATE (h2o__tokens + 57)
#define H2O_TOKEN_X_COMPRESS_HINT (h2o__tokens + 58)
#define H2O_TOKEN_X_FORWARDED_FOR (h2o__tokens + 59)
#define H2O_TOKEN_X_REPROXY_URL (h2o__tokens + 60)
#define H2O_TOKEN_X_TRAFFIC (h2o__tokens + 61)

#ifdef __cplusplus
}
#endif

#endif
