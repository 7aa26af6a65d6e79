/*
 * Behaviour of the picohttpparser API, driven from C through the installed header and library.
 *
 * Table-driven: each request/response/header-block case lists its input, the header capacity, the
 * expected return value and (when complete) the expected fields. Every complete case is also fed
 * one byte at a time with last_len set, which must answer -2 until the last byte and then the same
 * result. The chunked cases are decoded in one piece and one byte at a time. Run once per SIMD
 * level (H2O_RS_SIMD); the inputs include long lines so the vector paths see them.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <picohttpparser.h>

#include "check.h"

#define FULL INT_MAX /* expected return: the whole input */
#define DEFCAP (-1)  /* header capacity: the default (16) */
#define MAXH 16

/* an input with an explicit length, so that it may hold NUL bytes */
#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name; /* NULL for a continuation line */
    const char *value;
} hdr_t;

struct req_case {
    const char *label;
    const char *in;
    size_t in_len;
    int cap;
    int ret;
    const char *method, *path;
    int minor;
    int nh;
    hdr_t h[6];
};

struct res_case {
    const char *label;
    const char *in;
    size_t in_len;
    int cap;
    int ret;
    int minor, status;
    const char *msg;
    int nh;
    hdr_t h[6];
};

struct hdrs_case {
    const char *label;
    const char *in;
    size_t in_len;
    int cap;
    int ret;
    int nh;
    hdr_t h[6];
};

#define LONG_PATH                                                                                                      \
    "/a/very/long/path/that/spans/more/than/sixty-four/bytes/so/every/vector/width/is/used/index.html?q=1&r=2"
#define LONG_VALUE                                                                                                     \
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"

