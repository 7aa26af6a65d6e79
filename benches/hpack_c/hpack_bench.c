/*
 * hpack-bench: HPACK decode and encode throughput of three implementations in one process:
 * libnghttp2 (nghttp2_hd_inflate_hd2 / nghttp2_hd_deflate_hd, linked), Debian's libh2o-evloop 2.2.5
 * and ours (h2o_hpack_parse_headers / h2o_hpack_flatten_request / _response, both dlopen()ed).
 *
 *   hpack-bench [--ours PATH] [--debian PATH] [--stories DIR] [--rounds N] [--ms MS] [--passes N]
 *
 * Workloads, from the hpack-test-case stories (DIR, default ../shared/testdata/hpack-test-case):
 *   decode  the request stories of raw-data (0-20, 21 stories) without the fields 2.2.5's
 *           h2o_hpack_parse_headers refuses (connection, keep-alive, proxy-connection,
 *           transfer-encoding, upgrade; it stops at the first), encoded once by nghttp2's deflater
 *           (4096-byte table: Huffman and the dynamic table as a browser uses them); every story
 *           decoded in order with one fresh decoder per story; for the h2o decoders, each block
 *           into a request (pool cleared and headers reset per block, as per request in a server).
 *           Before timing, each decoder's output is checked against the story's fields.
 *   encode  every raw-data story (requests through h2o_hpack_flatten_request, responses through
 *           h2o_hpack_flatten_response with a fixed date, which nghttp2 gets as a field too), one
 *           fresh encoder per story, into a buffer reset per block.
 * Throughput is in MB/s of header bytes (sum of name and value lengths of the fields, the same for
 * every implementation). Each round runs each implementation over the whole workload, repeated to
 * about MS milliseconds (default 40), the order rotating between rounds; ROUNDS rounds (default 11);
 * the median is reported, and the ratios ours/Debian, ours/nghttp2. Pinning (taskset -c 1) is left
 * to the caller.
 * With --passes N nothing is timed: each implementation runs each workload N times, through one
 * function per workload and implementation (pass_decode_ours, pass_encode_nghttp2, ...), for
 * instruction counts: count.sh runs that under callgrind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <h2o.h>
#include <h2o/hpack.h>
#include <nghttp2/nghttp2.h>

#include "../../tests/abi/diff/hpack_stories.h"

#define DEFAULT_OURS "/work/main/target/release/libh2o_rs.so"
#define DEFAULT_DEBIAN "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13"
#define MAX_ROUNDS 101

typedef int (*parse_fn)(h2o_req_t *, h2o_hpack_header_table_t *, const uint8_t *, size_t, int *, size_t *, h2o_cache_digests_t **,
                        const char **);
struct lib {
    const char *name;
    parse_fn parse;
    void (*flatten_request)(h2o_buffer_t **, h2o_hpack_header_table_t *, uint32_t, size_t, h2o_req_t *, uint32_t);
    void (*flatten_response)(h2o_buffer_t **, h2o_hpack_header_table_t *, uint32_t, size_t, h2o_res_t *, h2o_timestamp_t *,
                             const h2o_iovec_t *, size_t);
    void (*dispose)(h2o_hpack_header_table_t *);
    void (*init_pool)(h2o_mem_pool_t *);
    void (*clear_pool)(h2o_mem_pool_t *);
    void (*add_header_by_str)(h2o_mem_pool_t *, h2o_headers_t *, const char *, size_t, int, const char *, const char *, size_t);
    const h2o_url_scheme_t *https, *http;
    h2o_buffer_prototype_t proto;
};

static int load(struct lib *l, const char *path, const char *name)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    l->name = name;
#define SYM(f, s)                                                                                                                  \
    if ((*(void **)&l->f = dlsym(h, s)) == NULL) {                                                                                 \
        fprintf(stderr, "%s: no %s\n", path, s);                                                                                   \
        return -1;                                                                                                                 \
    }
    SYM(parse, "h2o_hpack_parse_headers");
    SYM(flatten_request, "h2o_hpack_flatten_request");
    SYM(flatten_response, "h2o_hpack_flatten_response");
    SYM(dispose, "h2o_hpack_dispose_header_table");
    SYM(init_pool, "h2o_mem_init_pool");
    SYM(clear_pool, "h2o_mem_clear_pool");
    SYM(add_header_by_str, "h2o_add_header_by_str");
    SYM(https, "H2O_URL_SCHEME_HTTPS");
    SYM(http, "H2O_URL_SCHEME_HTTP");
#undef SYM
    memset(&l->proto, 0, sizeof(l->proto));
    l->proto.allocator.max = 16;
    l->proto._initial_buf.capacity = 4096;
    return 0;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile size_t sink;
static struct lib ours, deb;

static int refused_by_225(const struct hs_field *f)
{
    static const char *const names[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i)
        if (strcmp(f->name, names[i]) == 0)
            return 1;
    return strcmp(f->name, "te") == 0 && strcasecmp(f->value, "trailers") != 0;
}

/* ---- the decode workload ---- */
struct dblock {
    uint8_t *wire;
    size_t len;
    struct hs_field *fields;
    size_t num_fields;
};
struct dstory {
    struct dblock *blocks;
    size_t num_blocks;
};
static struct dstory *dstories;
static size_t num_dstories, decode_header_bytes, decode_wire_bytes;

