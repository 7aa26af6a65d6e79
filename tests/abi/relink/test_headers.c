/*
 * Header lists (h2o.h): h2o_add_header / _by_str, h2o_set_header / _by_str, h2o_set_header_token,
 * h2o_find_header / _by_str, h2o_delete_header on an h2o_headers_t in a pool, read back through the
 * structs. Every expectation is 2.2.5's behaviour (the run on Debian's library is the baseline),
 * including its quirks: names compared exactly (no case folding), h2o_set_header_token comparing
 * each listed element lower-cased against the value as given, h2o_delete_header returning the
 * index it deleted.
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o.h>

static h2o_mem_pool_t pool;

static const char *name_of(const h2o_header_t *h)
{
    static char buf[64];
    snprintf(buf, sizeof(buf), "%.*s", (int)h->name->len, h->name->base);
    return buf;
}

#define CHECK_VALUE(h, want) CHECK_STR((h)->value.base, (h)->value.len, want)

static void test_add_and_find(void)
{
    h2o_headers_t headers = {NULL, 0, 0};
    char orig[] = "Vary";
    char value[] = "accept";

    h2o_add_header(&pool, &headers, H2O_TOKEN_VARY, orig, value, strlen(value));
    CHECK(headers.size == 1, "%zu", headers.size);
    CHECK(headers.entries[0].name == &H2O_TOKEN_VARY->buf, "the token itself is the name");
    CHECK(headers.entries[0].value.base == value, "the value is not copied");
    CHECK(headers.entries[0].orig_name != NULL && headers.entries[0].orig_name != orig, "orig_name is copied");
    CHECK(headers.entries[0].orig_name != NULL && memcmp(headers.entries[0].orig_name, "Vary", 4) == 0, "orig_name bytes");

    h2o_add_header_by_str(&pool, &headers, H2O_STRLIT("X-Foo"), 1, NULL, H2O_STRLIT("a"));
    h2o_add_header_by_str(&pool, &headers, H2O_STRLIT("content-type"), 1, NULL, H2O_STRLIT("text/html"));
    h2o_add_header_by_str(&pool, &headers, H2O_STRLIT("content-length"), 0, NULL, H2O_STRLIT("5"));
    h2o_add_header(&pool, &headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("cookie"));
    CHECK(headers.size == 5, "%zu", headers.size);
    CHECK(!h2o_iovec_is_token(headers.entries[1].name), "X-Foo is no token");
    CHECK(strcmp(name_of(&headers.entries[1]), "X-Foo") == 0, "%s", name_of(&headers.entries[1]));
    CHECK(headers.entries[1].orig_name == NULL, "no orig_name");
    CHECK(headers.entries[2].name == &H2O_TOKEN_CONTENT_TYPE->buf, "maybe_token: the token");
    CHECK(!h2o_iovec_is_token(headers.entries[3].name), "maybe_token 0: a copy");
    CHECK(strcmp(name_of(&headers.entries[3]), "content-length") == 0, "%s", name_of(&headers.entries[3]));
    CHECK(headers.entries[4].orig_name == NULL, "NULL orig_name stays NULL");

    CHECK(h2o_find_header(&headers, H2O_TOKEN_VARY, -1) == 0, "first vary");
    CHECK(h2o_find_header(&headers, H2O_TOKEN_VARY, 0) == 4, "next vary");
    CHECK(h2o_find_header(&headers, H2O_TOKEN_VARY, 4) == -1, "no more");
    CHECK(h2o_find_header(&headers, H2O_TOKEN_CONTENT_LENGTH, -1) == -1, "a copied name is not the token");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("X-Foo"), -1) == 1, "by str");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("x-foo"), -1) == -1, "by str: exact");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("content-length"), -1) == 3, "copied name");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("content-type"), -1) == 2, "token name by str");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("vary"), 0) == 4, "by str after a cursor");

    /* token lists */
    h2o_set_header_token(&pool, &headers, H2O_TOKEN_VARY, H2O_STRLIT("Accept-Encoding"));
    CHECK_VALUE(&headers.entries[0], "accept");
    CHECK_VALUE(&headers.entries[4], "cookie, Accept-Encoding");
    h2o_set_header_token(&pool, &headers, H2O_TOKEN_VARY, H2O_STRLIT("accept"));
    CHECK_VALUE(&headers.entries[4], "cookie, Accept-Encoding");
    h2o_set_header_token(&pool, &headers, H2O_TOKEN_VARY, H2O_STRLIT("accept-encoding"));
    CHECK_VALUE(&headers.entries[4], "cookie, Accept-Encoding");
    h2o_set_header_token(&pool, &headers, H2O_TOKEN_VARY, H2O_STRLIT("COOKIE"));
    CHECK_VALUE(&headers.entries[4], "cookie, Accept-Encoding, COOKIE");
    h2o_set_header_token(&pool, &headers, H2O_TOKEN_ETAG, H2O_STRLIT("x"));
    CHECK(headers.size == 6 && headers.entries[5].name == &H2O_TOKEN_ETAG->buf, "appended");
    CHECK_VALUE(&headers.entries[5], "x");

    /* set */
    h2o_set_header(&pool, &headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/plain"), 0);
    CHECK_VALUE(&headers.entries[2], "text/html");
    h2o_set_header(&pool, &headers, H2O_TOKEN_CONTENT_TYPE, H2O_STRLIT("text/plain"), 1);
    CHECK_VALUE(&headers.entries[2], "text/plain");
    h2o_set_header(&pool, &headers, H2O_TOKEN_VARY, H2O_STRLIT("zzz"), 1);
    CHECK_VALUE(&headers.entries[0], "zzz");
    CHECK_VALUE(&headers.entries[4], "cookie, Accept-Encoding, COOKIE");
    h2o_set_header_by_str(&pool, &headers, H2O_STRLIT("X-Foo"), 1, H2O_STRLIT("b"), 1);
    CHECK_VALUE(&headers.entries[1], "b");
    h2o_set_header_by_str(&pool, &headers, H2O_STRLIT("x-new"), 1, H2O_STRLIT("n"), 0);
    h2o_set_header_by_str(&pool, &headers, H2O_STRLIT("server"), 1, H2O_STRLIT("s"), 1);
    h2o_set_header_by_str(&pool, &headers, H2O_STRLIT("content-length"), 1, H2O_STRLIT("9"), 1);
    CHECK(headers.size == 9, "%zu", headers.size);
    CHECK(strcmp(name_of(&headers.entries[6]), "x-new") == 0 && !h2o_iovec_is_token(headers.entries[6].name), "x-new");
    CHECK(headers.entries[7].name == &H2O_TOKEN_SERVER->buf, "server token");
    CHECK(headers.entries[8].name == &H2O_TOKEN_CONTENT_LENGTH->buf, "a token entry next to the copied name");
    CHECK_VALUE(&headers.entries[3], "5");
    CHECK_VALUE(&headers.entries[8], "9");

    /* delete */
    CHECK(h2o_delete_header(&headers, 1) == 1, "returns the index");
    CHECK(headers.size == 8, "%zu", headers.size);
    CHECK(headers.entries[1].name == &H2O_TOKEN_CONTENT_TYPE->buf, "order kept");
    {
        ssize_t cursor = -1;
        int n = 0;
        while ((cursor = h2o_find_header(&headers, H2O_TOKEN_VARY, cursor)) != -1) {
            cursor = h2o_delete_header(&headers, cursor);
            ++n;
        }
        CHECK(n == 2, "%d deleted", n);
    }
    CHECK(headers.size == 6, "%zu", headers.size);
    CHECK(headers.entries[0].name == &H2O_TOKEN_CONTENT_TYPE->buf, "first is content-type");
    CHECK(h2o_find_header(&headers, H2O_TOKEN_VARY, -1) == -1, "no vary left");
    CHECK(h2o_delete_header(&headers, 5) == 5 && headers.size == 5, "delete the last");
}

