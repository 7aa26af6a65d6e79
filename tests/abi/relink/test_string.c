/*
 * The pure string helpers of 2.2.5's h2o/string_.h that embedders call. Every expected value here
 * was taken from Debian's libh2o-evloop 2.2.5, quirks included (noted where surprising).
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o/memory.h>
#include <h2o/string_.h>

static void test_strdup(h2o_mem_pool_t *pool)
{
    const char *src = "hello";
    h2o_iovec_t d = h2o_strdup(pool, src, SIZE_MAX); /* SIZE_MAX: strlen */
    CHECK_STR(d.base, d.len, "hello");
    CHECK(d.base != src && d.base[d.len] == '\0', "h2o_strdup copies and NUL-terminates");
    d = h2o_strdup(pool, "hel\0lo", 6); /* embedded NUL kept with an explicit length */
    CHECK(d.len == 6 && memcmp(d.base, "hel\0lo", 7) == 0, "h2o_strdup with an explicit length");
    d = h2o_strdup(NULL, "abc", 3); /* pool NULL: malloc */
    CHECK_STR(d.base, d.len, "abc");
    free(d.base);
    d = h2o_strdup(pool, "", 0);
    CHECK(d.len == 0 && d.base != NULL && d.base[0] == '\0', "h2o_strdup of an empty string");
}

static void test_memis_and_lcstris(void)
{
    CHECK(h2o_memis(H2O_STRLIT("content-type"), H2O_STRLIT("content-type")), "h2o_memis");
    CHECK(!h2o_memis(H2O_STRLIT("Content-Type"), H2O_STRLIT("content-type")), "h2o_memis is case-sensitive");
    CHECK(h2o_lcstris(H2O_STRLIT("Content-TYPE"), H2O_STRLIT("content-type")), "h2o_lcstris");
    CHECK(!h2o_lcstris(H2O_STRLIT("Content-TYP"), H2O_STRLIT("content-type")), "h2o_lcstris length");
    CHECK(h2o__lcstris_core("ABC", "abc", 3), "h2o__lcstris_core");
}

static void test_stripws(void)
{
    h2o_iovec_t r = h2o_str_stripws("  \t abc def \t ", 14);
    CHECK_STR(r.base, r.len, "abc def");
    r = h2o_str_stripws("   ", 3);
    CHECK(r.len == 0, "all blanks: %zu bytes", r.len);
    r = h2o_str_stripws("x", 1);
    CHECK_STR(r.base, r.len, "x");
}

static void test_strtosize(void)
{
    CHECK(h2o_strtosize("12345", 5) == 12345, "12345");
    CHECK(h2o_strtosize("0", 1) == 0, "0");
    CHECK(h2o_strtosize("123456", 3) == 123, "length respected");
    CHECK(h2o_strtosize("1844674407370955161", 19) == 1844674407370955161u, "19 digits");
    CHECK(h2o_strtosize("", 0) == SIZE_MAX, "empty is an error");
    CHECK(h2o_strtosize("12a", 3) == SIZE_MAX, "non-digit is an error");
    CHECK(h2o_strtosize("-1", 2) == SIZE_MAX, "sign is an error");
    CHECK(h2o_strtosize(" 1", 2) == SIZE_MAX, "leading blank is an error");
    CHECK(h2o_strtosize("99999999999999999999", 20) == SIZE_MAX, "overflow is an error");
}