static void build_decode_workload(struct hs_story *raw, size_t nraw)
{
    dstories = calloc(nraw, sizeof(*dstories));
    for (size_t i = 0; i < nraw; ++i) {
        if (raw[i].is_response)
            continue;
        struct dstory *ds = dstories + num_dstories++;
        nghttp2_hd_deflater *def;
        nghttp2_hd_deflate_new(&def, 4096);
        ds->blocks = calloc(raw[i].num_cases, sizeof(*ds->blocks));
        for (size_t k = 0; k < raw[i].num_cases; ++k) {
            const struct hs_case *c = raw[i].cases + k;
            struct dblock *b = ds->blocks + ds->num_blocks++;
            nghttp2_nv *nva = calloc(c->num_fields + 1, sizeof(*nva));
            b->fields = calloc(c->num_fields + 1, sizeof(*b->fields));
            size_t n = 0;
            for (size_t j = 0; j < c->num_fields; ++j) {
                if (refused_by_225(c->fields + j))
                    continue;
                b->fields[b->num_fields++] = c->fields[j];
                nva[n++] = (nghttp2_nv){(uint8_t *)c->fields[j].name, (uint8_t *)c->fields[j].value, c->fields[j].name_len,
                                        c->fields[j].value_len, NGHTTP2_NV_FLAG_NONE};
                if (strcmp(c->fields[j].name, "host") != 0 && strcmp(c->fields[j].name, "content-length") != 0)
                    /* 2.2.5 drops host and keeps content-length out of the list: not counted */
                    decode_header_bytes += c->fields[j].name_len + c->fields[j].value_len;
            }
            size_t bound = nghttp2_hd_deflate_bound(def, nva, n);
            b->wire = malloc(bound);
            ssize_t r = nghttp2_hd_deflate_hd(def, b->wire, bound, nva, n);
            if (r < 0) {
                fprintf(stderr, "nghttp2_hd_deflate_hd: %zd\n", r);
                exit(1);
            }
            b->len = (size_t)r;
            decode_wire_bytes += b->len;
            free(nva);
        }
        nghttp2_hd_deflate_del(def);
    }
}

/* nghttp2: returns the header bytes decoded (host excluded, to count as the others do) */
static size_t decode_nghttp2(int check)
{
    size_t bytes = 0;
    for (size_t i = 0; i < num_dstories; ++i) {
        nghttp2_hd_inflater *inf;
        nghttp2_hd_inflate_new(&inf);
        for (size_t k = 0; k < dstories[i].num_blocks; ++k) {
            struct dblock *b = dstories[i].blocks + k;
            const uint8_t *in = b->wire;
            size_t left = b->len, j = 0;
            for (;;) {
                nghttp2_nv nv;
                int flags = 0;
                ssize_t r = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, left, 1);
                if (r < 0) {
                    fprintf(stderr, "nghttp2_hd_inflate_hd2: %zd\n", r);
                    exit(1);
                }
                in += r;
                left -= r;
                if (flags & NGHTTP2_HD_INFLATE_EMIT) {
                    if (!(nv.namelen == 4 && memcmp(nv.name, "host", 4) == 0) &&
                        !(nv.namelen == 14 && memcmp(nv.name, "content-length", 14) == 0))
                        bytes += nv.namelen + nv.valuelen;
                    if (check && (j >= b->num_fields || nv.valuelen != b->fields[j].value_len ||
                                  memcmp(nv.value, b->fields[j].value, nv.valuelen) != 0)) {
                        fprintf(stderr, "nghttp2: story %zu block %zu field %zu differs\n", i, k, j);
                        exit(1);
                    }
                    ++j;
                }
                if (flags & NGHTTP2_HD_INFLATE_FINAL) {
                    nghttp2_hd_inflate_end_headers(inf);
                    break;
                }
            }
        }
        nghttp2_hd_inflate_del(inf);
    }
    return bytes;
}

