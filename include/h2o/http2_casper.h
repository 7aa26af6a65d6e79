/* h2o/http2_casper.h: CASPer (cache-aware server push) of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and semantics are 2.2.5's. A set of keys, one per pushed path (the first four
 * bytes of the path's SHA-1 as a native-endian unsigned, masked to `capacity_bits` bits), carried
 * by the client in the cookie `h2o_casper` as a Golomb-coded set (`remainder_bits` bits of
 * remainder, base64url). The cookies are byte for byte 2.2.5's for the same calls
 * (tests/abi/diff/casper_diff.c compares them against Debian's library).
 *
 * Ownership: h2o_http2_casper_create allocates, h2o_http2_casper_destroy frees the object and the
 * cookie string h2o_http2_casper_get_cookie returned. */
#ifndef h2o__http2__casper_h
#define h2o__http2__casper_h

#include <stddef.h>
#include <stdlib.h>
#include "h2o/memory.h"

typedef struct st_h2o_http2_casper_t h2o_http2_casper_t;

/** Creates an empty set (`capacity_bits` below 32; connections use `remainder_bits` 6). */
h2o_http2_casper_t *h2o_http2_casper_create(unsigned capacity_bits, unsigned remainder_bits);
/** Frees the object and its cookie string. */
void h2o_http2_casper_destroy(h2o_http2_casper_t *casper);
/** The number of keys in the set. */
size_t h2o_http2_casper_num_entries(h2o_http2_casper_t *casper);
/** 1 if the key of `path` is in the set; otherwise 0, and when `set` is non-zero the key is added
 * (which invalidates the cookie string returned before). */
int h2o_http2_casper_lookup(h2o_http2_casper_t *casper, const char *path, size_t path_len, int set);
/** Merges the keys of one cookie `h2o_casper=VALUE` (a `Cookie` header's element); anything else is
 * ignored, and so is a set of more than max(128, 2^capacity_bits) keys. As in 2.2.5 the cookie
 * string built before stays the one h2o_http2_casper_get_cookie returns until a key is added. */
void h2o_http2_casper_consume_cookie(h2o_http2_casper_t *casper, const char *cookie, size_t cookie_len);
/** The value of the `Set-Cookie` header for the set (`h2o_casper=...; Path=/; Expires=...; Secure`),
 * {NULL, 0} when it is empty. The object's string: valid until a key is added or the object is
 * destroyed. */
h2o_iovec_t h2o_http2_casper_get_cookie(h2o_http2_casper_t *casper);

#endif