static void test_tokens(void)
{
    static const char ae[] = "gzip, deflate, br";
    CHECK(h2o_contains_token(ae, sizeof(ae) - 1, H2O_STRLIT("deflate"), ',') == 1, "deflate");
    CHECK(h2o_contains_token(ae, sizeof(ae) - 1, H2O_STRLIT("br"), ',') == 1, "br (last)");
    CHECK(h2o_contains_token(ae, sizeof(ae) - 1, H2O_STRLIT("gzip"), ',') == 1, "gzip (first)");
    CHECK(h2o_contains_token(ae, sizeof(ae) - 1, H2O_STRLIT("DEFLATE"), ',') == 0,
          "2.2.5 compares the needle as given (lower-case): DEFLATE does not match");
    CHECK(h2o_contains_token(ae, sizeof(ae) - 1, H2O_STRLIT("def"), ',') == 0, "a prefix is no token");
    CHECK(h2o_contains_token(H2O_STRLIT("keep-alive,Upgrade"), H2O_STRLIT("upgrade"), ',') == 1,
          "the haystack is compared case-insensitively");
    CHECK(h2o_contains_token("", 0, H2O_STRLIT("a"), ',') == 0, "empty haystack");

    /* h2o_next_token: with ',' as separator, "name=value" pairs give a value; ';' is no separator
     * then, so "text/html; q=0.9" is the token "text/html; q" with the value "0.9" (2.2.5) */
    {
        static const struct {
            const char *tok, *val;
        } want[] = {{"text/html; q", "0.9"}, {"br", NULL}, {"gzip;q", "1"}, {"", NULL}, {"x", NULL}};
        h2o_iovec_t iter = h2o_iovec_init(H2O_STRLIT("text/html; q=0.9, br , gzip;q=1 ,,x"));
        const char *t;
        size_t l, i = 0;
        h2o_iovec_t v;
        while ((t = h2o_next_token(&iter, ',', &l, &v)) != NULL) {
            if (i >= sizeof(want) / sizeof(want[0])) {
                CHECK(0, "extra token \"%.*s\"", (int)l, t);
                break;
            }
            CHECK_STR(t, l, want[i].tok);
            if (want[i].val == NULL)
                CHECK(v.base == NULL, "token %zu: value \"%.*s\", expected none", i, (int)v.len, v.base);
            else
                CHECK_STR(v.base, v.len, want[i].val);
            ++i;
        }
        CHECK(i == sizeof(want) / sizeof(want[0]), "%zu tokens, expected %zu", i, sizeof(want) / sizeof(want[0]));
    }
    {
        static const struct {
            const char *tok, *val;
        } want[] = {{"a", "1"}, {"b", "2"}, {"c", NULL}};
        h2o_iovec_t iter = h2o_iovec_init(H2O_STRLIT("a=1; b = 2 ;c"));
        const char *t;
        size_t l, i = 0;
        h2o_iovec_t v;
        while ((t = h2o_next_token(&iter, ';', &l, &v)) != NULL && i < 3) {
            CHECK_STR(t, l, want[i].tok);
            if (want[i].val == NULL)
                CHECK(v.base == NULL, "value of c");
            else
                CHECK_STR(v.base, v.len, want[i].val);
            ++i;
        }
        CHECK(i == 3 && t == NULL, "3 tokens");
    }
}

static void test_hex(void)
{
    char hex[16];
    unsigned char bin[8];
    h2o_hex_encode(hex, "\x00\x01\xab\xff", 4);
    CHECK(strcmp(hex, "0001abff") == 0, "h2o_hex_encode gave \"%s\" (lower case, NUL-terminated)", hex);
    CHECK(h2o_hex_decode(bin, "00ABff10", 8) == 0 && memcmp(bin, "\x00\xab\xff\x10", 4) == 0, "h2o_hex_decode");
    CHECK(h2o_hex_decode(bin, "0g", 2) == -1, "non-hex digit");
    CHECK(h2o_hex_decode(bin, "abc", 3) == -1, "odd length");
}

static void test_base64(h2o_mem_pool_t *pool)
{
    char out[64];
    size_t n;
    h2o_iovec_t d;

    n = h2o_base64_encode(out, "hello?>", 7, 0);
    CHECK(n == 12 && strcmp(out, "aGVsbG8/Pg==") == 0, "base64: %zu \"%s\"", n, out);
    n = h2o_base64_encode(out, "hello?>", 7, 1);
    CHECK(n == 10 && strcmp(out, "aGVsbG8_Pg") == 0, "base64url (no padding): %zu \"%s\"", n, out);
    n = h2o_base64_encode(out, "\xfb\xff", 2, 0);
    CHECK(n == 4 && strcmp(out, "+/8=") == 0, "base64 +/: %zu \"%s\"", n, out);
    n = h2o_base64_encode(out, "\xfb\xff", 2, 1);
    CHECK(n == 3 && strcmp(out, "-_8") == 0, "base64url -_: %zu \"%s\"", n, out);
    n = h2o_base64_encode(out, "", 0, 0);
    CHECK(n == 0 && out[0] == '\0', "base64 of nothing");
    CHECK(h2o_base64_encode_capacity(7) >= 13, "capacity for 7 bytes");

    d = h2o_decode_base64url(pool, "aGVsbG8_Pg", 10);
    CHECK_STR(d.base, d.len, "hello?>");
    d = h2o_decode_base64url(pool, "-_8", 3);
    CHECK(d.len == 2 && memcmp(d.base, "\xfb\xff", 2) == 0, "base64url -_ decoded");
    d = h2o_decode_base64url(pool, "aGVsbG8_Pg==", 12);
    CHECK(d.base == NULL && d.len == 0, "padding is an error in 2.2.5");
    d = h2o_decode_base64url(pool, "a$bc", 4);
    CHECK(d.base == NULL && d.len == 0, "bad character");
    d = h2o_decode_base64url(pool, "a", 1);
    CHECK(d.base == NULL && d.len == 0, "one character is an error");
    d = h2o_decode_base64url(pool, "", 0);
    CHECK(d.base != NULL && d.len == 0, "empty input decodes to an empty (non-NULL) string");
}

