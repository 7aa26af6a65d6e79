/*
 * phr-diff: differential check of two picohttpparser implementations (ours and Debian's 2.2.5).
 *
 *   phr-diff [--ours PATH] [--debian PATH] [--iterations N] [--seed S]
 *
 * Mutates a corpus of requests, responses, header blocks and chunked bodies (byte replacements
 * with CR, LF, SP, HTAB, ':', NUL, DEL, high bytes..., insertions, deletions, truncations), runs each
 * input through both libraries, and compares return values and every output field (pointers as
 * offsets into the input). Differences are grouped by kind (function, the two outcomes, the first
 * field that differs); each kind is printed once with an input shrunk (bytes removed while the
 * kind stays the same) to a small example. last_len is kept <= len, since 2.2.5 reads before the
 * buffer when last_len > len + 3.
 */
#include "phr_dl.h"

#include <stdint.h>

#include "requests.h"

#define MAXH 16
#define MAX_IN 2048
#define MAX_KINDS 256

static struct phr_lib A, B; /* A = ours, B = Debian's */

static const char *const seeds[] = {
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET /hoge HTTP/1.1\r\nHost: example.com\r\nCookie: \r\n\r\n",
    "GET / HTTP/1.0\r\nfoo: \r\nfoo: b\r\n  \tc\r\n\r\n",
    "POST /x?y=1 HTTP/1.0\r\nContent-Length: 5\r\nX:  v \t\r\n\r\nhello",
    "\r\nGET   /p   HTTP/1.1\nA: b\n\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX: y\r\n\r\n",
    "HTTP/1.0 404 Not Found\r\n\r\n",
    "HTTP/1.1 200\r\nA: b\r\n\r\n",
    "Host: example.com\r\nCookie: \r\n\r\n",
    "a: b\r\n c\r\n\r\n",
    "6\r\nhello \r\n5;ext=1\r\nworld\r\n0\r\na: b\r\n\r\n",
    "b\r\nhello world\r\n0\r\n\r\nGET",
    "5\r\nhello\r\n0\r\n\r\n",
};

static const char special[] = "\r\n \t:;\0\x7f\x80\xff/H0aZ.,\"()";

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

enum fn { F_REQUEST, F_RESPONSE, F_HEADERS, F_CHUNKED, F_CHUNKED_BYTEWISE, F_N };
static const char *const fn_names[] = {"phr_parse_request", "phr_parse_response", "phr_parse_headers",
                                       "phr_decode_chunked", "phr_decode_chunked (one byte per call)"};

/* the outcome of one call, with pointers turned into offsets */
struct outcome {
    long ret;
    long f[6];   /* method/path offsets+lengths, or minor/status/msg, ... */
    size_t nh;
    long h[MAXH][4];
    char out[MAX_IN];
    size_t out_len;
    size_t left; /* chunked: bytes_left_in_chunk */
};

#define OFF(p, base) ((p) == NULL ? -1L : (long)((const char *)(p) - (base)))

