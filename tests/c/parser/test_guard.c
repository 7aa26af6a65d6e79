/*
 * Guard-page test: the parser must never read outside [buf, buf + len).
 *
 * Every prefix of every input is copied so that its last byte sits right before a PROT_NONE page,
 * then parsed as a request, a response, a header block and a chunked body (and, for the head
 * parsers, again with last_len set). A read past the end faults. A second placement puts the first
 * byte right after a PROT_NONE page, which catches reads before the buffer (e.g. last_len > len).
 * Inputs: realistic messages, the edge cases of the behaviour test, and deterministic mutations of
 * them (bytes replaced by CR, LF, SP, HTAB, ':', NUL, DEL, 0x80, ...).
 *
 * usage: parser-guard [mutations-per-input]   (default 40; the valgrind run passes fewer)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <picohttpparser.h>

#include "check.h"

#define IN(s)                                                                                                          \
    {                                                                                                                  \
        s, sizeof(s) - 1                                                                                               \
    }

struct input {
    const char *s;
    size_t len;
};

static const struct input base_inputs[] = {
    IN("GET /static/images/2015/07/profile-photo-of-a-very-small-cat-sleeping-in-a-basket.jpg HTTP/1.1\r\n"
       "Host: www.example-pictures.net\r\n"
       "Connection: keep-alive\r\n"
       "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; en-US; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3\r\n"
       "Accept: image/png,image/*;q=0.8,*/*;q=0.5\r\n"
       "Referer: http://www.example-pictures.net/2015/07/cats-in-baskets/\r\n"
       "Accept-Encoding: gzip,deflate\r\n"
       "Accept-Language: en-us,en;q=0.7,fr;q=0.3\r\n"
       "Cookie: visitor_id=3f9c2a7b; last_visit=1436912345; "
       "__utma=123456789.1234567890.1436900000.1436910000.1436912345.7; "
       "__utmz=123456789.1436900000.1.1.utmcsr=news.example.org|utmccn=(referral)|utmcmd=referral|utmcct=/item/42\r\n"
       "\r\n"),
    IN("GET /dashboard HTTP/1.1\r\nsec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\nsec-ch-ua-mobile: ?0\r\n"
       "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\nPriority: u=0, i\r\n\r\n"),
    IN("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
    IN("GET / HTTP/1.0\r\nfoo: \r\nfoo: b\r\n  \tc\r\n\r\n"),
    IN("\r\nPOST /api/v1/items?id=42 HTTP/1.1\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig\r\n"
       "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":\"b\"}"),
    IN("GET   /x   HTTP/1.1\nfoo:  \t bar  baz \t \nx:y\n\n"),
    IN("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1234\r\n"
       "Cache-Control: max-age=0, private, must-revalidate\r\nSet-Cookie: session=abcdef0123456789; Path=/; HttpOnly\r\n\r\n"),
    IN("HTTP/1.0 500 Internal Server Error with a reason phrase longer than sixty-four bytes\r\n\r\n"),
    IN("HTTP/1.1 200\r\n\r\n"),
    IN("HTTP/1.1   204   No Content\nA: b\n c\n\n"),
    IN("Host: example.com\r\nCookie: \r\n\r\n"),
    IN("User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0\r\n\r\n"),
    IN("X-Very-Long-Header-Name-That-Crosses-Several-Vector-Widths-0123456789abcdef: v\r\n\r\n"),
    IN("6\r\nhello \r\n5\r\nworld\r\n0\r\na: b\r\nc: d\r\n\r\n"),
    IN("6;name=value\r\nhello \r\n5 ; x\r\nworld\r\n0;last\r\n\r\nGET / HTTP/1.1\r\n"),
    IN("40\r\n0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n0\r\n\r\n"),
    IN("00000000000000005\r\nhello\r\n0\r\n\r\n"),
    IN("5\nhello\r\n0\r\n\r\n"),
    IN("G\0T / HTTP/1.0\r\n\r\n"),
    IN("GET /\x7f\xa0 HTTP/1.0\r\nab: c\0d\r\nx\x80: y\r\n\r\n"),
    IN("GET / HTTP/1.1\r\n:a\r\n foo : b\r\n\r\n"),
};

static const char special[] = "\r\n \t:;\0\x7f\x80\xff/H0aZ";

static size_t page;

