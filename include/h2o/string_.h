/*
 * h2o/string_.h: string helpers of the libh2o 2.2.5 API, provided by libh2o-rs.
 *
 * Memory: a function that returns a new string takes it from `pool` (released by h2o_mem_clear_pool),
 * or from malloc() when `pool` is NULL (release it with free()). h2o_strdup_shared returns a shared
 * allocation (h2o_mem_release_shared). Functions returning a view point into the caller's input.
 * New strings are NUL-terminated; the terminator is not counted in `len`.
 */
#ifndef h2o__string_h
#define h2o__string_h

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Expands to a string literal and its length without the NUL, for (const char *, size_t) pairs. */
#define H2O_STRLIT(s) (s), sizeof(s) - 1

/* The longest decimal forms of the integer types, as literals (for sizing buffers). */
#define H2O_INT16_LONGEST_STR "-32768"
#define H2O_UINT16_LONGEST_STR "65535"
#define H2O_INT32_LONGEST_STR "-2147483648"
#define H2O_UINT32_LONGEST_STR "4294967295"
#define H2O_INT64_LONGEST_STR "-9223372036854775808"
#define H2O_UINT64_LONGEST_STR "18446744073709551615"

/* Copies `len` bytes of `s` (strlen(s) when `len` is SIZE_MAX) to a new string from `pool` (malloc if NULL). */
h2o_iovec_t h2o_strdup(h2o_mem_pool_t *pool, const char *s, size_t len);
/* h2o_strdup in a shared allocation (h2o_mem_alloc_shared): linked to `pool`, or owned by the caller if NULL. */
h2o_iovec_t h2o_strdup_shared(h2o_mem_pool_t *pool, const char *s, size_t len);
/* h2o_strdup that appends '/' unless the string is empty or already ends with one. */
h2o_iovec_t h2o_strdup_slashed(h2o_mem_pool_t *pool, const char *s, size_t len);

/* ASCII case mapping of one character, and of `len` bytes in place. */
static int h2o_tolower(int ch);
static void h2o_strtolower(char *s, size_t len);
static int h2o_toupper(int ch);
static void h2o_strtoupper(char *s, size_t len);
/* Whether `target` lower-cased equals `test` (which is given in lower case). */
static int h2o_lcstris(const char *target, size_t target_len, const char *test, size_t test_len);
/* Bytes h2o_base64_encode writes for `len` input bytes, the NUL included. */
static size_t h2o_base64_encode_capacity(size_t len);

/* The decimal number that is all of s[0..len] (digits only), or SIZE_MAX. */
size_t h2o_strtosize(const char *s, size_t len);
/* The decimal number at the start of *s, or SIZE_MAX; on success *s is moved past its digits. */
size_t h2o_strtosizefwd(char **s, size_t len);
/* Decodes base64url (the standard alphabet too; no padding) to a new string from `pool` (malloc if
 * NULL); {NULL, 0} if `src` is not valid. */
h2o_iovec_t h2o_decode_base64url(h2o_mem_pool_t *pool, const char *src, size_t len);
/* Writes base64 of src[0..len] (base64url without padding if `url_encoded`) and a NUL to `dst`, which
 * holds h2o_base64_encode_capacity(len) bytes; returns the length written, NUL excluded. */
size_t h2o_base64_encode(char *dst, const void *src, size_t len, int url_encoded);
/* Decodes `src_len` hex digits to src_len / 2 bytes at `dst`; 0, or -1 on an odd length or a non-hex byte. */
int h2o_hex_decode(void *dst, const char *src, size_t src_len);
/* Writes src[0..src_len] as lower-case hex and a NUL (2 * src_len + 1 bytes) to `dst`. */
void h2o_hex_encode(char *dst, const void *src, size_t src_len);
/* Percent-escapes s[0..l] for a URI path segment (RFC 3986), keeping the characters of
 * `preserve_chars` (or NULL); a new string from `pool` (malloc if NULL). */
h2o_iovec_t h2o_uri_escape(h2o_mem_pool_t *pool, const char *s, size_t l, const char *preserve_chars);
/* The extension of the last segment of `path` (after its last '.'), or {NULL, 0}. A view into `path`. */
h2o_iovec_t h2o_get_filext(const char *path, size_t len);
/* s[0..len] without leading and trailing SP, HTAB, CR and LF. A view into `s`. */
h2o_iovec_t h2o_str_stripws(const char *s, size_t len);
/* Offset of the first `needle` in `haysack`, or SIZE_MAX. */
size_t h2o_strstr(const char *haysack, size_t haysack_len, const char *needle, size_t needle_len);
/* Iterates the tokens of a list such as "gzip, br;q=0.5": skips leading SP/HTAB, ends a token at
 * `separator`, at ',' (a lone ',' is a token of its own) or at the end, drops trailing whitespace,
 * and advances *iter. With `value` non-NULL, "name=value" stops the token at '=' and sets *value
 * (an empty string for "name=", {NULL, 0} when there is no '='). Returns the token (a view into the
 * list) with its length in *element_len, or NULL when the list is exhausted. */
const char *h2o_next_token(h2o_iovec_t *iter, int separator, size_t *element_len, h2o_iovec_t *value);
/* Whether the `separator`-separated list `haysack` has the token `needle` (lower case), ignoring case. */
int h2o_contains_token(const char *haysack, size_t haysack_len, const char *needle, size_t needle_len, int separator);
/* Escapes " & ' < > as HTML entities into a new string from `pool`; returns src itself (no copy) when
 * nothing needs escaping. */
h2o_iovec_t h2o_htmlescape(h2o_mem_pool_t *pool, const char *src, size_t len);
/* Concatenates iovecs to a new NUL-terminated string from `pool` (malloc if NULL). */
#define h2o_concat(pool, ...)                                                                                                      \
    h2o_concat_list(pool, (h2o_iovec_t[]){__VA_ARGS__}, sizeof((h2o_iovec_t[]){__VA_ARGS__}) / sizeof(h2o_iovec_t))
h2o_iovec_t h2o_concat_list(h2o_mem_pool_t *pool, h2o_iovec_t *list, size_t count);
/* Writes line `lineno` of `src` and a second line with a caret under `column` (1-based) to `buf`
 * (at least 120 bytes), NUL-terminated; 0, or -1 if there is no such position. */
int h2o_str_at_position(char *buf, const char *src, size_t src_len, int lineno, int column);

int h2o__lcstris_core(const char *target, const char *test, size_t test_len);

/* inline definitions */

inline int h2o_tolower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

inline void h2o_strtolower(char *s, size_t len)
{
    size_t i;
    for (i = 0; i != len; ++i)
        s[i] = (char)h2o_tolower(s[i]);
}

inline int h2o_toupper(int ch)
{
    return ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
}

inline void h2o_strtoupper(char *s, size_t len)
{
    size_t i;
    for (i = 0; i != len; ++i)
        s[i] = (char)h2o_toupper(s[i]);
}

inline int h2o_lcstris(const char *target, size_t target_len, const char *test, size_t test_len)
{
    return target_len == test_len && h2o__lcstris_core(target, test, test_len);
}

inline size_t h2o_base64_encode_capacity(size_t len)
{
    return (len + 2) / 3 * 4 + 1;
}

#ifdef __cplusplus
}
#endif

#endif