static void test_many(void)
{
    h2o_headers_t headers = {NULL, 0, 0};
    char name[32], *stored = NULL;
    size_t i;
    for (i = 0; i != 200; ++i) {
        /* the name is borrowed (2.2.5 does not copy it): give each one its own pool copy */
        snprintf(name, sizeof(name), "x-h%zu", i);
        h2o_iovec_t copy = h2o_strdup(&pool, name, strlen(name));
        h2o_add_header_by_str(&pool, &headers, copy.base, copy.len, 1, NULL, H2O_STRLIT("v"));
        if (i == 0)
            stored = copy.base;
    }
    CHECK(headers.entries[0].name->base == stored, "the name is borrowed, as in 2.2.5");
    CHECK(headers.size == 200 && headers.capacity >= 200, "%zu/%zu", headers.size, headers.capacity);
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("x-h199"), -1) == 199, "last");
    CHECK(h2o_find_header_by_str(&headers, H2O_STRLIT("x-h7"), -1) == 7, "seventh");
}

static void test_prohibited(void)
{
    size_t i;
    for (i = 0; i != h2o__num_tokens; ++i) {
        const h2o_token_t *t = h2o__tokens + i;
        int want = t == H2O_TOKEN_CONNECTION || t == H2O_TOKEN_CONTENT_LENGTH || t == H2O_TOKEN_TRANSFER_ENCODING ||
                   t == H2O_TOKEN_DATE || t == H2O_TOKEN_SERVER;
        CHECK(!h2o_headers_is_prohibited_name(t) == !want, "%s", t->buf.base);
    }
}

int main(int argc, char **argv)
{
    struct abi_fn fns[] = {ABI_FN(h2o_add_header), ABI_FN(h2o_find_header), ABI_FN(h2o_set_header_token),
                           ABI_FN(h2o_delete_header)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    h2o_mem_init_pool(&pool);
    test_add_and_find();
    test_many();
    test_prohibited();
    h2o_mem_clear_pool(&pool);
    return abi_report("test_headers");
}
