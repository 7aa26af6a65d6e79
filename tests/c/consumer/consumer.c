/* A small consumer of the installed libh2o-evloop (libh2o-rs): parses a request with
 * phr_parse_request and decodes a chunked body with phr_decode_chunked, which our picohttpparser.h
 * maps to phr_decode_chunked_v2 (32-byte decoder). Built four ways by tests/c/CMakeLists.txt:
 * find_package shared and static, pkg-config shared and static. Exit status 0 on success. */
#include <picohttpparser.h>

#include <stdio.h>
#include <string.h>

#ifndef H2O_RS_PICOHTTPPARSER_VERSION
#error "not compiled against libh2o-rs's picohttpparser.h"
#endif
#if !defined(H2O_USE_LIBUV) || H2O_USE_LIBUV != 0
#error "the package's compile flags must define H2O_USE_LIBUV=0"
#endif

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            ++failures;                                                                            \
        }                                                                                          \
    } while (0)

static int span_is(const char *p, size_t len, const char *want)
{
    return p != NULL && len == strlen(want) && memcmp(p, want, len) == 0;
}

static void test_request(void)
{
    static const char req[] = "GET /hello?x=1 HTTP/1.1\r\n"
                              "Host: example.com\r\n"
                              "User-Agent:  consumer/1.0  \r\n"
                              "\r\n";
    const size_t full = sizeof(req) - 1;
    const char *method, *path;
    size_t method_len, path_len, num_headers;
    int minor_version, r;
    struct phr_header headers[4];

    /* Partial first (the head is cut in the middle of a header), then the rest with last_len. */
    num_headers = 4;
    r = phr_parse_request(req, 30, &method, &method_len, &path, &path_len, &minor_version, headers, &num_headers,
                          0);
    CHECK(r == -2);

    num_headers = 4;
    r = phr_parse_request(req, full, &method, &method_len, &path, &path_len, &minor_version, headers, &num_headers,
                          30);
    CHECK(r == (int)full);
    CHECK(span_is(method, method_len, "GET"));
    CHECK(span_is(path, path_len, "/hello?x=1"));
    CHECK(minor_version == 1);
    CHECK(num_headers == 2);
    if (num_headers == 2) {
        CHECK(span_is(headers[0].name, headers[0].name_len, "Host"));
        CHECK(span_is(headers[0].value, headers[0].value_len, "example.com"));
        CHECK(span_is(headers[1].name, headers[1].name_len, "User-Agent"));
        CHECK(span_is(headers[1].value, headers[1].value_len, "consumer/1.0"));
    }

    /* An invalid request line. */
    num_headers = 4;
    r = phr_parse_request("GET\x01 / HTTP/1.1\r\n\r\n", 20, &method, &method_len, &path, &path_len, &minor_version,
                          headers, &num_headers, 0);
    CHECK(r == -1);
}

static void test_chunked(void)
{
    /* Three segments as they might arrive from a socket; the decoder works in place. */
    static const char *const segments[] = {"4\r\nWi", "ki\r\n5;ext=1\r\npedia\r\n0\r\n", "X-Trailer: t\r\n\r\nEXTRA"};
    static const ssize_t want_ret[] = {-2, -2, 5};
    char buf[128];
    size_t decoded = 0, i;
    struct phr_chunked_decoder decoder;

    /* The header gives the current-upstream layout (phr_decode_chunked == phr_decode_chunked_v2). */
    CHECK(sizeof(struct phr_chunked_decoder) == 32);

    memset(&decoder, 0, sizeof(decoder));
    decoder.consume_trailer = 1;
    for (i = 0; i < sizeof(segments) / sizeof(segments[0]); ++i) {
        size_t sz = strlen(segments[i]);
        ssize_t r;
        memcpy(buf + decoded, segments[i], sz);
        r = phr_decode_chunked(&decoder, buf + decoded, &sz);
        CHECK(r == want_ret[i]);
        if (i == 0)
            CHECK(phr_decode_chunked_is_in_data(&decoder)); /* in the middle of "Wiki" */
        decoded += sz;
        if (r >= 0) {
            CHECK(memcmp(buf + decoded, "EXTRA", 5) == 0); /* the bytes after the body follow the data */
            break;
        }
    }
    CHECK(decoded == 9 && memcmp(buf, "Wikipedia", 9) == 0);
    CHECK(!phr_decode_chunked_is_in_data(&decoder));

    /* A bad chunk size. */
    {
        char bad[] = "zz\r\nhello\r\n";
        size_t sz = sizeof(bad) - 1;
        memset(&decoder, 0, sizeof(decoder));
        CHECK(phr_decode_chunked(&decoder, bad, &sz) == -1);
    }
}

int main(void)
{
    test_request();
    test_chunked();
    if (failures != 0) {
        fprintf(stderr, "consumer: %d check(s) failed\n", failures);
        return 1;
    }
    printf("consumer: ok (libh2o-rs picohttpparser.h %s)\n", H2O_RS_PICOHTTPPARSER_VERSION);
    return 0;
}