static void call(const struct phr_lib *lib, enum fn fn, const char *in, size_t len, size_t last_len, struct outcome *o)
{
    struct phr_header h[MAXH];
    char *copy = malloc(len + 1);
    size_t i;
    memset(o, 0, sizeof(*o));
    memcpy(copy, in, len);
    o->nh = MAXH;
    if (fn == F_REQUEST) {
        const char *m, *p;
        size_t ml, pl;
        int minor;
        o->ret = lib->parse_request(copy, len, &m, &ml, &p, &pl, &minor, h, &o->nh, last_len);
        if (o->ret > 0) {
            o->f[0] = OFF(m, copy), o->f[1] = (long)ml, o->f[2] = OFF(p, copy), o->f[3] = (long)pl, o->f[4] = minor;
        }
    } else if (fn == F_RESPONSE) {
        const char *msg;
        size_t msgl;
        int minor, status;
        o->ret = lib->parse_response(copy, len, &minor, &status, &msg, &msgl, h, &o->nh, last_len);
        if (o->ret > 0) {
            o->f[0] = minor, o->f[1] = status, o->f[2] = OFF(msg, copy), o->f[3] = (long)msgl;
        }
    } else if (fn == F_HEADERS) {
        o->ret = lib->parse_headers(copy, len, h, &o->nh, last_len);
    } else {
        struct phr_chunked_decoder_16 d;
        memset(&d, 0, sizeof(d));
        d.consume_trailer = (char)(last_len & 1);
        o->nh = 0;
        if (fn == F_CHUNKED) {
            size_t sz = len;
            o->ret = lib->decode_chunked(&d, copy, &sz);
            if (o->ret != -1) {
                memcpy(o->out, copy, sz);
                o->out_len = sz;
            }
        } else {
            o->ret = -2;
            for (i = 0; i < len && o->ret == -2; ++i) {
                size_t sz = 1;
                char c = copy[i];
                o->ret = lib->decode_chunked(&d, &c, &sz);
                if (o->ret != -1 && sz == 1)
                    o->out[o->out_len++] = c;
            }
            if (o->ret >= 0)
                o->ret += (long)(len - i);
        }
        o->left = o->ret == -2 ? d.bytes_left_in_chunk : 0;
    }
    if (o->ret > 0 && fn <= F_HEADERS) {
        for (i = 0; i < o->nh; ++i) {
            o->h[i][0] = OFF(h[i].name, copy), o->h[i][1] = (long)h[i].name_len;
            o->h[i][2] = OFF(h[i].value, copy), o->h[i][3] = (long)h[i].value_len;
        }
    } else if (fn <= F_HEADERS) {
        o->nh = 0;
    }
    free(copy);
}

static const char *const request_fields[] = {"method", "method_len", "path", "path_len", "minor_version", "-"};
static const char *const response_fields[] = {"minor_version", "status", "msg", "msg_len", "-", "-"};
static const char *const header_fields[] = {"header name", "header name_len", "header value", "header value_len"};

/* "" if the outcomes agree, else the first difference */
static const char *diff(enum fn fn, const struct outcome *a, const struct outcome *b)
{
    size_t i, k;
    if (a->ret != b->ret)
        return "return value";
    if (a->ret == -1)
        return "";
    for (i = 0; i < 6; ++i)
        if (a->f[i] != b->f[i])
            return fn == F_REQUEST ? request_fields[i] : response_fields[i];
    if (a->nh != b->nh)
        return "num_headers";
    for (i = 0; i < a->nh; ++i)
        for (k = 0; k < 4; ++k)
            if (a->h[i][k] != b->h[i][k])
                return header_fields[k];
    if (a->out_len != b->out_len || memcmp(a->out, b->out, a->out_len) != 0)
        return "decoded data";
    if (a->left != b->left)
        return "bytes_left_in_chunk";
    return "";
}

static int cls(long ret)
{
    return ret > 0 ? 1 : (int)ret; /* -2, -1, 0 (chunked: complete, nothing left), 1 (positive) */
}

static void kind_of(enum fn fn, const char *in, size_t len, size_t last_len, char *kind, size_t kind_size)
{
    struct outcome a, b;
    const char *d;
    call(&A, fn, in, len, last_len, &a);
    call(&B, fn, in, len, last_len, &b);
    d = diff(fn, &a, &b);
    if (*d == '\0')
        *kind = '\0';
    else
        snprintf(kind, kind_size, "%s%s: %s differs (ours %s, Debian %s)", fn_names[fn], last_len && fn <= F_HEADERS ? " with last_len" : "",
                 d, cls(a.ret) == -1 ? "-1" : cls(a.ret) == -2 ? "-2" : ">=0", cls(b.ret) == -1 ? "-1" : cls(b.ret) == -2 ? "-2" : ">=0");
}