static const struct req_case req_cases[] = {
    {"simple", IN("GET / HTTP/1.0\r\n\r\n"), DEFCAP, FULL, "GET", "/", 0, 0, {{0}}},
    {"two headers, empty value", IN("GET /hoge HTTP/1.1\r\nHost: example.com\r\nCookie: \r\n\r\n"), DEFCAP, FULL, "GET",
     "/hoge", 1, 2, {{"Host", "example.com"}, {"Cookie", ""}}},
    {"value with bytes >= 0x80", IN("GET /hoge HTTP/1.1\r\nHost: example.com\r\nUser-Agent: \343\201\262\343/1.0\r\n\r\n"),
     DEFCAP, FULL, "GET", "/hoge", 1, 2, {{"Host", "example.com"}, {"User-Agent", "\343\201\262\343/1.0"}}},
    {"continuation lines", IN("GET / HTTP/1.0\r\nfoo: \r\nfoo: b\r\n  \tc\r\n\r\n"), DEFCAP, FULL, "GET", "/", 0, 3,
     {{"foo", ""}, {"foo", "b"}, {NULL, "  \tc"}}},
    {"continuation with tab", IN("GET / HTTP/1.1\r\nX: a\r\n\tb  \r\n\r\n"), DEFCAP, FULL, "GET", "/", 1, 2,
     {{"X", "a"}, {NULL, "\tb"}}},
    {"values trimmed", IN("GET / HTTP/1.1\r\nfoo:  \t bar  baz \t \r\nx:y\r\n\r\n"), DEFCAP, FULL, "GET", "/", 1, 2,
     {{"foo", "bar  baz"}, {"x", "y"}}},
    {"long path and value", IN("POST " LONG_PATH " HTTP/1.1\r\nUser-Agent: " LONG_VALUE "\r\nX-Long-Header-Name-For-The-Vector-Scanner-0123456789: v\r\n\r\n"),
     DEFCAP, FULL, "POST", LONG_PATH, 1, 2,
     {{"User-Agent", LONG_VALUE}, {"X-Long-Header-Name-For-The-Vector-Scanner-0123456789", "v"}}},
    {"bare LF line ends", IN("GET / HTTP/1.0\nfoo: a\nbar: b\n\n"), DEFCAP, FULL, "GET", "/", 0, 2,
     {{"foo", "a"}, {"bar", "b"}}},
    {"mixed line ends", IN("GET / HTTP/1.1\r\nfoo: a\nbar: b\r\n\n"), DEFCAP, FULL, "GET", "/", 1, 2,
     {{"foo", "a"}, {"bar", "b"}}},
    {"leading CRLF skipped", IN("\r\nGET / HTTP/1.1\r\n\r\n"), DEFCAP, FULL, "GET", "/", 1, 0, {{0}}},
    {"leading LF skipped", IN("\nGET / HTTP/1.1\r\n\r\n"), DEFCAP, FULL, "GET", "/", 1, 0, {{0}}},
    {"two leading CRLF", IN("\r\n\r\nGET / HTTP/1.1\r\n\r\n"), DEFCAP, -1},
    {"several spaces", IN("GET   /x   HTTP/1.1\r\n\r\n"), DEFCAP, FULL, "GET", "/x", 1, 0, {{0}}},
    {"trailing data not consumed", IN("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\n"), DEFCAP,
     (int)sizeof("GET / HTTP/1.1\r\nHost: a\r\n\r\n") - 1, "GET", "/", 1, 1, {{"Host", "a"}}},
    {"path with bytes >= 0x80", IN("GET /\xa0\xff HTTP/1.1\r\n\r\n"), DEFCAP, FULL, "GET", "/\xa0\xff", 1, 0, {{0}}},
    {"absolute-form and odd method", IN("M-SEARCH* http://h/p?x HTTP/1.1\r\n\r\n"), DEFCAP, FULL, "M-SEARCH*",
     "http://h/p?x", 1, 0, {{0}}},
    {"capacity exact", IN("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\n\r\n"), 2, FULL, "GET", "/", 1, 2, {{"a", "1"}, {"b", "2"}}},
    {"capacity overflow", IN("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\n\r\n"), 1, -1},
    {"capacity 0, no headers", IN("GET / HTTP/1.1\r\n\r\n"), 0, FULL, "GET", "/", 1, 0, {{0}}},
    {"capacity 0, one header", IN("GET / HTTP/1.1\r\na: 1\r\n\r\n"), 0, -1},
    {"continuation counts against capacity", IN("GET / HTTP/1.1\r\na: 1\r\n b\r\n\r\n"), 1, -1},
    /* partial */
    {"empty", IN(""), DEFCAP, -2},
    {"partial method", IN("GET"), DEFCAP, -2},
    {"partial after method", IN("GET "), DEFCAP, -2},
    {"partial path", IN("GET /"), DEFCAP, -2},
    {"partial after path", IN("GET / "), DEFCAP, -2},
    {"partial version", IN("GET / H"), DEFCAP, -2},
    {"partial version 2", IN("GET / HTTP/1."), DEFCAP, -2},
    {"partial version 3", IN("GET / HTTP/1.0"), DEFCAP, -2},
    {"partial CR", IN("GET / HTTP/1.0\r"), DEFCAP, -2},
    {"partial headers", IN("GET / HTTP/1.0\r\nHost: a\r\n"), DEFCAP, -2},
    {"partial header name", IN("GET / HTTP/1.0\r\nHo"), DEFCAP, -2},
    {"partial header value", IN("GET / HTTP/1.0\r\nHost: exa"), DEFCAP, -2},
    {"partial final CR", IN("GET / HTTP/1.0\r\nHost: a\r\n\r"), DEFCAP, -2},
    /* invalid */
    {"empty method", IN(" / HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"empty path", IN("GET  HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"no version", IN("GET /\r\n\r\n"), DEFCAP, -1},
    {"bad version letter", IN("GET / HTTP/1.x\r\n\r\n"), DEFCAP, -1},
    {"HTTP/2.0", IN("GET / HTTP/2.0\r\n\r\n"), DEFCAP, -1},
    {"two-digit minor", IN("GET / HTTP/1.10\r\n\r\n"), DEFCAP, -1},
    {"lower-case http", IN("GET / http/1.1\r\n\r\n"), DEFCAP, -1},
    {"garbage after version", IN("GET / HTTP/1.1 \r\n\r\n"), DEFCAP, -1},
    {"CR without LF", IN("GET / HTTP/1.1\rX\r\n\r\n"), DEFCAP, -1},
    {"NUL in method", IN("G\0T / HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"separator in method", IN("GE(T / HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"NUL in path", IN("GET /\0 HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"DEL in path", IN("GET /\x7fhello HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"tab in path", IN("GET /a\tb HTTP/1.0\r\n\r\n"), DEFCAP, -1},
    {"NUL in header name", IN("GET / HTTP/1.0\r\n\0: a\r\n\r\n"), DEFCAP, -1},
    {"NUL inside header name", IN("GET / HTTP/1.0\r\nab\0c: d\r\n\r\n"), DEFCAP, -1},
    {"NUL in header value", IN("GET / HTTP/1.0\r\nab: c\0d\r\n\r\n"), DEFCAP, -1},
    {"DEL in header value", IN("GET / HTTP/1.0\r\nab: c\x7f\r\n\r\n"), DEFCAP, -1},
    {"empty header name", IN("GET / HTTP/1.0\r\n:a\r\n\r\n"), DEFCAP, -1},
    {"space before colon", IN("GET / HTTP/1.0\r\nfoo : ab\r\n\r\n"), DEFCAP, -1},
    {"space-started first header", IN("GET / HTTP/1.0\r\n foo: ab\r\n\r\n"), DEFCAP, -1},
    {"separator in header name", IN("GET / HTTP/1.0\r\nfo{o: ab\r\n\r\n"), DEFCAP, -1},
    {"header without colon", IN("GET / HTTP/1.0\r\nfoo\r\n\r\n"), DEFCAP, -1},
    {"CR inside header value", IN("GET / HTTP/1.0\r\nfoo: a\rb\r\n\r\n"), DEFCAP, -1},
};

static const struct res_case res_cases[] = {
    {"simple", IN("HTTP/1.0 200 OK\r\n\r\n"), DEFCAP, FULL, 0, 200, "OK", 0, {{0}}},
    {"with headers", IN("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX: y\r\n\r\n"), DEFCAP, FULL, 1, 404, "Not Found", 2,
     {{"Content-Length", "0"}, {"X", "y"}}},
    {"long reason", IN("HTTP/1.1 500 Internal Server Error with a reason phrase longer than sixty-four bytes for SIMD\r\n\r\n"),
     DEFCAP, FULL, 1, 500, "Internal Server Error with a reason phrase longer than sixty-four bytes for SIMD", 0, {{0}}},
    {"no reason", IN("HTTP/1.1 200\r\n\r\n"), DEFCAP, FULL, 1, 200, "", 0, {{0}}},
    {"empty reason", IN("HTTP/1.1 200 \r\n\r\n"), DEFCAP, FULL, 1, 200, "", 0, {{0}}},
    {"reason kept as sent", IN("HTTP/1.1 200 O K \r\n\r\n"), DEFCAP, FULL, 1, 200, "O K ", 0, {{0}}},
    {"reason after several spaces", IN("HTTP/1.1 200   OK\r\n\r\n"), DEFCAP, FULL, 1, 200, "OK", 0, {{0}}},
    {"several spaces before status", IN("HTTP/1.1   201 Created\r\n\r\n"), DEFCAP, FULL, 1, 201, "Created", 0, {{0}}},
    {"bare LF", IN("HTTP/1.1 204 No Content\nA: b\n\n"), DEFCAP, FULL, 1, 204, "No Content", 1, {{"A", "b"}}},
    {"continuation", IN("HTTP/1.0 200 OK\r\nfoo: a\r\n b\r\n\r\n"), DEFCAP, FULL, 0, 200, "OK", 2, {{"foo", "a"}, {NULL, " b"}}},
    {"capacity overflow", IN("HTTP/1.1 200 OK\r\na: 1\r\nb: 2\r\n\r\n"), 1, -1},
    {"partial", IN("H"), DEFCAP, -2},
    {"partial version", IN("HTTP/1.1"), DEFCAP, -2},
    {"partial status", IN("HTTP/1.1 20"), DEFCAP, -2},
    {"partial reason", IN("HTTP/1.1 200 O"), DEFCAP, -2},
    {"partial headers", IN("HTTP/1.1 200 OK\r\n"), DEFCAP, -2},
    {"partial header", IN("HTTP/1.1 200 OK\r\nA: b"), DEFCAP, -2},
    {"two-digit status", IN("HTTP/1.1 20 OK\r\n\r\n"), DEFCAP, -1},
    {"four-digit status", IN("HTTP/1.1 2000 OK\r\n\r\n"), DEFCAP, -1},
    {"letter in status", IN("HTTP/1.1 2x0 OK\r\n\r\n"), DEFCAP, -1},
    {"no space after version", IN("HTTP/1.1200 OK\r\n\r\n"), DEFCAP, -1},
    {"bad version", IN("HTTP/1. 200 OK\r\n\r\n"), DEFCAP, -1},
    {"HTTP/2", IN("HTTP/2.0 200 OK\r\n\r\n"), DEFCAP, -1},
    {"NUL in reason", IN("HTTP/1.1 200 O\0K\r\n\r\n"), DEFCAP, -1},
    {"bad header", IN("HTTP/1.1 200 OK\r\nA b\r\n\r\n"), DEFCAP, -1},
};

static const struct hdrs_case hdrs_cases[] = {
    {"two", IN("Host: example.com\r\nCookie: \r\n\r\n"), DEFCAP, FULL, 2, {{"Host", "example.com"}, {"Cookie", ""}}},
    {"empty block CRLF", IN("\r\n"), DEFCAP, FULL, 0, {{0}}},
    {"empty block LF", IN("\n"), DEFCAP, FULL, 0, {{0}}},
    {"continuation", IN("a: b\r\n c\r\n\r\n"), DEFCAP, FULL, 2, {{"a", "b"}, {NULL, " c"}}},
    {"long", IN("User-Agent: " LONG_VALUE "\r\nAccept: */*\r\n\r\nbody"), DEFCAP,
     (int)sizeof("User-Agent: " LONG_VALUE "\r\nAccept: */*\r\n\r\n") - 1, 2, {{"User-Agent", LONG_VALUE}, {"Accept", "*/*"}}},
    {"partial", IN("Host: example.com\r\nCookie: \r\n"), DEFCAP, -2},
    {"partial empty", IN(""), DEFCAP, -2},
    {"overflow", IN("a: 1\r\nb: 2\r\nc: 3\r\n\r\n"), 2, -1},
    {"leading continuation", IN(" a: b\r\n\r\n"), DEFCAP, -1},
    {"bad name", IN("a\"b: c\r\n\r\n"), DEFCAP, -1},
};

static int expected_ret(int ret, size_t len)
{
    return ret == FULL ? (int)len : ret;
}

static void check_headers(const char *what, const char *label, const struct phr_header *got, size_t ngot, const hdr_t *want,
                          int nwant)
{
    size_t i;
    CHECK(ngot == (size_t)nwant, "%s %s: %zu headers, expected %d", what, label, ngot, nwant);
    for (i = 0; i < ngot && i < (size_t)nwant; ++i) {
        if (want[i].name == NULL) {
            CHECK(got[i].name == NULL && got[i].name_len == 0, "%s %s: header %zu name \"%s\", expected NULL", what, label, i,
                  show(got[i].name, got[i].name_len));
        } else {
            CHECK(bytes_eq(got[i].name, got[i].name_len, want[i].name), "%s %s: header %zu name \"%s\", expected \"%s\"", what,
                  label, i, show(got[i].name, got[i].name_len), show(want[i].name, strlen(want[i].name)));
        }
        CHECK(bytes_eq(got[i].value, got[i].value_len, want[i].value), "%s %s: header %zu value \"%s\", expected \"%s\"", what,
              label, i, show(got[i].value, got[i].value_len), show(want[i].value, strlen(want[i].value)));
    }
}

/* Parses `in` as a request with the given capacity and last_len; a private copy of the input makes
 * any read past the end visible to valgrind/ASan. */
static int run_request(const struct req_case *c, size_t len, size_t last_len, const char **method, size_t *method_len,
                       const char **path, size_t *path_len, int *minor, struct phr_header *h, size_t *nh)
{
    *nh = c->cap == DEFCAP ? MAXH : (size_t)c->cap;
    return phr_parse_request(c->in, len, method, method_len, path, path_len, minor, h, nh, last_len);
}

static void test_requests(void)
{
    size_t i;
    for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); ++i) {
        const struct req_case *c = &req_cases[i];
        char *copy = malloc(c->in_len ? c->in_len : 1);
        struct req_case cc = *c;
        const char *method, *path;
        size_t method_len, path_len, nh;
        int minor, r, want = expected_ret(c->ret, c->in_len);
        struct phr_header h[MAXH];

        memcpy(copy, c->in, c->in_len);
        cc.in = copy;
        r = run_request(&cc, c->in_len, 0, &method, &method_len, &path, &path_len, &minor, h, &nh);
        CHECK(r == want, "request %s: returned %d, expected %d", c->label, r, want);
        if (r > 0 && r == want) {
            CHECK(bytes_eq(method, method_len, c->method), "request %s: method \"%s\"", c->label, show(method, method_len));
            CHECK(bytes_eq(path, path_len, c->path), "request %s: path \"%s\"", c->label, show(path, path_len));
            CHECK(minor == c->minor, "request %s: minor_version %d", c->label, minor);
            check_headers("request", c->label, h, nh, c->h, c->nh);
        }
        if (want > 0) {
            /* incremental: one more byte each call, last_len = the previous length */
            size_t len;
            for (len = 1; len <= (size_t)want; ++len) {
                r = run_request(&cc, len, len - 1, &method, &method_len, &path, &path_len, &minor, h, &nh);
                if (len < (size_t)want) {
                    CHECK(r == -2, "request %s: incremental len %zu returned %d, expected -2", c->label, len, r);
                } else {
                    CHECK(r == want, "request %s: incremental final returned %d, expected %d", c->label, r, want);
                    if (r == want) {
                        CHECK(bytes_eq(method, method_len, c->method) && bytes_eq(path, path_len, c->path) &&
                                  minor == c->minor,
                              "request %s: incremental fields differ", c->label);
                        check_headers("request (incremental)", c->label, h, nh, c->h, c->nh);
                    }
                }
            }
            /* a request split in two with last_len = first piece's length */
            for (len = 1; len < (size_t)want; ++len) {
                r = run_request(&cc, want, len, &method, &method_len, &path, &path_len, &minor, h, &nh);
                CHECK(r == want, "request %s: with last_len %zu returned %d, expected %d", c->label, len, r, want);
            }
        }
        free(copy);
    }
}

static void test_responses(void)
{
    size_t i;
    for (i = 0; i < sizeof(res_cases) / sizeof(res_cases[0]); ++i) {
        const struct res_case *c = &res_cases[i];
        char *copy = malloc(c->in_len ? c->in_len : 1);
        const char *msg;
        size_t msg_len, nh, len;
        int minor, status, r, want = expected_ret(c->ret, c->in_len);
        struct phr_header h[MAXH];

        memcpy(copy, c->in, c->in_len);
        nh = c->cap == DEFCAP ? MAXH : (size_t)c->cap;
        r = phr_parse_response(copy, c->in_len, &minor, &status, &msg, &msg_len, h, &nh, 0);
        CHECK(r == want, "response %s: returned %d, expected %d", c->label, r, want);
        if (r > 0 && r == want) {
            CHECK(minor == c->minor, "response %s: minor_version %d", c->label, minor);
            CHECK(status == c->status, "response %s: status %d", c->label, status);
            CHECK(msg != NULL && bytes_eq(msg, msg_len, c->msg), "response %s: msg \"%s\"", c->label, show(msg, msg_len));
            check_headers("response", c->label, h, nh, c->h, c->nh);
        }
        if (want > 0) {
            for (len = 1; len <= (size_t)want; ++len) {
                nh = c->cap == DEFCAP ? MAXH : (size_t)c->cap;
                r = phr_parse_response(copy, len, &minor, &status, &msg, &msg_len, h, &nh, len - 1);
                CHECK(r == (len < (size_t)want ? -2 : want), "response %s: incremental len %zu returned %d", c->label, len, r);
            }
            if (r == want) {
                CHECK(status == c->status && bytes_eq(msg, msg_len, c->msg), "response %s: incremental fields differ", c->label);
                check_headers("response (incremental)", c->label, h, nh, c->h, c->nh);
            }
        }
        free(copy);
    }
}

static void test_header_blocks(void)
{
    size_t i;
    for (i = 0; i < sizeof(hdrs_cases) / sizeof(hdrs_cases[0]); ++i) {
        const struct hdrs_case *c = &hdrs_cases[i];
        char *copy = malloc(c->in_len ? c->in_len : 1);
        size_t nh, len;
        int r, want = expected_ret(c->ret, c->in_len);
        struct phr_header h[MAXH];

        memcpy(copy, c->in, c->in_len);
        nh = c->cap == DEFCAP ? MAXH : (size_t)c->cap;
        r = phr_parse_headers(copy, c->in_len, h, &nh, 0);
        CHECK(r == want, "headers %s: returned %d, expected %d", c->label, r, want);
        if (r > 0 && r == want)
            check_headers("headers", c->label, h, nh, c->h, c->nh);
        if (want > 0 && c->nh == 0) {
            /* last_len makes the parser look for two line ends first; an empty block has one, so
             * with last_len set it stays -2 (upstream does the same) */
            nh = MAXH;
            r = phr_parse_headers(copy, c->in_len, h, &nh, 1);
            CHECK(r == -2, "headers %s: with last_len returned %d, expected -2", c->label, r);
        } else if (want > 0) {
            for (len = 1; len <= (size_t)want; ++len) {
                nh = c->cap == DEFCAP ? MAXH : (size_t)c->cap;
                r = phr_parse_headers(copy, len, h, &nh, len - 1);
                CHECK(r == (len < (size_t)want ? -2 : want), "headers %s: incremental len %zu returned %d", c->label, len, r);
            }
        }
        free(copy);
    }
}

/* The slowloris shortcut: with last_len set, an incomplete head is -2 even when the bytes seen so
 * far are invalid; and last_len larger than len must not make the parser read outside the buffer. */
static void test_last_len(void)
{
    static const char bad[] = "GET\0/ HTTP/1.1\r\n";
    const char *method, *path;
    size_t method_len, path_len, nh = MAXH;
    int minor, r;
    struct phr_header h[MAXH];

    r = phr_parse_request(bad, sizeof(bad) - 1, &method, &method_len, &path, &path_len, &minor, h, &nh, 0);
    CHECK(r == -1, "invalid partial request without last_len: %d, expected -1", r);
    nh = MAXH;
    r = phr_parse_request(bad, sizeof(bad) - 1, &method, &method_len, &path, &path_len, &minor, h, &nh, 5);
    CHECK(r == -2, "invalid partial request with last_len: %d, expected -2 (head not complete yet)", r);
    nh = MAXH;
    r = phr_parse_request("GET / HTTP/1.1\r\n\r\n", 18, &method, &method_len, &path, &path_len, &minor, h, &nh, 1000);
    CHECK(r == -2 || r == 18, "last_len beyond len: %d", r);
}

/* ---------------------------------------------------------------------------------------------- */
/* chunked */

struct chunk_case {
    const char *label;
    const char *in;
    size_t in_len;
    int consume_trailer;
    int ret;             /* -1, -2, or the number of bytes left after the body */
    const char *decoded; /* expected decoded data (when ret != -1) */
};

static const struct chunk_case chunk_cases[] = {
    {"one chunk", IN("b\r\nhello world\r\n0\r\n"), 0, 0, "hello world"},
    {"two chunks", IN("6\r\nhello \r\n5\r\nworld\r\n0\r\n"), 0, 0, "hello world"},
    {"upper-case hex", IN("A\r\n0123456789\r\n0\r\n"), 0, 0, "0123456789"},
    {"trailers kept", IN("6\r\nhello \r\n5\r\nworld\r\n0\r\na: b\r\nc: d\r\n\r\n"), 0, 14, "hello world"},
    {"trailers consumed", IN("6\r\nhello \r\n5\r\nworld\r\n0\r\na: b\r\nc: d\r\n\r\n"), 1, 0, "hello world"},
    {"end without trailers consumed", IN("5\r\nhello\r\n0\r\n\r\n"), 1, 0, "hello"},
    {"bytes after the body", IN("5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n"), 1, 16, "hello"},
    {"bytes after the body, trailers kept", IN("5\r\nhello\r\n0\r\n\r\nGET"), 0, 5, "hello"},
    {"extensions", IN("6;name=value\r\nhello \r\n5 ; x=\"y\"\r\nworld\r\n0;last\r\n\r\n"), 1, 0, "hello world"},
    {"BWS before extension", IN("5\t;a\r\nhello\r\n0\r\n\r\n"), 1, 0, "hello"},
    {"trailer lines with bare LF", IN("1\r\nx\r\n0\r\nA: b\n\n"), 1, 0, "x"},
    {"16 hex digits", IN("0000000000000005\r\nhello\r\n0\r\n\r\n"), 1, 0, "hello"},
    {"partial size", IN("5"), 0, -2, ""},
    {"partial data", IN("5\r\nhel"), 0, -2, "hel"},
    {"partial after data", IN("5\r\nhello\r"), 0, -2, "hello"},
    {"partial trailer", IN("5\r\nhello\r\n0\r\nA: b\r\n"), 1, -2, "hello"},
    {"17 hex digits overflow", IN("00000000000000005\r\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"17 hex digits, large", IN("10000000000000000\r\n"), 1, -1, NULL},
    {"no hex digit", IN("x\r\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"empty size line", IN("\r\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"garbage after size", IN("5x\r\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"bare LF after size", IN("5\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"bare LF after extension", IN("5;a=b\nhello\r\n0\r\n\r\n"), 1, -1, NULL},
    {"bare LF after data", IN("5\r\nhello\n0\r\n\r\n"), 1, -1, NULL},
    {"bare LF after last chunk", IN("5\r\nhello\r\n0\n\r\n"), 1, -1, NULL},
    {"CR CR LF after data", IN("5\r\nhello\r\r\n0\r\n\r\n"), 1, -1, NULL},
    {"data longer than size", IN("5\r\nhelloX\r\n0\r\n\r\n"), 1, -1, NULL},
    {"CR not followed by LF", IN("5\rhello\r\n0\r\n\r\n"), 1, -1, NULL},
};

/* decodes in[0..len] in pieces of `step` bytes (0 = in one piece); returns the result and the decoded
 * bytes, with *rest set to the bytes left after the body, counted over the whole input */
static int decode_pieces(const struct chunk_case *c, size_t step, char *out, size_t *out_len)
{
    struct phr_chunked_decoder dec;
    char *buf = malloc(c->in_len + 1);
    size_t off = 0;
    ssize_t r = -2;
    *out_len = 0;
    memset(&dec, 0, sizeof(dec));
    dec.consume_trailer = (char)c->consume_trailer;
    if (step == 0)
        step = c->in_len;
    while (off < c->in_len) {
        size_t n = c->in_len - off < step ? c->in_len - off : step, sz = n;
        char *piece = malloc(n);
        memcpy(piece, c->in + off, n);
        r = phr_decode_chunked(&dec, piece, &sz);
        if (r != -1) {
            memcpy(out + *out_len, piece, sz);
            *out_len += sz;
        }
        free(piece);
        off += n;
        if (r != -2) {
            if (r >= 0)
                r += (ssize_t)(c->in_len - off);
            break;
        }
    }
    free(buf);
    return (int)r;
}

static void test_chunked(void)
{
    size_t i, step;
    for (i = 0; i < sizeof(chunk_cases) / sizeof(chunk_cases[0]); ++i) {
        const struct chunk_case *c = &chunk_cases[i];
        char out[256];
        for (step = 0; step <= 3; ++step) {
            size_t out_len;
            int r = decode_pieces(c, step, out, &out_len);
            CHECK(r == c->ret, "chunked %s (pieces of %zu): returned %d, expected %d", c->label, step, r, c->ret);
            if (r == c->ret && r != -1)
                CHECK(bytes_eq(out, out_len, c->decoded), "chunked %s (pieces of %zu): decoded \"%s\"", c->label, step,
                      show(out, out_len));
        }
    }
}

static void test_chunked_in_place(void)
{
    char buf[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nNEXT";
    size_t sz = sizeof(buf) - 1;
    struct phr_chunked_decoder dec;
    ssize_t r;
    memset(&dec, 0, sizeof(dec));
    dec.consume_trailer = 1;
    CHECK(!phr_decode_chunked_is_in_data(&dec), "is_in_data at start");
    r = phr_decode_chunked(&dec, buf, &sz);
    CHECK(r == 4 && sz == 11 && memcmp(buf, "hello worldNEXT", 15) == 0,
          "in place: r=%zd sz=%zu buf=\"%s\" (the rest must follow the data)", r, sz, show(buf, 15));

    {
        char b2[] = "5\r\nhel";
        size_t s2 = sizeof(b2) - 1;
        memset(&dec, 0, sizeof(dec));
        r = phr_decode_chunked(&dec, b2, &s2);
        CHECK(r == -2 && s2 == 3 && phr_decode_chunked_is_in_data(&dec), "is_in_data inside a chunk: r=%zd", r);
        CHECK(dec.bytes_left_in_chunk == 2, "bytes_left_in_chunk %zu, expected 2", dec.bytes_left_in_chunk);
    }
    {
        char b3[] = "5\r\nhello\r";
        size_t s3 = sizeof(b3) - 1;
        memset(&dec, 0, sizeof(dec));
        r = phr_decode_chunked(&dec, b3, &s3);
        CHECK(r == -2 && !phr_decode_chunked_is_in_data(&dec), "is_in_data after a chunk's data: r=%zd", r);
    }
}

/* the 2.2.5 symbol, reached by name: the header maps phr_decode_chunked to the 32-byte API */
struct decoder_2_2_5 {
    size_t bytes_left_in_chunk;
    char consume_trailer;
    char _hex_count;
    char _state;
};
typedef ssize_t (*legacy_decode_fn)(struct decoder_2_2_5 *, char *, size_t *);

/* A body of `n` one-byte chunks ("1\r\nx\r\n"): 5 bytes of framing per byte of data. */
static char *tiny_chunks(size_t n, size_t *len)
{
    char *b = malloc(n * 6), *p = b;
    size_t i;
    for (i = 0; i < n; ++i, p += 6)
        memcpy(p, "1\r\nx\r\n", 6);
    *len = n * 6;
    return b;
}

static void test_overhead_flood(void)
{
    legacy_decode_fn legacy = (legacy_decode_fn)dlsym(RTLD_DEFAULT, "phr_decode_chunked");
    size_t len, sz, off;
    char *body;
    ssize_t r;
    struct phr_chunked_decoder dec;

    /* one buffer of 30000 tiny chunks: 150000 bytes of overhead, 1/6 of the bytes are data */
    body = tiny_chunks(30000, &len);
    memset(&dec, 0, sizeof(dec));
    sz = len;
    r = phr_decode_chunked(&dec, body, &sz);
    CHECK(r == -1, "overhead flood in one piece through the 32-byte API: %zd, expected -1", r);
    free(body);

    /* the same fed in 4 KiB pieces must fail too, once the overhead passes 100 KiB */
    body = tiny_chunks(30000, &len);
    memset(&dec, 0, sizeof(dec));
    r = -2;
    for (off = 0; off < len && r == -2; off += 4096) {
        sz = len - off < 4096 ? len - off : 4096;
        r = phr_decode_chunked(&dec, body + off, &sz);
    }
    CHECK(r == -1, "overhead flood in pieces through the 32-byte API: %zd, expected -1", r);
    CHECK(off > 100 * 1024, "flood detected after only %zu bytes (before 100 KiB of overhead)", off);
    free(body);

    /* a small flood (under 100 KiB of overhead) is accepted */
    body = tiny_chunks(1000, &len);
    memset(&dec, 0, sizeof(dec));
    sz = len;
    r = phr_decode_chunked(&dec, body, &sz);
    CHECK(r == -2 && sz == 1000, "small run of tiny chunks: %zd (sz %zu), expected -2 and 1000", r, sz);
    free(body);

    /* big chunks (little overhead) are never a flood */
    {
        size_t n = 200, chunk = 4096, i;
        char *b = malloc(n * (chunk + 8)), *p = b;
        for (i = 0; i < n; ++i) {
            memcpy(p, "1000\r\n", 6);
            p += 6;
            memset(p, 'a', chunk);
            p += chunk;
            memcpy(p, "\r\n", 2);
            p += 2;
        }
        memset(&dec, 0, sizeof(dec));
        sz = (size_t)(p - b);
        r = phr_decode_chunked(&dec, b, &sz);
        CHECK(r == -2 && sz == n * chunk, "big chunks: %zd (sz %zu)", r, sz);
        free(b);
    }

    /* the legacy 16-byte symbol has no room for the counters: no flood check, and no write past 16 bytes */
    CHECK(legacy != NULL, "phr_decode_chunked not found by dlsym");
    if (legacy != NULL) {
        struct {
            struct decoder_2_2_5 d;
            unsigned char canary[32];
        } s;
        size_t i;
        memset(&s, 0xa5, sizeof(s));
        memset(&s.d, 0, sizeof(s.d));
        body = tiny_chunks(30000, &len);
        sz = len;
        r = legacy(&s.d, body, &sz);
        CHECK(r == -2 && sz == 30000, "overhead flood through the 16-byte symbol: %zd (sz %zu), expected -2 and 30000", r, sz);
        for (i = 0; i < sizeof(s.canary); ++i)
            CHECK(s.canary[i] == 0xa5, "legacy decoder wrote past 16 bytes (offset %zu)", 16 + i);
        free(body);
    }
}

int main(void)
{
    CHECK(sizeof(struct phr_chunked_decoder) == 32, "struct phr_chunked_decoder is %zu bytes, expected 32",
          sizeof(struct phr_chunked_decoder));
    CHECK(sizeof(struct phr_header) == 32, "struct phr_header is %zu bytes", sizeof(struct phr_header));
    test_requests();
    test_responses();
    test_header_blocks();
    test_last_len();
    test_chunked();
    test_chunked_in_place();
    test_overhead_flood();
    return check_report("parser-behaviour");
}
