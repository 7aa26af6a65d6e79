/*
 * Differential test of the HPACK exports (our h2o/hpack.h; 2.2.5's h2o/http2_internal.h): our
 * library against Debian's libh2o-evloop 2.2.5, both dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   hpack-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]   (the stories: $HPACK_TEST_CASE or
 *                                                        ../shared/testdata/hpack-test-case)
 *
 * 1. Stories: every block of every encoded story, in order, one decoder table per story and
 *    library (hpack_capacity = hpack_max_capacity = 4096; a block's header_table_size, when the
 *    story gives one, becomes hpack_max_capacity), through h2o_hpack_parse_headers: the same return
 *    value, *err_desc (by content), *content_length, pseudo-header map, req->input (method,
 *    authority, path by content, scheme: each library's HTTP or HTTPS object), req->headers (names
 *    and values by content, in order) and table state (num_entries, hpack_size, hpack_capacity).
 *    A story stops at the first block either library refuses with PROTOCOL or COMPRESSION (2.2.5
 *    stops reading there, so the tables part): response stories stop at their first block, which
 *    2.2.5 refuses for :status; both must refuse it the same way.
 * 2. ITERATIONS mutated blocks: a story replayed up to a random block, which is then mutated
 *    (bits flipped, cut short, junk appended, a byte replaced, a literal field inserted whose name
 *    and value come from a palette with upper-case letters, separators, control characters,
 *    pseudo-header and connection-specific names, content-length values..., a size update
 *    inserted) and decoded, then (when both accept it) the next block: all compared as in 1.
 * 3. h2o_hpack_encode_string on ITERATIONS / 4 generated strings: the same bytes and length.
 * 4. Flatten: every raw-data story through h2o_hpack_flatten_request (request stories) or
 *    h2o_hpack_flatten_response (response stories: :status, date, content-length as the parameter),
 *    one encoder table per story and library, max_frame_size 16384 / 1000 / 64 at random. The bytes
 *    differ by design (see h2o/hpack.h), so both outputs are checked for the same framing rules
 *    (PUSH_PROMISE on the parent with the promised id / HEADERS on the stream, then CONTINUATION,
 *    END_HEADERS on the last frame only, every frame but the last exactly max_frame_size) and
 *    decoded with libnghttp2's inflater (one per story and library; skipped when libnghttp2 is
 *    absent): the same field lists, equal to the story's (plus date). Sizes are reported.
 *
 * Deliberate differences (h2o/hpack.h), recognised from the block and counted, not failed:
 * a size update after a field (ours COMPRESSION, RFC 7541 4.2), a block ending with a size update
 * (2.2.5 COMPRESSION), an empty name (ours PROTOCOL), a block invalid after a PROTOCOL field (ours
 * COMPRESSION, 2.2.5 PROTOCOL), a soft error 2.2.5 inherits from a dynamic entry's earlier value
 * (2.2.5 INVALID_HEADER_CHAR, ours 0), and *err_desc on COMPRESSION (ours says why, 2.2.5 NULL).
 *
 * Exits 77 (skip) when Debian's library cannot be loaded or the stories are absent.
 */
#include <h2o.h>
#include <h2o/hpack.h>
#include "diff.h"
#include "hpack_stories.h"

#if defined(__has_include)
#if __has_include(<nghttp2/nghttp2.h>)
#include <nghttp2/nghttp2.h>
#define HAVE_NGHTTP2 1
#endif
#endif

typedef int (*parse_fn)(h2o_req_t *, h2o_hpack_header_table_t *, const uint8_t *, size_t, int *, size_t *, h2o_cache_digests_t **,
                        const char **);

struct lib {
    parse_fn parse;
    void (*flatten_request)(h2o_buffer_t **, h2o_hpack_header_table_t *, uint32_t, size_t, h2o_req_t *, uint32_t);
    void (*flatten_response)(h2o_buffer_t **, h2o_hpack_header_table_t *, uint32_t, size_t, h2o_res_t *, h2o_timestamp_t *,
                             const h2o_iovec_t *, size_t);
    size_t (*encode_string)(uint8_t *, const char *, size_t);
    void (*dispose)(h2o_hpack_header_table_t *);
    void (*init_pool)(h2o_mem_pool_t *);
    void (*clear_pool)(h2o_mem_pool_t *);
    void (*add_header_by_str)(h2o_mem_pool_t *, h2o_headers_t *, const char *, size_t, int, const char *, const char *, size_t);
    void (*buffer_free)(h2o_buffer_t *);
    const h2o_url_scheme_t *http, *https;
    h2o_buffer_prototype_t proto;
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->parse, "h2o_hpack_parse_headers");
    DIFF_SYM(h, path, l->flatten_request, "h2o_hpack_flatten_request");
    DIFF_SYM(h, path, l->flatten_response, "h2o_hpack_flatten_response");
    DIFF_SYM(h, path, l->encode_string, "h2o_hpack_encode_string");
    DIFF_SYM(h, path, l->dispose, "h2o_hpack_dispose_header_table");
    DIFF_SYM(h, path, l->init_pool, "h2o_mem_init_pool");
    DIFF_SYM(h, path, l->clear_pool, "h2o_mem_clear_pool");
    DIFF_SYM(h, path, l->add_header_by_str, "h2o_add_header_by_str");
    DIFF_SYM(h, path, l->buffer_free, "h2o_buffer__do_free");
    DIFF_SYM(h, path, l->http, "H2O_URL_SCHEME_HTTP");
    DIFF_SYM(h, path, l->https, "H2O_URL_SCHEME_HTTPS");
    memset(&l->proto, 0, sizeof(l->proto));
    l->proto.allocator.max = 16;
    l->proto._initial_buf.capacity = 64;
    return 0;
}