static size_t req_bytes(h2o_req_t *req)
{
    size_t n = req->input.method.len + req->input.authority.len + req->input.path.len + (req->input.scheme ? req->input.scheme->name.len : 0);
    n += (req->input.method.base ? 7 : 0) + (req->input.authority.base ? 10 : 0) + (req->input.path.base ? 5 : 0) +
         (req->input.scheme ? 7 : 0);
    for (size_t i = 0; i != req->headers.size; ++i)
        n += req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    return n;
}

static size_t decode_h2o(struct lib *l, int check)
{
    size_t bytes = 0;
    h2o_req_t *req = calloc(1, sizeof(*req));
    l->init_pool(&req->pool);
    for (size_t i = 0; i < num_dstories; ++i) {
        h2o_hpack_header_table_t t;
        memset(&t, 0, sizeof(t));
        t.hpack_capacity = t.hpack_max_capacity = 4096;
        for (size_t k = 0; k < dstories[i].num_blocks; ++k) {
            struct dblock *b = dstories[i].blocks + k;
            int map = 0;
            size_t cl;
            const char *err = NULL;
            int r = l->parse(req, &t, b->wire, b->len, &map, &cl, NULL, &err);
            if (r != 0 && r != H2O_HTTP2_ERROR_INVALID_HEADER_CHAR) {
                fprintf(stderr, "%s: story %zu block %zu: h2o_hpack_parse_headers returned %d\n", l->name, i, k, r);
                exit(1);
            }
            bytes += req_bytes(req);
            if (check) {
                size_t expect = 0;
                for (size_t j = 0; j < b->num_fields; ++j)
                    if (strcmp(b->fields[j].name, "host") != 0 && strcmp(b->fields[j].name, "content-length") != 0)
                        expect += b->fields[j].name_len + b->fields[j].value_len;
                if (expect != req_bytes(req)) {
                    fprintf(stderr, "%s: story %zu block %zu: %zu header bytes, expected %zu\n", l->name, i, k, req_bytes(req), expect);
                    exit(1);
                }
            }
            l->clear_pool(&req->pool);
            memset(&req->input, 0, sizeof(req->input));
            memset(&req->headers, 0, sizeof(req->headers));
        }
        l->dispose(&t);
    }
    free(req);
    return bytes;
}

/* ---- the encode workload ---- */
static struct hs_story *estories;
static size_t num_estories, encode_header_bytes;
static h2o_req_t **ereqs[2]; /* [lib][story * MAXB + block] prebuilt requests / responses */
static size_t *ecl[2];
static const char DATE[] = "Thu, 03 Dec 2026 13:00:00 GMT";
static h2o_timestamp_string_t tstr;
static h2o_timestamp_t ts;
static h2o_iovec_t no_server = {NULL, 0};

static h2o_req_t *build_req(struct lib *l, const struct hs_case *c, int response, size_t *cl)
{
    h2o_req_t *req = calloc(1, sizeof(*req));
    l->init_pool(&req->pool);
    req->input.scheme = l->https;
    req->res.status = 200;
    *cl = SIZE_MAX;
    for (size_t i = 0; i < c->num_fields; ++i) {
        const struct hs_field *f = c->fields + i;
        h2o_iovec_t v = {f->value, f->value_len};
        if (!response && strcmp(f->name, ":method") == 0)
            req->input.method = v;
        else if (!response && strcmp(f->name, ":authority") == 0)
            req->input.authority = v;
        else if (!response && strcmp(f->name, ":path") == 0)
            req->input.path = v;
        else if (!response && strcmp(f->name, ":scheme") == 0)
            req->input.scheme = strcmp(f->value, "http") == 0 ? l->http : l->https;
        else if (response && strcmp(f->name, ":status") == 0)
            req->res.status = atoi(f->value);
        else if (response && strcmp(f->name, "content-length") == 0 && *cl == SIZE_MAX && f->value_len > 0 && f->value_len < 19 &&
                 strspn(f->value, "0123456789") == f->value_len)
            *cl = strtoull(f->value, NULL, 10);
        else
            l->add_header_by_str(&req->pool, response ? &req->res.headers : &req->headers, f->name, f->name_len, 1, NULL, f->value,
                                 f->value_len);
    }
    return req;
}

