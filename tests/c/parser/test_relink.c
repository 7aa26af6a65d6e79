/*
 * Relink test: a program written for libh2o-evloop 2.2.5, as such a program was written.
 *
 * It does not include our header: it declares the phr_* prototypes and the 16-byte 2.2.5
 * `struct phr_chunked_decoder` itself, and it is linked against Debian's libh2o-evloop.so
 * (so its NEEDED entry is libh2o-evloop.so.0.13). ctest runs it with LD_LIBRARY_PATH set to our
 * installed lib directory; the program checks, with dladdr, that the phr_* it calls come from
 * the directory given as argv[1] (or, with argv[1] = "--debian", from Debian's library, the
 * baseline run), then checks results and that phr_decode_chunked never writes past 16 bytes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "check.h"

/* --- what a 2.2.5-era program saw in picohttpparser.h ------------------------------------------ */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers, size_t last_len);
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status, const char **msg, size_t *msg_len,
                       struct phr_header *headers, size_t *num_headers, size_t last_len);
int phr_parse_headers(const char *buf, size_t len, struct phr_header *headers, size_t *num_headers, size_t last_len);
struct phr_chunked_decoder {
    size_t bytes_left_in_chunk;
    char consume_trailer;
    char _hex_count;
    char _state;
};
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf, size_t *bufsz);
int phr_decode_chunked_is_in_data(struct phr_chunked_decoder *decoder);
/* ----------------------------------------------------------------------------------------------- */

#define CANARY 0x5a

struct guarded_decoder {
    struct phr_chunked_decoder d;
    unsigned char canary[48];
};

static void init_decoder(struct guarded_decoder *g, int consume_trailer)
{
    memset(g, CANARY, sizeof(*g));
    memset(&g->d, 0, sizeof(g->d));
    g->d.consume_trailer = (char)consume_trailer;
}

static void check_canary(const struct guarded_decoder *g, const char *when)
{
    size_t i;
    /* the struct is 16 bytes: bytes 11..15 are padding the library may use; nothing at 16 and after */
    for (i = 0; i < sizeof(g->canary); ++i)
        if (g->canary[i] != CANARY) {
            CHECK(0, "phr_decode_chunked wrote byte %zu after the 16-byte decoder (%s)", 16 + i, when);
            return;
        }
    ++check_count;
}

static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    if (realpath(a, ra) == NULL || realpath(b, rb) == NULL)
        return 0;
    return strcmp(ra, rb) == 0;
}

static int check_origin(const char *expect)
{
    Dl_info info;
    void *fns[] = {(void *)phr_parse_request, (void *)phr_parse_response, (void *)phr_parse_headers,
                   (void *)phr_decode_chunked, (void *)phr_decode_chunked_is_in_data};
    const char *names[] = {"phr_parse_request", "phr_parse_response", "phr_parse_headers", "phr_decode_chunked",
                           "phr_decode_chunked_is_in_data"};
    char dir[PATH_MAX], want_dir[PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); ++i) {
        if (dladdr(fns[i], &info) == 0 || info.dli_fname == NULL) {
            CHECK(0, "dladdr failed for %s", names[i]);
            return 0;
        }
        if (realpath(info.dli_fname, dir) == NULL) {
            CHECK(0, "realpath(%s) failed", info.dli_fname);
            return 0;
        }
        if (i == 0)
            printf("phr_parse_request comes from %s\n", dir);
        if (strcmp(expect, "--debian") == 0) {
            CHECK(same_file(dir, "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so"), "%s comes from %s, not Debian's library",
                  names[i], dir);
        } else {
            char *slash = strrchr(dir, '/');
            if (slash != NULL)
                *slash = '\0';
            if (realpath(expect, want_dir) == NULL) {
                CHECK(0, "realpath(%s) failed", expect);
                return 0;
            }
            CHECK(strcmp(dir, want_dir) == 0, "%s comes from %s, expected our library in %s", names[i], dir, want_dir);
            CHECK(!same_file(info.dli_fname, "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so"), "%s is Debian's", names[i]);
        }
    }
    return check_failures == 0;
}