static struct lib ours, deb;

/* counted deliberate differences, by kind */
enum { D_UPDATE_AFTER_FIELD, D_TRAILING_UPDATE, D_EMPTY_NAME, D_INVALID_AFTER_PROTOCOL, D_INHERITED_SOFT, D_HUFFMAN_UPPER, D_NUM };
static const char *const diff_names[D_NUM] = {"size update after a field (ours COMPRESSION)",
                                              "block ending with a size update (2.2.5 COMPRESSION)",
                                              "empty name (ours PROTOCOL)",
                                              "invalid HPACK after a PROTOCOL field (ours COMPRESSION)",
                                              "soft error inherited from a dynamic entry (2.2.5 only)",
                                              "upper-case letter in a Huffman-coded name (ours PROTOCOL, 2.2.5 soft)"};
static unsigned long diffs[D_NUM];
static unsigned long outcomes[2][4]; /* [stories, mutated][0 ok, soft, PROTOCOL, COMPRESSION] of 2.2.5 */

/* ---- a structural walk of a block (no Huffman decoding, no table): what the documented
 * differences depend on ---- */
enum { W_UPDATE_AFTER_FIELD = 1, W_TRAILING_UPDATE = 2, W_EMPTY_NAME = 4, W_BROKEN = 8 };

static int walk_int(const uint8_t **p, const uint8_t *end, int prefix, uint64_t *v)
{
    if (*p >= end)
        return -1;
    unsigned max = (1u << prefix) - 1;
    *v = **p & max;
    ++*p;
    if (*v < max)
        return 0;
    for (int shift = 0; shift <= 28; shift += 7) {
        if (*p >= end)
            return -1;
        uint8_t b = *(*p)++;
        *v += (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

static int walk_string(const uint8_t **p, const uint8_t *end, uint64_t *len)
{
    if (walk_int(p, end, 7, len) != 0 || *len > (uint64_t)(end - *p))
        return -1;
    *p += *len;
    return 0;
}

static int walk(const uint8_t *p, size_t n)
{
    const uint8_t *end = p + n;
    int flags = 0, seen_field = 0, last_was_update = 0;
    uint64_t v, len;
    while (p < end) {
        uint8_t b = *p;
        if ((b & 0xe0) == 0x20) {
            if (walk_int(&p, end, 5, &v) != 0)
                return flags | W_BROKEN;
            if (seen_field)
                flags |= W_UPDATE_AFTER_FIELD;
            last_was_update = 1;
            continue;
        }
        seen_field = 1;
        last_was_update = 0;
        if (b & 0x80) {
            if (walk_int(&p, end, 7, &v) != 0)
                return flags | W_BROKEN;
            continue;
        }
        int prefix = (b & 0x40) ? 6 : 4;
        if (walk_int(&p, end, prefix, &v) != 0)
            return flags | W_BROKEN;
        if (v == 0) {
            if (walk_string(&p, end, &len) != 0)
                return flags | W_BROKEN;
            if (len == 0)
                flags |= W_EMPTY_NAME;
        }
        if (walk_string(&p, end, &len) != 0)
            return flags | W_BROKEN;
    }
    if (last_was_update)
        flags |= W_TRAILING_UPDATE;
    return flags;
}

/* splits a block into groups (size updates and the field after them; trailing size updates join
 * the last group); returns the number of groups, their ends in ends[] (at most max) or -1 */
static int split_fields(const uint8_t *b, size_t n, size_t *ends, int max)
{
    const uint8_t *p = b, *end = b + n;
    int count = 0;
    uint64_t v, len;
    while (p < end) {
        uint8_t c = *p;
        if ((c & 0xe0) == 0x20) {
            if (walk_int(&p, end, 5, &v) != 0)
                return -1;
            if (p == end && count > 0)
                ends[count - 1] = n;
            continue;
        }
        if (c & 0x80) {
            if (walk_int(&p, end, 7, &v) != 0)
                return -1;
        } else {
            if (walk_int(&p, end, (c & 0x40) ? 6 : 4, &v) != 0)
                return -1;
            if (v == 0 && walk_string(&p, end, &len) != 0)
                return -1;
            if (walk_string(&p, end, &len) != 0)
                return -1;
        }
        if (count == max)
            return -1;
        ends[count++] = p - b;
    }
    return count;
}

/* ---- one decode ---- */
struct outcome {
    int ret, map;
    const char *err;
    size_t content_length;
    h2o_req_t *req;
};

static h2o_req_t *new_req(struct lib *l)
{
    h2o_req_t *req = calloc(1, sizeof(*req));
    l->init_pool(&req->pool);
    return req;
}

static void free_req(struct lib *l, h2o_req_t *req)
{
    l->clear_pool(&req->pool);
    free(req);
}

static void decode(struct lib *l, h2o_hpack_header_table_t *t, const uint8_t *b, size_t n, int with_map, struct outcome *o)
{
    o->req = new_req(l);
    o->map = 0;
    o->err = NULL;
    o->content_length = 12345;
    o->ret = l->parse(o->req, t, b, n, with_map ? &o->map : NULL, &o->content_length, NULL, &o->err);
}

static int is_hard(int ret)
{
    return ret == H2O_HTTP2_ERROR_PROTOCOL || ret == H2O_HTTP2_ERROR_COMPRESSION;
}

static int outcome_index(int ret)
{
    return ret == 0 ? 0 : ret == H2O_HTTP2_ERROR_INVALID_HEADER_CHAR ? 1 : ret == H2O_HTTP2_ERROR_PROTOCOL ? 2 : 3;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0);
}

static iovec_t iov(h2o_iovec_t v)
{
    return (iovec_t){v.base, v.len};
}

/* compares the two outcomes (and tables); returns 1 when both refused the block (stop the story) */
static int compare(const char *where, const uint8_t *b, size_t n, struct outcome *a, struct outcome *d, h2o_hpack_header_table_t *ta,
                   h2o_hpack_header_table_t *td, int kind)
{
    int w = walk(b, n);
    if (a->ret != d->ret) {
        int k = -1;
        if (a->ret == H2O_HTTP2_ERROR_COMPRESSION && (w & W_UPDATE_AFTER_FIELD))
            k = D_UPDATE_AFTER_FIELD;
        else if (d->ret == H2O_HTTP2_ERROR_COMPRESSION && (w & W_TRAILING_UPDATE) && !is_hard(a->ret))
            k = D_TRAILING_UPDATE;
        else if (a->ret == H2O_HTTP2_ERROR_PROTOCOL && (w & W_EMPTY_NAME))
            k = D_EMPTY_NAME;
        else if (a->ret == H2O_HTTP2_ERROR_COMPRESSION && d->ret == H2O_HTTP2_ERROR_PROTOCOL)
            k = D_INVALID_AFTER_PROTOCOL;
        else if (a->ret == 0 && d->ret == H2O_HTTP2_ERROR_INVALID_HEADER_CHAR && kind == 1)
            k = D_INHERITED_SOFT;
        else if (a->ret == H2O_HTTP2_ERROR_PROTOCOL && d->ret == H2O_HTTP2_ERROR_INVALID_HEADER_CHAR && a->err != NULL &&
                 strcmp(a->err, "found an upper-case letter in header name") == 0 && d->err != NULL &&
                 strncmp(d->err, "found an invalid character in header ", 37) == 0)
            k = D_HUFFMAN_UPPER;
        if (k >= 0) {
            ++checks;
            ++diffs[k];
        } else {
            CHECK(0, "%s: return %d, 2.2.5 %d (walk flags %d, %zu bytes)", where, a->ret, d->ret, w, n);
            if (getenv("HPACK_DIFF_DUMP") != NULL) {
                for (size_t i = 0; i < n; ++i)
                    fprintf(stderr, "%02x", b[i]);
                fprintf(stderr, "\n");
            }
        }
        return 1;
    }
    CHECK(1, "same outcome");
    ++outcomes[kind][outcome_index(d->ret)];
    if (a->ret == H2O_HTTP2_ERROR_COMPRESSION)
        return 1; /* *err_desc: ours says why, 2.2.5 NULL */
    if (a->ret == H2O_HTTP2_ERROR_PROTOCOL && a->err != NULL && strcmp(a->err, "found an upper-case letter in header name") == 0 &&
        d->err != NULL && strncmp(d->err, "found an invalid character in header ", 37) == 0) {
        ++diffs[D_HUFFMAN_UPPER]; /* 2.2.5 took the upper-case name as a soft error, then refused a later field */
        return 1;
    }
    if (a->ret == H2O_HTTP2_ERROR_PROTOCOL && a->err == NULL && (w & W_EMPTY_NAME) && d->err != NULL) {
        ++diffs[D_EMPTY_NAME]; /* 2.2.5 went on past the empty name (soft errors), then refused a later field */
        return 1;
    }
    CHECK(same_str(a->err, d->err), "%s: err_desc \"%s\", 2.2.5 \"%s\"", where, a->err ? a->err : "(null)", d->err ? d->err : "(null)");
    if (!same_str(a->err, d->err) && getenv("HPACK_DIFF_DUMP") != NULL) {
        for (size_t i = 0; i < n; ++i)
            fprintf(stderr, "%02x", b[i]);
        fprintf(stderr, "\n");
    }
    if (a->ret == H2O_HTTP2_ERROR_PROTOCOL)
        return 1;
    CHECK(a->content_length == d->content_length, "%s: content_length %zu, 2.2.5 %zu", where, a->content_length, d->content_length);
    CHECK(a->map == d->map, "%s: pseudo-header map %d, 2.2.5 %d", where, a->map, d->map);
    h2o_req_t *ra = a->req, *rd = d->req;
    CHECK(same_bytes(iov(ra->input.method), iov(rd->input.method)), "%s: :method", where);
    CHECK(same_bytes(iov(ra->input.authority), iov(rd->input.authority)), "%s: :authority", where);
    CHECK(same_bytes(iov(ra->input.path), iov(rd->input.path)), "%s: :path", where);
    int sa = ra->input.scheme == NULL ? 0 : ra->input.scheme == ours.https ? 2 : ra->input.scheme == ours.http ? 1 : 3;
    int sd = rd->input.scheme == NULL ? 0 : rd->input.scheme == deb.https ? 2 : rd->input.scheme == deb.http ? 1 : 3;
    CHECK(sa == sd, "%s: scheme %d, 2.2.5 %d", where, sa, sd);
    CHECK(ra->headers.size == rd->headers.size, "%s: %zu headers, 2.2.5 %zu", where, ra->headers.size, rd->headers.size);
    for (size_t i = 0; i < ra->headers.size && i < rd->headers.size; ++i) {
        h2o_header_t *ha = ra->headers.entries + i, *hd = rd->headers.entries + i;
        CHECK(same_bytes(iov(*ha->name), iov(*hd->name)) && same_bytes(iov(ha->value), iov(hd->value)), "%s: header %zu: %.*s: %.*s, 2.2.5 %.*s: %.*s",
              where, i, (int)ha->name->len, ha->name->base, (int)ha->value.len, ha->value.base, (int)hd->name->len, hd->name->base,
              (int)hd->value.len, hd->value.base);
        CHECK(ha->orig_name == NULL && hd->orig_name == NULL, "%s: orig_name", where);
    }
    CHECK(ta->num_entries == td->num_entries && ta->hpack_size == td->hpack_size && ta->hpack_capacity == td->hpack_capacity,
          "%s: table %zu entries %zu/%zu bytes, 2.2.5 %zu entries %zu/%zu", where, ta->num_entries, ta->hpack_size, ta->hpack_capacity,
          td->num_entries, td->hpack_size, td->hpack_capacity);
    return 0;
}

static void release(struct outcome *a, struct outcome *d)
{
    free_req(&ours, a->req);
    free_req(&deb, d->req);
}

static void table_init(h2o_hpack_header_table_t *t)
{
    memset(t, 0, sizeof(*t));
    t->hpack_capacity = t->hpack_max_capacity = 4096;
}

/* decodes one block on both sides; returns 1 when the story must stop */
static int step(const char *where, const struct hs_case *c, const uint8_t *b, size_t n, h2o_hpack_header_table_t *ta,
                h2o_hpack_header_table_t *td, int kind)
{
    if (c != NULL && c->table_size >= 0)
        ta->hpack_max_capacity = td->hpack_max_capacity = (size_t)c->table_size;
    struct outcome a, d;
    decode(&ours, ta, b, n, 1, &a);
    decode(&deb, td, b, n, 1, &d);
    int stop = compare(where, b, n, &a, &d, ta, td, kind) || is_hard(a.ret) || is_hard(d.ret);
    release(&a, &d);
    return stop;
}

/* decodes a block field by field (one h2o_hpack_parse_headers call per field, into one request per
 * library), so that a field 2.2.5 refuses does not leave the rest of the block undecoded and its
 * table behind; returns 1 when the story must stop */
static unsigned long field_calls;

static int step_fields(const char *where, const struct hs_case *c, h2o_hpack_header_table_t *ta, h2o_hpack_header_table_t *td)
{
    size_t ends[4096];
    int groups = split_fields(c->wire, c->wire_len, ends, 4096);
    if (groups < 0)
        return step(where, c, c->wire, c->wire_len, ta, td, 0);
    if (c->table_size >= 0)
        ta->hpack_max_capacity = td->hpack_max_capacity = (size_t)c->table_size;
    struct outcome a = {0}, d = {0};
    a.req = new_req(&ours);
    d.req = new_req(&deb);
    int stop = 0, mapa = 0, mapd = 0;
    for (int g = 0; g < groups && !stop; ++g) {
        size_t from = g == 0 ? 0 : ends[g - 1];
        char w[700];
        snprintf(w, sizeof(w), "%s field %d", where, g);
        a.err = d.err = NULL;
        a.ret = ours.parse(a.req, ta, c->wire + from, ends[g] - from, &mapa, &a.content_length, NULL, &a.err);
        d.ret = deb.parse(d.req, td, c->wire + from, ends[g] - from, &mapd, &d.content_length, NULL, &d.err);
        a.map = mapa;
        d.map = mapd;
        ++field_calls;
        int refused = compare(w, c->wire + from, ends[g] - from, &a, &d, ta, td, 0);
        if (refused)
            stop = a.ret != d.ret || a.ret == H2O_HTTP2_ERROR_COMPRESSION || ta->num_entries != td->num_entries ||
                   ta->hpack_size != td->hpack_size;
    }
    release(&a, &d);
    return stop;
}

/* ---- 1. stories ---- */
static unsigned long story_blocks, stories_run;

static void run_stories(struct hs_story *s, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        h2o_hpack_header_table_t ta, td;
        table_init(&ta);
        table_init(&td);
        ++stories_run;
        for (size_t k = 0; k < s[i].num_cases; ++k) {
            char where[600];
            snprintf(where, sizeof(where), "%s block %zu", s[i].path, k);
            ++story_blocks;
            if (step_fields(where, s[i].cases + k, &ta, &td))
                break;
        }
        ours.dispose(&ta);
        deb.dispose(&td);
    }
}

/* each story's blocks whole (one call per block) until a block is refused */
static unsigned long run_whole_blocks(struct hs_story *s, size_t n)
{
    unsigned long blocks = 0;
    for (size_t i = 0; i < n; ++i) {
        h2o_hpack_header_table_t ta, td;
        table_init(&ta);
        table_init(&td);
        for (size_t k = 0; k < s[i].num_cases; ++k) {
            char where[600];
            snprintf(where, sizeof(where), "%s block %zu (whole)", s[i].path, k);
            ++blocks;
            if (step(where, s[i].cases + k, s[i].cases[k].wire, s[i].cases[k].wire_len, &ta, &td, 0))
                break;
        }
        ours.dispose(&ta);
        deb.dispose(&td);
    }
    return blocks;
}

/* ---- 2. mutations ---- */
static const char *const names_palette[] = {"x-custom", "X-Upper", "a b", "x(y)", "x-\x01", "", ":authority", ":method", ":path",
                                            ":scheme", ":status", ":bogus", "connection", "te", "host", "content-length",
                                            "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "cookie",
                                            "cache-digest", "user-agent", "x-\x7f", "x-\xc3\xa9", "x:y"};
static const char *const values_palette[] = {"", "v", "trailers", "TRAILERS", "gzip", "https", "http", "/", "12", "0",
                                             "1a", "99999999999999999999", " 12", "a\rb", "a\nb", "a\x01", "tab\there", "\x7f",
                                             "\xe3\x81\x82", "GET", "POST", "example.com"};

static size_t put_int(uint8_t *p, uint64_t v, int prefix, uint8_t first)
{
    uint64_t max = (1u << prefix) - 1;
    size_t n = 0;
    if (v < max) {
        p[n++] = first | (uint8_t)v;
        return n;
    }
    p[n++] = first | (uint8_t)max;
    v -= max;
    while (v >= 128) {
        p[n++] = 0x80 | (v & 0x7f);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

static size_t put_string(uint8_t *p, const char *s, size_t len)
{
    if (rnd() % 2)
        return ours.encode_string(p, s, len); /* Huffman when shorter (checked against 2.2.5 in part 3) */
    size_t n = put_int(p, len, 7, 0);
    memcpy(p + n, s, len);
    return n + len;
}

static size_t mutate(uint8_t *out, const uint8_t *in, size_t n, size_t cap)
{
    memcpy(out, in, n);
    switch (rnd() % 7) {
    case 0: /* flip bits */
        for (int i = 1 + rnd() % 3; i > 0 && n > 0; --i)
            out[rnd() % n] ^= 1 << (rnd() % 8);
        return n;
    case 1: /* cut short */
        return n ? rnd() % n : 0;
    case 2: /* junk */
        for (int i = 1 + rnd() % 4; i > 0 && n < cap; --i)
            out[n++] = rnd();
        return n;
    case 3: /* replace a byte */
        if (n)
            out[rnd() % n] = rnd();
        return n;
    case 4:
    case 5: { /* a literal inserted at a field boundary (the start, or the end) */
        uint8_t lit[256];
        size_t l = 0;
        const char *name = names_palette[rnd() % (sizeof(names_palette) / sizeof(names_palette[0]))];
        const char *value = values_palette[rnd() % (sizeof(values_palette) / sizeof(values_palette[0]))];
        uint8_t kinds[] = {0x40, 0x00, 0x10};
        uint8_t first = kinds[rnd() % 3];
        if (rnd() % 4 == 0 && strcmp(name, "x-custom") == 0) {
            l += put_int(lit + l, 1 + rnd() % 61, first == 0x40 ? 6 : 4, first); /* an indexed name */
        } else {
            lit[l++] = first;
            l += put_string(lit + l, name, strlen(name));
        }
        l += put_string(lit + l, value, strlen(value));
        if (n + l > cap)
            return n;
        if (rnd() % 2) {
            memmove(out + l, out, n);
            memcpy(out, lit, l);
        } else {
            memcpy(out + n, lit, l);
        }
        return n + l;
    }
    default: { /* a size update at the start, or the end */
        uint8_t up[8];
        size_t l = put_int(up, rnd() % 5000, 5, 0x20);
        if (n + l > cap)
            return n;
        if (rnd() % 2) {
            memmove(out + l, out, n);
            memcpy(out, up, l);
        } else {
            memcpy(out + n, up, l);
        }
        return n + l;
    }
    }
}

static void run_mutations(struct hs_story *s, size_t n, unsigned long iterations)
{
    uint8_t *buf = malloc(1 << 16);
    for (unsigned long it = 0; it < iterations; ++it) {
        struct hs_story *st = s + rnd() % n;
        if (st->num_cases == 0)
            continue;
        size_t k = rnd() % (st->num_cases < 12 ? st->num_cases : 12);
        h2o_hpack_header_table_t ta, td;
        table_init(&ta);
        table_init(&td);
        int stopped = 0;
        for (size_t j = 0; j < k && !stopped; ++j)
            stopped = step_fields("replay", st->cases + j, &ta, &td);
        if (!stopped) {
            const struct hs_case *c = st->cases + k;
            if (c->wire_len + 512 < (1 << 16)) {
                size_t m = mutate(buf, c->wire, c->wire_len, c->wire_len + 512);
                char where[700];
                snprintf(where, sizeof(where), "%s block %zu mutated (iteration %lu)", st->path, k, it);
                if (!step(where, c, buf, m, &ta, &td, 1) && k + 1 < st->num_cases) {
                    snprintf(where, sizeof(where), "%s block %zu after a mutated one (iteration %lu)", st->path, k + 1, it);
                    step(where, st->cases + k + 1, st->cases[k + 1].wire, st->cases[k + 1].wire_len, &ta, &td, 1);
                }
            }
        }
        ours.dispose(&ta);
        deb.dispose(&td);
    }
    free(buf);
}

/* ---- 3. h2o_hpack_encode_string ---- */
static void run_encode_string(unsigned long iterations)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-_/.:;= ABCXYZ%&?\t";
    char s[700];
    uint8_t a[800], d[800];
    for (unsigned long it = 0; it < iterations; ++it) {
        size_t len = rnd() % 8 == 0 ? rnd() % 700 : rnd() % 40;
        int raw = rnd() % 4 == 0;
        for (size_t i = 0; i < len; ++i)
            s[i] = raw ? (char)rnd() : alphabet[rnd() % (sizeof(alphabet) - 1)];
        memset(a, 0xaa, sizeof(a));
        memset(d, 0xaa, sizeof(d));
        size_t la = ours.encode_string(a, s, len), ld = deb.encode_string(d, s, len);
        CHECK(la == ld && memcmp(a, d, la) == 0, "encode_string of %zu bytes: %zu bytes, 2.2.5 %zu", len, la, ld);
    }
}

/* ---- 4. flatten ---- */
struct frames_check {
    size_t block_len;
    uint8_t *block; /* the frames' payloads joined (without the promised id) */
};

/* checks the framing rules; returns 0 when they hold */
static int check_frames(const char *who, const char *where, h2o_buffer_t *b, int request, uint32_t stream_id, uint32_t parent,
                        size_t max_frame_size, struct frames_check *out)
{
    const uint8_t *p = (const uint8_t *)b->bytes, *end = p + b->size;
    int ok = 1, first = 1;
    out->block = malloc(b->size + 1);
    out->block_len = 0;
    while (p < end) {
        if (end - p < 9) {
            ok = 0;
            break;
        }
        size_t len = (size_t)p[0] << 16 | p[1] << 8 | p[2];
        uint8_t type = p[3], flags = p[4];
        uint32_t sid = (uint32_t)p[5] << 24 | p[6] << 16 | p[7] << 8 | p[8];
        p += 9;
        if (len > (size_t)(end - p) || len > max_frame_size) {
            ok = 0;
            break;
        }
        int last = p + len == end;
        uint8_t want_type = first ? (request ? 5 : 1) : 9;
        uint32_t want_sid = request ? parent : stream_id;
        if (type != want_type || sid != want_sid || flags != (last ? 4 : 0) || (!last && len != max_frame_size))
            ok = 0;
        memcpy(out->block + out->block_len, p, len);
        out->block_len += len;
        p += len;
        first = 0;
    }
    if (ok && request) {
        if (out->block_len < 4 || ((uint32_t)out->block[0] << 24 | out->block[1] << 16 | out->block[2] << 8 | out->block[3]) != stream_id)
            ok = 0;
        else
            memmove(out->block, out->block + 4, out->block_len -= 4);
    }
    CHECK(ok, "%s: %s: frames break the rules", where, who);
    return ok ? 0 : -1;
}

#ifdef HAVE_NGHTTP2
struct nghttp2_api {
    int (*inflate_new)(nghttp2_hd_inflater **);
    void (*inflate_del)(nghttp2_hd_inflater *);
    ssize_t (*inflate_hd2)(nghttp2_hd_inflater *, nghttp2_nv *, int *, const uint8_t *, size_t, int);
    int (*inflate_end_headers)(nghttp2_hd_inflater *);
} ng;

static int load_nghttp2(void)
{
    void *h = dlopen("libnghttp2.so.14", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, "libnghttp2", ng.inflate_new, "nghttp2_hd_inflate_new");
    DIFF_SYM(h, "libnghttp2", ng.inflate_del, "nghttp2_hd_inflate_del");
    DIFF_SYM(h, "libnghttp2", ng.inflate_hd2, "nghttp2_hd_inflate_hd2");
    DIFF_SYM(h, "libnghttp2", ng.inflate_end_headers, "nghttp2_hd_inflate_end_headers");
    return 0;
}

/* decodes `block` and appends "name: value\n" lines to *text; 0 on success */
static int inflate_block(nghttp2_hd_inflater *inf, const uint8_t *block, size_t len, char **text, size_t *text_len)
{
    size_t cap = 1 << 12;
    *text = malloc(cap);
    *text_len = 0;
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t r = ng.inflate_hd2(inf, &nv, &flags, block, len, 1);
        if (r < 0)
            return -1;
        block += r;
        len -= r;
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            size_t need = *text_len + nv.namelen + nv.valuelen + 3;
            while (need > cap)
                *text = realloc(*text, cap *= 2);
            memcpy(*text + *text_len, nv.name, nv.namelen);
            *text_len += nv.namelen;
            (*text)[(*text_len)++] = ':';
            (*text)[(*text_len)++] = ' ';
            memcpy(*text + *text_len, nv.value, nv.valuelen);
            *text_len += nv.valuelen;
            (*text)[(*text_len)++] = '\n';
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            ng.inflate_end_headers(inf);
            return 0;
        }
        if (r == 0 && len == 0)
            return -1;
    }
}
#endif

