/*
 * Tokens (h2o/token.h; h2o.h in 2.2.5): the H2O_TOKEN_* macros, the exported h2o__tokens array,
 * h2o_lookup_token and h2o_iovec_is_token. Every expected value below is 2.2.5's (the run on
 * Debian's library is the baseline).
 *
 * Built against Debian's headers, this program refers to h2o__tokens directly (H2O_TOKEN_HOST is
 * h2o__tokens + 30), so its linker copy-relocates the array into the executable: run on our
 * library, the pointers h2o_lookup_token returns must be the executable's copy, which is what
 * test_identity() checks (and why our array must be exported with 2.2.5's exact size).
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o/memory.h>
#include <h2o/string_.h>
#include <h2o/token.h>
#ifndef H2O_MAX_TOKENS
/* 2.2.5's h2o/token.h holds the macros only; h2o.h defines h2o_token_t and declares the rest.
 * (Written so that the harness's our-headers build does not need an h2o.h yet.) */
# include <h2o.h>
#endif

enum { DROP_REQ = 1, DROP_RES = 2, INIT_SPECIAL = 4, H2_REJECT = 8, PUSH_COPY = 16, NO_COMPRESS = 32 };

static const struct {
    const h2o_token_t *token;
    const char *name;
    int hpack_index;
    int flags;
} expected[] = {
    {H2O_TOKEN_AUTHORITY, ":authority", 1, 0},
    {H2O_TOKEN_METHOD, ":method", 2, 0},
    {H2O_TOKEN_PATH, ":path", 4, 0},
    {H2O_TOKEN_SCHEME, ":scheme", 6, 0},
    {H2O_TOKEN_STATUS, ":status", 8, 0},
    {H2O_TOKEN_ACCEPT, "accept", 19, PUSH_COPY},
    {H2O_TOKEN_ACCEPT_CHARSET, "accept-charset", 15, PUSH_COPY},
    {H2O_TOKEN_ACCEPT_ENCODING, "accept-encoding", 16, PUSH_COPY},
    {H2O_TOKEN_ACCEPT_LANGUAGE, "accept-language", 17, PUSH_COPY},
    {H2O_TOKEN_ACCEPT_RANGES, "accept-ranges", 18, 0},
    {H2O_TOKEN_ACCESS_CONTROL_ALLOW_ORIGIN, "access-control-allow-origin", 20, 0},
    {H2O_TOKEN_AGE, "age", 21, 0},
    {H2O_TOKEN_ALLOW, "allow", 22, 0},
    {H2O_TOKEN_AUTHORIZATION, "authorization", 23, 0},
    {H2O_TOKEN_CACHE_CONTROL, "cache-control", 24, 0},
    {H2O_TOKEN_CACHE_DIGEST, "cache-digest", 0, 0},
    {H2O_TOKEN_CONNECTION, "connection", 0, DROP_REQ | DROP_RES | H2_REJECT},
    {H2O_TOKEN_CONTENT_DISPOSITION, "content-disposition", 25, 0},
    {H2O_TOKEN_CONTENT_ENCODING, "content-encoding", 26, 0},
    {H2O_TOKEN_CONTENT_LANGUAGE, "content-language", 27, 0},
    {H2O_TOKEN_CONTENT_LENGTH, "content-length", 28, INIT_SPECIAL},
    {H2O_TOKEN_CONTENT_LOCATION, "content-location", 29, 0},
    {H2O_TOKEN_CONTENT_RANGE, "content-range", 30, 0},
    {H2O_TOKEN_CONTENT_TYPE, "content-type", 31, 0},
    {H2O_TOKEN_COOKIE, "cookie", 32, NO_COMPRESS},
    {H2O_TOKEN_DATE, "date", 33, DROP_RES},
    {H2O_TOKEN_ETAG, "etag", 34, 0},
    {H2O_TOKEN_EXPECT, "expect", 35, INIT_SPECIAL},
    {H2O_TOKEN_EXPIRES, "expires", 36, 0},
    {H2O_TOKEN_FROM, "from", 37, 0},
    {H2O_TOKEN_HOST, "host", 38, INIT_SPECIAL | H2_REJECT},
    {H2O_TOKEN_HTTP2_SETTINGS, "http2-settings", 0, DROP_REQ | H2_REJECT},
    {H2O_TOKEN_IF_MATCH, "if-match", 39, 0},
    {H2O_TOKEN_IF_MODIFIED_SINCE, "if-modified-since", 40, 0},
    {H2O_TOKEN_IF_NONE_MATCH, "if-none-match", 41, 0},
    {H2O_TOKEN_IF_RANGE, "if-range", 42, 0},
    {H2O_TOKEN_IF_UNMODIFIED_SINCE, "if-unmodified-since", 43, 0},
    {H2O_TOKEN_KEEP_ALIVE, "keep-alive", 0, DROP_REQ | DROP_RES},
    {H2O_TOKEN_LAST_MODIFIED, "last-modified", 44, 0},
    {H2O_TOKEN_LINK, "link", 45, 0},
    {H2O_TOKEN_LOCATION, "location", 46, 0},
    {H2O_TOKEN_MAX_FORWARDS, "max-forwards", 47, 0},
    {H2O_TOKEN_PROXY_AUTHENTICATE, "proxy-authenticate", 48, DROP_REQ},
    {H2O_TOKEN_PROXY_AUTHORIZATION, "proxy-authorization", 49, DROP_REQ},
    {H2O_TOKEN_RANGE, "range", 50, 0},
    {H2O_TOKEN_REFERER, "referer", 51, 0},
    {H2O_TOKEN_REFRESH, "refresh", 52, 0},
    {H2O_TOKEN_RETRY_AFTER, "retry-after", 53, 0},
    {H2O_TOKEN_SERVER, "server", 54, 0},
    {H2O_TOKEN_SET_COOKIE, "set-cookie", 55, NO_COMPRESS},
    {H2O_TOKEN_STRICT_TRANSPORT_SECURITY, "strict-transport-security", 56, 0},
    {H2O_TOKEN_TE, "te", 0, DROP_REQ | H2_REJECT},
    {H2O_TOKEN_TRANSFER_ENCODING, "transfer-encoding", 57, DROP_REQ | DROP_RES | INIT_SPECIAL | H2_REJECT},
    {H2O_TOKEN_UPGRADE, "upgrade", 0, DROP_REQ | DROP_RES | INIT_SPECIAL | H2_REJECT},
    {H2O_TOKEN_USER_AGENT, "user-agent", 58, PUSH_COPY},
    {H2O_TOKEN_VARY, "vary", 59, 0},
    {H2O_TOKEN_VIA, "via", 60, 0},
    {H2O_TOKEN_WWW_AUTHENTICATE, "www-authenticate", 61, 0},
    {H2O_TOKEN_X_COMPRESS_HINT, "x-compress-hint", 0, 0},
    {H2O_TOKEN_X_FORWARDED_FOR, "x-forwarded-for", 0, 0},
    {H2O_TOKEN_X_REPROXY_URL, "x-reproxy-url", 0, 0},
    {H2O_TOKEN_X_TRAFFIC, "x-traffic", 0, 0},
};
#define NUM_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static int flags_of(const h2o_token_t *t)
{
    return t->proxy_should_drop_for_req * DROP_REQ | t->proxy_should_drop_for_res * DROP_RES |
           t->is_init_header_special * INIT_SPECIAL | t->http2_should_reject * H2_REJECT |
           t->copy_for_push_request * PUSH_COPY | t->dont_compress * NO_COMPRESS;
}