static void check_parsers(void)
{
    static const char req[] = "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Fold: a\r\n  b\r\n\r\n";
    static const char res[] = "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    static const char hdrs[] = "A: 1\r\nB:  2\r\n\r\n";
    const char *method, *path, *msg;
    size_t method_len, path_len, msg_len, nh;
    int minor, status, r;
    struct phr_header h[8];

    nh = 8;
    r = phr_parse_request(req, sizeof(req) - 1, &method, &method_len, &path, &path_len, &minor, h, &nh, 0);
    CHECK(r == (int)sizeof(req) - 1, "request: %d", r);
    CHECK(bytes_eq(method, method_len, "GET") && bytes_eq(path, path_len, "/index.html?x=1") && minor == 1,
          "request line fields");
    CHECK(nh == 4 && bytes_eq(h[0].name, h[0].name_len, "Host") && bytes_eq(h[0].value, h[0].value_len, "example.com") &&
              bytes_eq(h[1].name, h[1].name_len, "Accept") && h[3].name == NULL &&
              bytes_eq(h[3].value, h[3].value_len, "  b"),
          "request headers (%zu)", nh);
    nh = 8;
    r = phr_parse_request(req, sizeof(req) - 2, &method, &method_len, &path, &path_len, &minor, h, &nh, 0);
    CHECK(r == -2, "partial request: %d", r);
    nh = 1;
    r = phr_parse_request(req, sizeof(req) - 1, &method, &method_len, &path, &path_len, &minor, h, &nh, 0);
    CHECK(r == -1, "request over capacity: %d", r);
    nh = 8;
    r = phr_parse_request(req, sizeof(req) - 1, &method, &method_len, &path, &path_len, &minor, h, &nh, sizeof(req) - 2);
    CHECK(r == (int)sizeof(req) - 1, "request with last_len: %d", r);

    nh = 8;
    r = phr_parse_response(res, sizeof(res) - 1, &minor, &status, &msg, &msg_len, h, &nh, 0);
    CHECK(r == (int)sizeof(res) - 1 && minor == 0 && status == 404 && bytes_eq(msg, msg_len, "Not Found") && nh == 1,
          "response: %d", r);

    nh = 8;
    r = phr_parse_headers(hdrs, sizeof(hdrs) - 1, h, &nh, 0);
    CHECK(r == (int)sizeof(hdrs) - 1 && nh == 2 && bytes_eq(h[1].value, h[1].value_len, "2"), "headers: %d", r);
}

static void check_chunked(void)
{
    struct guarded_decoder g;
    ssize_t r;
    size_t sz;

    {
        char buf[] = "6\r\nhello \r\n5;ext=1\r\nworld\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        init_decoder(&g, 1);
        sz = sizeof(buf) - 1;
        r = phr_decode_chunked(&g.d, buf, &sz);
        CHECK(r == 4 && sz == 11 && memcmp(buf, "hello worldNEXT", 15) == 0, "chunked with trailers: %zd sz %zu", r, sz);
        check_canary(&g, "whole body");
    }
    {
        /* byte at a time: every state of the decoder goes through the 2.2.5 struct */
        static const char body[] = "a\r\n0123456789\r\n3;x=y\r\nabc\r\n0\r\nA: b\r\n\r\n";
        char out[64], one;
        size_t i, out_len = 0;
        int saw_in_data = 0;
        init_decoder(&g, 1);
        r = -2;
        for (i = 0; i < sizeof(body) - 1 && r == -2; ++i) {
            one = body[i];
            sz = 1;
            r = phr_decode_chunked(&g.d, &one, &sz);
            if (sz == 1)
                out[out_len++] = one;
            saw_in_data |= phr_decode_chunked_is_in_data(&g.d);
            check_canary(&g, "byte at a time");
        }
        CHECK(r == 0 && i == sizeof(body) - 1 && bytes_eq(out, out_len, "0123456789abc"), "chunked byte at a time: %zd", r);
        CHECK(saw_in_data, "phr_decode_chunked_is_in_data never true");
    }
    {
        /* a flood of tiny chunks: 2.2.5 has no overhead check (no room for the counters), so -2 */
        size_t n = 30000, i;
        char *b = malloc(n * 6);
        for (i = 0; i < n; ++i)
            memcpy(b + 6 * i, "1\r\nx\r\n", 6);
        init_decoder(&g, 0);
        sz = n * 6;
        r = phr_decode_chunked(&g.d, b, &sz);
        CHECK(r == -2 && sz == n, "tiny chunks through the 2.2.5 struct: %zd sz %zu", r, sz);
        check_canary(&g, "tiny chunks");
        free(b);
    }
    {
        char buf[] = "zz\r\n";
        init_decoder(&g, 0);
        sz = sizeof(buf) - 1;
        r = phr_decode_chunked(&g.d, buf, &sz);
        CHECK(r == -1, "invalid chunk size: %zd", r);
        check_canary(&g, "error");
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <expected-lib-dir> | --debian\n", argv[0]);
        return 2;
    }
    if (!check_origin(argv[1]))
        return check_report("parser-relink");
    check_parsers();
    check_chunked();
    return check_report("parser-relink");
}