static const char DATE[] = "Thu, 03 Dec 2026 13:00:00 GMT";
static unsigned long flatten_blocks, bytes_ours, bytes_deb, decoded_blocks;

static void fill_req(struct lib *l, h2o_req_t *req, const struct hs_case *c)
{
    req->input.scheme = l->https;
    for (size_t i = 0; i < c->num_fields; ++i) {
        const struct hs_field *f = c->fields + i;
        h2o_iovec_t v = {f->value, f->value_len};
        if (strcmp(f->name, ":method") == 0)
            req->input.method = v;
        else if (strcmp(f->name, ":authority") == 0)
            req->input.authority = v;
        else if (strcmp(f->name, ":path") == 0)
            req->input.path = v;
        else if (strcmp(f->name, ":scheme") == 0)
            req->input.scheme = strcmp(f->value, "http") == 0 ? l->http : l->https;
        else
            l->add_header_by_str(&req->pool, &req->headers, f->name, f->name_len, 1, NULL, f->value, f->value_len);
    }
}

/* content-length moves to the parameter (when it is a number) */
static size_t fill_res(struct lib *l, h2o_req_t *req, const struct hs_case *c)
{
    size_t cl = SIZE_MAX;
    req->res.status = 200;
    for (size_t i = 0; i < c->num_fields; ++i) {
        const struct hs_field *f = c->fields + i;
        if (strcmp(f->name, ":status") == 0) {
            req->res.status = atoi(f->value);
        } else if (strcmp(f->name, "content-length") == 0 && cl == SIZE_MAX && f->value_len > 0 && f->value_len < 19 &&
                   strspn(f->value, "0123456789") == f->value_len) {
            cl = strtoull(f->value, NULL, 10);
        } else {
            l->add_header_by_str(&req->pool, &req->res.headers, f->name, f->name_len, 1, NULL, f->value, f->value_len);
        }
    }
    return cl;
}