static size_t block_index(size_t story, size_t block)
{
    size_t n = 0;
    for (size_t i = 0; i < story; ++i)
        n += estories[i].num_cases;
    return n + block;
}

static void build_encode_workload(struct hs_story *raw, size_t nraw)
{
    estories = raw;
    num_estories = nraw;
    size_t total = block_index(nraw, 0);
    struct lib *libs[2] = {&ours, &deb};
    for (int l = 0; l < 2; ++l) {
        ereqs[l] = calloc(total, sizeof(h2o_req_t *));
        ecl[l] = calloc(total, sizeof(size_t));
    }
    for (size_t i = 0; i < nraw; ++i)
        for (size_t k = 0; k < raw[i].num_cases; ++k) {
            size_t x = block_index(i, k);
            for (int l = 0; l < 2; ++l)
                ereqs[l][x] = build_req(libs[l], raw[i].cases + k, raw[i].is_response, ecl[l] + x);
            for (size_t j = 0; j < raw[i].cases[k].num_fields; ++j)
                encode_header_bytes += raw[i].cases[k].fields[j].name_len + raw[i].cases[k].fields[j].value_len;
            if (raw[i].is_response)
                encode_header_bytes += 4 + sizeof(DATE) - 1;
        }
    memcpy(tstr.rfc1123, DATE, sizeof(DATE));
    ts.str = &tstr;
}

static size_t encode_h2o(struct lib *l, int which)
{
    size_t out = 0;
    h2o_buffer_t *buf;
    h2o_buffer_init(&buf, &l->proto);
    for (size_t i = 0, x0 = 0; i < num_estories; x0 += estories[i++].num_cases) {
        h2o_hpack_header_table_t t;
        memset(&t, 0, sizeof(t));
        t.hpack_capacity = 4096;
        for (size_t k = 0; k < estories[i].num_cases; ++k) {
            size_t x = x0 + k;
            h2o_req_t *req = ereqs[which][x];
            if (estories[i].is_response)
                l->flatten_response(&buf, &t, 1 + 2 * k, 16384, &req->res, &ts, &no_server, ecl[which][x]);
            else
                l->flatten_request(&buf, &t, 2 + 2 * k, 16384, req, 1);
            out += buf->size;
            buf->size = 0;
        }
        l->dispose(&t);
    }
    return out;
}

static size_t encode_nghttp2(void)
{
    size_t out = 0, cap = 1 << 16;
    uint8_t *dst = malloc(cap);
    nghttp2_nv nva[256];
    for (size_t i = 0; i < num_estories; ++i) {
        nghttp2_hd_deflater *def;
        nghttp2_hd_deflate_new(&def, 4096);
        for (size_t k = 0; k < estories[i].num_cases; ++k) {
            const struct hs_case *c = estories[i].cases + k;
            size_t n = 0;
            for (size_t j = 0; j < c->num_fields && n < 255; ++j) {
                nva[n++] = (nghttp2_nv){(uint8_t *)c->fields[j].name, (uint8_t *)c->fields[j].value, c->fields[j].name_len,
                                        c->fields[j].value_len, NGHTTP2_NV_FLAG_NONE};
                if (estories[i].is_response && j == 0)
                    nva[n++] = (nghttp2_nv){(uint8_t *)"date", (uint8_t *)DATE, 4, sizeof(DATE) - 1, NGHTTP2_NV_FLAG_NONE};
            }
            ssize_t r = nghttp2_hd_deflate_hd(def, dst, cap, nva, n);
            if (r < 0) {
                fprintf(stderr, "nghttp2_hd_deflate_hd: %zd\n", r);
                exit(1);
            }
            out += r;
        }
        nghttp2_hd_deflate_del(def);
    }
    free(dst);
    return out;
}

/* ---- timing ---- */
enum { NGHTTP2, DEBIAN, OURS, NIMPL };
static const char *const impl_names[NIMPL] = {"nghttp2", "Debian 2.2.5", "ours"};