static void test_escapes(h2o_mem_pool_t *pool)
{
    h2o_iovec_t r;
    const char *plain = "plain";

    r = h2o_uri_escape(pool, "/a b/\xc3\xbc?x=1&y", 13, NULL);
    CHECK_STR(r.base, r.len, "%2Fa%20b%2F%C3%BC%3Fx=1&y");
    CHECK(r.base[r.len] == '\0', "NUL-terminated");
    r = h2o_uri_escape(pool, "/a b/\xc3\xbc?x=1&y", 13, "/?=");
    CHECK_STR(r.base, r.len, "/a%20b/%C3%BC?x=1&y");
    r = h2o_uri_escape(pool, "abc", 3, NULL);
    CHECK_STR(r.base, r.len, "abc");

    r = h2o_htmlescape(pool, "<a href=\"x\">'&'</a>", 19);
    CHECK_STR(r.base, r.len, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    r = h2o_htmlescape(pool, plain, 5);
    CHECK(r.base == plain && r.len == 5, "nothing to escape: the source itself is returned");

    r = h2o_concat(pool, h2o_iovec_init(H2O_STRLIT("abc")), h2o_iovec_init(H2O_STRLIT("")), h2o_iovec_init(H2O_STRLIT("de")));
    CHECK_STR(r.base, r.len, "abcde");
    CHECK(r.base[r.len] == '\0', "h2o_concat NUL-terminates");
    r = h2o_concat_list(pool, NULL, 0);
    CHECK(r.len == 0 && r.base != NULL && r.base[0] == '\0', "h2o_concat_list of nothing");
}

static void test_filext(void)
{
    h2o_iovec_t r = h2o_get_filext(H2O_STRLIT("/a/b/index.html"));
    CHECK_STR(r.base, r.len, "html");
    r = h2o_get_filext(H2O_STRLIT("/a/b.d/index"));
    CHECK(r.len == 0, "no extension (a dot in a directory does not count): \"%.*s\"", (int)r.len, r.base);
    r = h2o_get_filext(H2O_STRLIT("/a/b/.htaccess"));
    CHECK_STR(r.base, r.len, "htaccess");
    r = h2o_get_filext(H2O_STRLIT("/a/b/file."));
    CHECK(r.len == 0, "trailing dot");
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_strdup),          ABI_FN(h2o_str_stripws),   ABI_FN(h2o_strtosize),
                                        ABI_FN(h2o_contains_token),  ABI_FN(h2o_hex_encode),    ABI_FN(h2o_hex_decode),
                                        ABI_FN(h2o_base64_encode),   ABI_FN(h2o_decode_base64url), ABI_FN(h2o_uri_escape),
                                        ABI_FN(h2o_htmlescape),      ABI_FN(h2o_concat_list),   ABI_FN(h2o_get_filext),
                                        ABI_FN(h2o_next_token)};
    h2o_mem_pool_t pool;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    h2o_mem_init_pool(&pool);
    test_strdup(&pool);
    test_memis_and_lcstris();
    test_stripws();
    test_strtosize();
    test_tokens();
    test_hex();
    test_base64(&pool);
    test_escapes(&pool);
    test_filext();
    h2o_mem_clear_pool(&pool);
    return abi_report("test_string");
}