static void test_table(void)
{
    size_t i;
    CHECK(sizeof(h2o__tokens) == 2400, "sizeof(h2o__tokens) = %zu", sizeof(h2o__tokens));
    CHECK(h2o__num_tokens == NUM_EXPECTED, "h2o__num_tokens = %zu", h2o__num_tokens);
    for (i = 0; i != NUM_EXPECTED; ++i) {
        const h2o_token_t *t = expected[i].token;
        CHECK(t == h2o__tokens + i, "H2O_TOKEN for %s is element %zu", expected[i].name, (size_t)(t - h2o__tokens));
        CHECK_STR(t->buf.base, t->buf.len, expected[i].name);
        CHECK(t->http2_static_table_name_index == expected[i].hpack_index, "%s: hpack index %d, want %d", expected[i].name,
              t->http2_static_table_name_index, expected[i].hpack_index);
        CHECK(flags_of(t) == expected[i].flags, "%s: flags 0x%02x, want 0x%02x", expected[i].name, flags_of(t),
              expected[i].flags);
    }
    for (i = NUM_EXPECTED; i != H2O_MAX_TOKENS; ++i)
        CHECK(h2o__tokens[i].buf.base == NULL && h2o__tokens[i].buf.len == 0 && flags_of(&h2o__tokens[i]) == 0 &&
                  h2o__tokens[i].http2_static_table_name_index == 0,
              "slot %zu is zero", i);
}