static size_t run(int what, int impl)
{
    if (what == 0)
        return impl == NGHTTP2 ? decode_nghttp2(0) : decode_h2o(impl == OURS ? &ours : &deb, 0);
    return impl == NGHTTP2 ? encode_nghttp2() : encode_h2o(impl == OURS ? &ours : &deb, impl == OURS ? 0 : 1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void measure(int what, int rounds, int ms, size_t header_bytes)
{
    long reps[NIMPL];
    double mbs[NIMPL][MAX_ROUNDS];
    size_t out_bytes[NIMPL];
    for (int i = 0; i < NIMPL; ++i) {
        uint64_t t0 = now_ns();
        out_bytes[i] = run(what, i);
        uint64_t dt = now_ns() - t0;
        reps[i] = (long)((double)ms * 1e6 / (double)(dt ? dt : 1));
        if (reps[i] < 1)
            reps[i] = 1;
    }
    for (int r = 0; r < rounds; ++r) {
        for (int j = 0; j < NIMPL; ++j) {
            int i = (j + r) % NIMPL;
            uint64_t t0 = now_ns();
            for (long n = 0; n < reps[i]; ++n)
                sink += run(what, i);
            double s = (double)(now_ns() - t0) / 1e9;
            mbs[i][r] = (double)header_bytes * reps[i] / s / 1e6;
        }
    }
    double med[NIMPL];
    for (int i = 0; i < NIMPL; ++i) {
        qsort(mbs[i], rounds, sizeof(double), cmp_double);
        med[i] = mbs[i][rounds / 2];
    }
    printf("%s (%zu header bytes per pass):\n", what == 0 ? "decode" : "encode", header_bytes);
    for (int i = 0; i < NIMPL; ++i) {
        if (what == 0)
            printf("  %-13s %8.1f MB/s  (min %.1f, max %.1f)\n", impl_names[i], med[i], mbs[i][0], mbs[i][rounds - 1]);
        else
            printf("  %-13s %8.1f MB/s  (min %.1f, max %.1f)  output %zu bytes\n", impl_names[i], med[i], mbs[i][0], mbs[i][rounds - 1],
                   out_bytes[i]);
    }
    printf("  ours/Debian %.2fx, ours/nghttp2 %.2fx\n", med[OURS] / med[DEBIAN], med[OURS] / med[NGHTTP2]);
}

/* one function per (workload, implementation), for valgrind --toggle-collect */
#define PASS(what, impl, name)                                                                                                     \
    __attribute__((noinline)) static void pass_##what##_##name(int n)                                                            \
    {                                                                                                                              \
        for (int i = 0; i < n; ++i)                                                                                                \
            sink += run(what == decode ? 0 : 1, impl);                                                                             \
    }
enum { decode, encode };
PASS(decode, NGHTTP2, nghttp2)
PASS(decode, DEBIAN, debian)
PASS(decode, OURS, ours)
PASS(encode, NGHTTP2, nghttp2)
PASS(encode, DEBIAN, debian)
PASS(encode, OURS, ours)
#undef PASS

int main(int argc, char **argv)
{
    const char *our_path = DEFAULT_OURS, *deb_path = DEFAULT_DEBIAN, *root = "../shared/testdata/hpack-test-case";
    int rounds = 11, ms = 40, passes = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--ours") == 0 && i + 1 < argc)
            our_path = argv[++i];
        else if (strcmp(argv[i], "--debian") == 0 && i + 1 < argc)
            deb_path = argv[++i];
        else if (strcmp(argv[i], "--stories") == 0 && i + 1 < argc)
            root = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
            ms = atoi(argv[++i]);
        else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc)
            passes = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--ours PATH] [--debian PATH] [--stories DIR] [--rounds N] [--ms MS] [--passes N]\n", argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS)
        rounds = 11;
    if (load(&ours, our_path, "ours") != 0 || load(&deb, deb_path, "Debian") != 0)
        return 1;
    char raw_dir[4096];
    snprintf(raw_dir, sizeof(raw_dir), "%s/raw-data", root);
    struct hs_story *raw;
    size_t nraw = hs_load_dir(raw_dir, &raw);
    if (nraw == 0) {
        fprintf(stderr, "no stories under %s\n", raw_dir);
        return 1;
    }
    build_decode_workload(raw, nraw);
    build_encode_workload(raw, nraw);
    /* the decoders agree with the stories before anything is timed */
    decode_nghttp2(1);
    decode_h2o(&deb, 1);
    decode_h2o(&ours, 1);
    printf("decode: %zu request stories, %zu bytes of blocks (nghttp2-encoded); encode: %zu stories\n", num_dstories, decode_wire_bytes,
           num_estories);
    if (passes > 0) {
        pass_decode_nghttp2(passes);
        pass_decode_debian(passes);
        pass_decode_ours(passes);
        pass_encode_nghttp2(passes);
        pass_encode_debian(passes);
        pass_encode_ours(passes);
        return 0;
    }
    measure(0, rounds, ms, decode_header_bytes);
    measure(1, rounds, ms, encode_header_bytes);
    return 0;
}