static void run_flatten(struct hs_story *s, size_t n)
{
    h2o_timestamp_string_t tstr;
    memset(&tstr, 0, sizeof(tstr));
    memcpy(tstr.rfc1123, DATE, sizeof(DATE));
    h2o_timestamp_t ts = {{0, 0}, &tstr};
    h2o_iovec_t no_server = {NULL, 0};
    for (size_t i = 0; i < n; ++i) {
        h2o_hpack_header_table_t ta, td;
        memset(&ta, 0, sizeof(ta));
        memset(&td, 0, sizeof(td));
        ta.hpack_capacity = td.hpack_capacity = 4096;
#ifdef HAVE_NGHTTP2
        nghttp2_hd_inflater *ia = NULL, *id = NULL;
        int decoding = ng.inflate_new != NULL && ng.inflate_new(&ia) == 0 && ng.inflate_new(&id) == 0;
#endif
        for (size_t k = 0; k < s[i].num_cases; ++k) {
            const struct hs_case *c = s[i].cases + k;
            char where[600];
            snprintf(where, sizeof(where), "%s block %zu", s[i].path, k);
            size_t mfs = (size_t[]){16384, 16384, 1000, 64}[rnd() % 4];
            uint32_t sid = 2 + 2 * (uint32_t)k, parent = 1 + 2 * (uint32_t)(k % 7);
            h2o_req_t *ra = new_req(&ours), *rd = new_req(&deb);
            h2o_buffer_t *ba, *bd;
            h2o_buffer_init(&ba, &ours.proto);
            h2o_buffer_init(&bd, &deb.proto);
            if (!s[i].is_response) {
                fill_req(&ours, ra, c);
                fill_req(&deb, rd, c);
                ours.flatten_request(&ba, &ta, sid, mfs, ra, parent);
                deb.flatten_request(&bd, &td, sid, mfs, rd, parent);
            } else {
                size_t cla = fill_res(&ours, ra, c), cld = fill_res(&deb, rd, c);
                ours.flatten_response(&ba, &ta, sid, mfs, &ra->res, &ts, &no_server, cla);
                deb.flatten_response(&bd, &td, sid, mfs, &rd->res, &ts, &no_server, cld);
            }
            ++flatten_blocks;
            struct frames_check fa, fd;
            int oka = check_frames("ours", where, ba, !s[i].is_response, sid, parent, mfs, &fa);
            int okd = check_frames("2.2.5", where, bd, !s[i].is_response, sid, parent, mfs, &fd);
            bytes_ours += fa.block_len;
            bytes_deb += fd.block_len;
#ifdef HAVE_NGHTTP2
            if (decoding && oka == 0 && okd == 0) {
                char *xa = NULL, *xd = NULL;
                size_t la = 0, ld = 0;
                int ea = inflate_block(ia, fa.block, fa.block_len, &xa, &la);
                int ed = inflate_block(id, fd.block, fd.block_len, &xd, &ld);
                CHECK(ea == 0, "%s: nghttp2 refuses our block", where);
                CHECK(ed == 0, "%s: nghttp2 refuses 2.2.5's block", where);
                CHECK(ea == 0 && ed == 0 && la == ld && memcmp(xa, xd, la) == 0, "%s: decoded fields differ:\n--- ours\n%.*s--- 2.2.5\n%.*s",
                      where, (int)la, xa, (int)ld, xd);
                ++decoded_blocks;
                free(xa);
                free(xd);
                if (ea || ed)
                    decoding = 0;
            }
#endif
            (void)oka;
            (void)okd;
            free(fa.block);
            free(fd.block);
            if (ba != &ours.proto._initial_buf)
                ours.buffer_free(ba);
            if (bd != &deb.proto._initial_buf)
                deb.buffer_free(bd);
            free_req(&ours, ra);
            free_req(&deb, rd);
        }
        CHECK(ta.num_entries > 0 || s[i].num_cases == 0, "%s: our encoder indexed nothing", s[i].path);
#ifdef HAVE_NGHTTP2
        if (ia != NULL)
            ng.inflate_del(ia);
        if (id != NULL)
            ng.inflate_del(id);
#endif
        ours.dispose(&ta);
        deb.dispose(&td);
    }
}