static void test_lookup(void)
{
    size_t i;
    for (i = 0; i != NUM_EXPECTED; ++i) {
        /* from a copy of the name, so that the result cannot come from comparing string addresses */
        char buf[64];
        size_t len = strlen(expected[i].name);
        memcpy(buf, expected[i].name, len);
        buf[len] = 'X';
        CHECK(h2o_lookup_token(buf, len) == expected[i].token, "h2o_lookup_token(%s)", expected[i].name);
        CHECK(h2o_lookup_token(buf, len + 1) == NULL, "h2o_lookup_token(%sX)", expected[i].name);
        /* no token's name is another's minus its last byte */
        CHECK(h2o_lookup_token(buf, len - 1) == NULL, "h2o_lookup_token(%.*s)", (int)(len - 1), buf);
        CHECK(h2o_iovec_is_token(&expected[i].token->buf), "h2o_iovec_is_token(%s)", expected[i].name);
    }
    CHECK(h2o_lookup_token(H2O_STRLIT("Host")) == NULL, "lookup is exact: Host");
    CHECK(h2o_lookup_token(H2O_STRLIT("CONTENT-LENGTH")) == NULL, "lookup is exact: CONTENT-LENGTH");
    CHECK(h2o_lookup_token(H2O_STRLIT("x-unknown")) == NULL, "x-unknown");
    CHECK(h2o_lookup_token(H2O_STRLIT("accept-ranges ")) == NULL, "trailing blank");
    CHECK(h2o_lookup_token("host", 0) == NULL, "empty name");
    {
        h2o_iovec_t v = h2o_iovec_init(H2O_STRLIT("host"));
        CHECK(!h2o_iovec_is_token(&v), "an iovec equal to a token's name is not a token");
    }
}

static void test_identity(void)
{
    Dl_info info;
    char self[PATH_MAX], where[PATH_MAX];
    const h2o_token_t *host = h2o_lookup_token(H2O_STRLIT("host"));
    int copied = dladdr((void *)h2o__tokens, &info) != 0 && info.dli_fname != NULL &&
                 realpath("/proc/self/exe", self) != NULL && realpath(info.dli_fname, where) != NULL &&
                 strcmp(self, where) == 0;
    printf("h2o__tokens is at %p, in %s\n", (void *)h2o__tokens, copied ? "the executable (copy relocation)" : "the library");
    CHECK(host == H2O_TOKEN_HOST, "the library's token is the program's H2O_TOKEN_HOST (%p vs %p)", (const void *)host,
          (const void *)H2O_TOKEN_HOST);
    CHECK(h2o_lookup_token(H2O_STRLIT("x-traffic")) == H2O_TOKEN_X_TRAFFIC, "x-traffic");
    CHECK(h2o_iovec_is_token(&H2O_TOKEN_CONTENT_TYPE->buf), "the program's copy is a token for the library");
}

int main(int argc, char **argv)
{
    struct abi_fn fns[] = {ABI_FN(h2o_lookup_token), ABI_FN(h2o_iovec_is_token)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    test_table();
    test_lookup();
    test_identity();
    return abi_report("test_token");
}