/* A region of two pages: [0, page) readable and writable, [page, 2*page) PROT_NONE; and a second one
 * with the PROT_NONE page first. */
static char *tail_region, *head_region;

static char *map_guarded(int guard_first)
{
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    if (mprotect(guard_first ? p : p + page, page, PROT_NONE) != 0) {
        perror("mprotect");
        exit(2);
    }
    return guard_first ? p + page : p;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static unsigned long parses;

static void parse_all(char *buf, size_t len, const char *orig)
{
    const char *method, *path, *msg;
    size_t method_len, path_len, msg_len, nh, last_len, sz;
    int minor, status, r;
    struct phr_header h[8];
    size_t lasts[4];
    int i;

    lasts[0] = 0;
    lasts[1] = len > 0 ? len - 1 : 0;
    lasts[2] = len / 2;
    lasts[3] = len + 7; /* larger than len: must not make the parser look outside the buffer */
    for (i = 0; i < 4; ++i) {
        last_len = lasts[i];
        nh = 8;
        r = phr_parse_request(buf, len, &method, &method_len, &path, &path_len, &minor, h, &nh, last_len);
        CHECK(r >= -2 && r <= (int)len, "request returned %d for len %zu", r, len);
        nh = 8;
        r = phr_parse_response(buf, len, &minor, &status, &msg, &msg_len, h, &nh, last_len);
        CHECK(r >= -2 && r <= (int)len, "response returned %d for len %zu", r, len);
        nh = 8;
        r = phr_parse_headers(buf, len, h, &nh, last_len);
        CHECK(r >= -2 && r <= (int)len, "headers returned %d for len %zu", r, len);
        /* small capacities exercise the overflow path */
        nh = 1;
        phr_parse_request(buf, len, &method, &method_len, &path, &path_len, &minor, h, &nh, last_len);
        parses += 4;
    }
    /* chunked decoding rewrites the buffer: decode in place, then restore */
    {
        struct phr_chunked_decoder dec;
        ssize_t cr;
        memset(&dec, 0, sizeof(dec));
        dec.consume_trailer = 1;
        sz = len;
        cr = phr_decode_chunked(&dec, buf, &sz);
        CHECK(cr >= -2 && (cr < 0 || (size_t)cr <= len) && sz <= len, "chunked returned %zd sz %zu for len %zu", cr, sz, len);
        memcpy(buf, orig, len);
        memset(&dec, 0, sizeof(dec));
        sz = len;
        phr_decode_chunked(&dec, buf, &sz);
        memcpy(buf, orig, len);
        parses += 2;
    }
}

/* every prefix, placed against both guard pages */
static void run_input(const char *s, size_t len)
{
    size_t n;
    if (len > page)
        len = page;
    for (n = 0; n <= len; ++n) {
        char *tail = tail_region + page - n;
        memcpy(tail, s, n);
        parse_all(tail, n, s);
        memcpy(head_region, s, n);
        parse_all(head_region, n, s);
    }
    /* the chunked decoder fed one byte at a time, each byte against the guard page */
    {
        struct phr_chunked_decoder dec;
        size_t i, sz;
        ssize_t r = -2;
        memset(&dec, 0, sizeof(dec));
        for (i = 0; i < len && r == -2; ++i) {
            char *b = tail_region + page - 1;
            *b = s[i];
            sz = 1;
            r = phr_decode_chunked(&dec, b, &sz);
        }
    }
}

int main(int argc, char **argv)
{
    int mutations = argc > 1 ? atoi(argv[1]) : 40;
    size_t i;
    int m;
    char mutated[4096];

    page = (size_t)sysconf(_SC_PAGESIZE);
    tail_region = map_guarded(0);
    head_region = map_guarded(1);

    for (i = 0; i < sizeof(base_inputs) / sizeof(base_inputs[0]); ++i) {
        const struct input *in = &base_inputs[i];
        run_input(in->s, in->len);
        for (m = 0; m < mutations; ++m) {
            size_t k, edits = 1 + rnd() % 4;
            memcpy(mutated, in->s, in->len);
            for (k = 0; k < edits; ++k)
                mutated[rnd() % in->len] = special[rnd() % (sizeof(special) - 1)];
            run_input(mutated, in->len);
        }
    }
    printf("parser-guard: %lu parses\n", parses);
    return check_report("parser-guard");
}