int main(int argc, char **argv)
{
    unsigned long iterations;
    DIFF_SETUP(load, ours, deb, parse, 20000, iterations);
    const char *root = getenv("HPACK_TEST_CASE");
    if (root == NULL)
        root = "../shared/testdata/hpack-test-case";
    char **dirs;
    size_t ndirs = hs_encoded_dirs(root, &dirs);
    if (ndirs == 0) {
        printf("SKIPPED: no hpack-test-case stories under %s\n", root);
        return 77;
    }
    struct hs_story *all = NULL;
    size_t nall = 0;
    for (size_t i = 0; i < ndirs; ++i) {
        struct hs_story *s;
        size_t n = hs_load_dir(dirs[i], &s);
        all = realloc(all, (nall + n) * sizeof(*all));
        memcpy(all + nall, s, n * sizeof(*s));
        nall += n;
        free(s);
    }
    run_stories(all, nall);
    printf("stories: %lu stories, %lu blocks decoded field by field by both (%lu calls); 2.2.5 outcomes: %lu ok, %lu soft, %lu "
           "PROTOCOL, %lu COMPRESSION\n",
           stories_run, story_blocks, field_calls, outcomes[0][0], outcomes[0][1], outcomes[0][2], outcomes[0][3]);
    unsigned long whole = run_whole_blocks(all, nall);
    printf("stories: %lu blocks decoded whole by both (each story up to its first refused block)\n", whole);
    run_mutations(all, nall, iterations);
    printf("mutated: %lu blocks; same outcome: %lu ok, %lu soft, %lu PROTOCOL, %lu COMPRESSION\n", iterations, outcomes[1][0],
           outcomes[1][1], outcomes[1][2], outcomes[1][3]);
    run_encode_string(iterations / 4);
    printf("encode_string: %lu strings\n", iterations / 4);
#ifdef HAVE_NGHTTP2
    if (load_nghttp2() != 0)
        printf("note: libnghttp2.so.14 not loadable: flattened blocks are not decoded\n");
#else
    printf("note: built without nghttp2/nghttp2.h: flattened blocks are not decoded\n");
#endif
    char raw[4096];
    snprintf(raw, sizeof(raw), "%s/raw-data", root);
    struct hs_story *rs;
    size_t nraw = hs_load_dir(raw, &rs);
    run_flatten(rs, nraw);
    printf("flatten: %zu raw-data stories, %lu blocks, %lu decoded by nghttp2 and compared; header block bytes ours %lu, 2.2.5 %lu\n",
           nraw, flatten_blocks, decoded_blocks, bytes_ours, bytes_deb);
    for (int k = 0; k < D_NUM; ++k)
        if (diffs[k] != 0)
            printf("documented difference: %s: %lu\n", diff_names[k], diffs[k]);
    printf("%lu checks, %lu mismatches\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