static void print_bytes(const char *s, size_t len)
{
    size_t i;
    putchar('"');
    for (i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_outcome(const char *who, enum fn fn, const char *in, const struct outcome *o)
{
    size_t i;
    printf("    %-6s ret=%ld", who, o->ret);
    if (o->ret > 0 && fn == F_REQUEST) {
        printf(" method=");
        print_bytes(in + o->f[0], (size_t)o->f[1]);
        printf(" path=");
        print_bytes(in + o->f[2], (size_t)o->f[3]);
        printf(" minor=%ld", o->f[4]);
    } else if (o->ret > 0 && fn == F_RESPONSE) {
        printf(" minor=%ld status=%ld msg=", o->f[0], o->f[1]);
        if (o->f[2] < 0)
            printf("NULL");
        else
            print_bytes(in + o->f[2], (size_t)o->f[3]);
    }
    if (o->ret > 0 && fn <= F_HEADERS) {
        printf(" headers=[");
        for (i = 0; i < o->nh; ++i) {
            if (o->h[i][0] < 0)
                printf("%sNULL:", i ? ", " : "");
            else {
                printf("%s", i ? ", " : "");
                print_bytes(in + o->h[i][0], (size_t)o->h[i][1]);
                putchar(':');
            }
            print_bytes(in + o->h[i][2], (size_t)o->h[i][3]);
        }
        putchar(']');
    }
    if (fn >= F_CHUNKED && o->ret != -1) {
        printf(" decoded=");
        print_bytes(o->out, o->out_len);
    }
    putchar('\n');
}

#define MAX_EXAMPLES 8   /* distinct shrunk examples kept per kind */
#define MAX_SHRINKS 100  /* inputs of one kind that are shrunk (shrinking is slow) */

struct kind {
    char name[256];
    unsigned long count;
    int n_examples;
    char example[MAX_EXAMPLES][MAX_IN];
    size_t example_len[MAX_EXAMPLES];
    size_t last_len[MAX_EXAMPLES];
    enum fn fn;
};
static struct kind kinds[MAX_KINDS];
static int n_kinds;

/* removes bytes (and spans of bytes) while the kind of difference stays the same */
static size_t shrink(enum fn fn, char *in, size_t len, size_t last_len, const char *want)
{
    char kind[256], tmp[MAX_IN];
    size_t span, i;
    int progress = 1;
    while (progress) {
        progress = 0;
        for (span = len / 2; span >= 1; span /= 2) {
            for (i = 0; i + span <= len;) {
                size_t n = len - span, ll = last_len > n ? n : last_len;
                memcpy(tmp, in, i);
                memcpy(tmp + i, in + i + span, len - i - span);
                kind_of(fn, tmp, n, ll, kind, sizeof(kind));
                if (strcmp(kind, want) == 0) {
                    memcpy(in, tmp, n);
                    len = n;
                    last_len = ll;
                    progress = 1;
                } else {
                    ++i;
                }
            }
        }
    }
    return len;
}

static void record(enum fn fn, const char *in, size_t len, size_t last_len, const char *kind)
{
    char ex[MAX_IN];
    size_t ex_len;
    int k, e;
    struct kind *kd;
    for (k = 0; k < n_kinds; ++k)
        if (strcmp(kinds[k].name, kind) == 0)
            break;
    if (k == n_kinds) {
        if (n_kinds == MAX_KINDS)
            return;
        ++n_kinds;
        snprintf(kinds[k].name, sizeof(kinds[k].name), "%s", kind);
        kinds[k].fn = fn;
    }
    kd = &kinds[k];
    if (kd->count++ >= MAX_SHRINKS || kd->n_examples == MAX_EXAMPLES)
        return;
    memcpy(ex, in, len);
    ex_len = shrink(fn, ex, len, last_len, kind);
    if (last_len > ex_len)
        last_len = ex_len;
    for (e = 0; e < kd->n_examples; ++e)
        if (kd->example_len[e] == ex_len && memcmp(kd->example[e], ex, ex_len) == 0)
            return;
    memcpy(kd->example[e], ex, ex_len);
    kd->example_len[e] = ex_len;
    kd->last_len[e] = last_len;
    ++kd->n_examples;
}

static size_t mutate(char *buf, size_t len)
{
    int edits = 1 + (int)(rnd() % 4), e;
    for (e = 0; e < edits; ++e) {
        size_t pos = len ? rnd() % len : 0;
        switch (rnd() % 5) {
        case 0:
        case 1: /* replace */
            if (len)
                buf[pos] = special[rnd() % (sizeof(special) - 1)];
            break;
        case 2: /* insert */
            if (len + 1 < MAX_IN) {
                memmove(buf + pos + 1, buf + pos, len - pos);
                buf[pos] = special[rnd() % (sizeof(special) - 1)];
                ++len;
            }
            break;
        case 3: /* delete */
            if (len) {
                memmove(buf + pos, buf + pos + 1, len - pos - 1);
                --len;
            }
            break;
        case 4: /* truncate */
            len = pos;
            break;
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    const char *ours_path = DEFAULT_OURS, *debian_path = DEFAULT_DEBIAN;
    long iterations = 200000, it;
    int i, k;
    char buf[MAX_IN], kind[256];
    const char *corpus[64];
    size_t corpus_len[64], n_corpus = 0, s;

    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--ours") == 0 && i + 1 < argc)
            ours_path = argv[++i];
        else if (strcmp(argv[i], "--debian") == 0 && i + 1 < argc)
            debian_path = argv[++i];
        else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
            iterations = atol(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            rng = strtoull(argv[++i], NULL, 0) | 1;
        else {
            fprintf(stderr, "usage: %s [--ours PATH] [--debian PATH] [--iterations N] [--seed S]\n", argv[0]);
            return 2;
        }
    }
    if (phr_lib_open(&A, "ours", ours_path) != 0 || phr_lib_open(&B, "debian", debian_path) != 0)
        return 1;
    for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); ++s)
        corpus[n_corpus] = seeds[s], corpus_len[n_corpus++] = strlen(seeds[s]);
    for (s = 0; s < N_BENCH_REQUESTS; ++s)
        corpus[n_corpus] = bench_requests[s].text, corpus_len[n_corpus++] = bench_requests[s].len;

    for (it = 0; it < iterations + (long)n_corpus; ++it) {
        size_t len, last_len;
        enum fn fn;
        if (it < (long)n_corpus) {
            len = corpus_len[it];
            memcpy(buf, corpus[it], len);
        } else {
            s = rnd() % n_corpus;
            len = corpus_len[s];
            memcpy(buf, corpus[s], len);
            len = mutate(buf, len);
        }
        for (fn = 0; fn < F_N; ++fn) {
            last_len = (rnd() % 3 == 0 && len > 0) ? rnd() % len : 0;
            if (fn >= F_CHUNKED)
                last_len = rnd() & 1; /* consume_trailer */
            kind_of(fn, buf, len, last_len, kind, sizeof(kind));
            if (*kind != '\0')
                record(fn, buf, len, last_len, kind);
        }
    }

    printf("phr-diff: %ld inputs, ours = %s, Debian = %s\n", iterations + (long)n_corpus, A.path, B.path);
    printf("%d kinds of difference\n", n_kinds);
    for (k = 0; k < n_kinds; ++k) {
        int e;
        printf("\n[%d] %s: %lu inputs\n", k + 1, kinds[k].name, kinds[k].count);
        for (e = 0; e < kinds[k].n_examples; ++e) {
            struct outcome a, b;
            const char *ex = kinds[k].example[e];
            size_t ex_len = kinds[k].example_len[e], ll = kinds[k].last_len[e];
            printf("    input  ");
            print_bytes(ex, ex_len);
            if (kinds[k].fn <= F_HEADERS)
                printf(" (len %zu, last_len %zu)\n", ex_len, ll);
            else
                printf(" (consume_trailer %zu)\n", ll);
            call(&A, kinds[k].fn, ex, ex_len, ll, &a);
            call(&B, kinds[k].fn, ex, ex_len, ll, &b);
            print_outcome("ours", kinds[k].fn, ex, &a);
            print_outcome("Debian", kinds[k].fn, ex, &b);
        }
    }
    return 0;
}
