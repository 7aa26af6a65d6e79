/*
 * Differential test of the HTTP/2 frame codec (the frame section of our h2o/http2.h; 2.2.5's
 * h2o/http2_internal.h): our library against Debian's libh2o-evloop 2.2.5, both dlopen()ed
 * (RTLD_LOCAL) into this process.
 *
 *   http2-frame-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * 1. ITERATIONS frames, generated (well-formed for their type: Pad Length within the payload,
 *    priority fields, 4/5/8-byte fixed payloads, sometimes naming the frame's own stream) then, for
 *    half of them, mutated (1-3 random bytes, header included), with random types (unknown ones
 *    too), flags, stream ids (0, small, 31-bit, the reserved bit set), lengths up to 20000 (and
 *    some announcing more than the input holds), SETTINGS_MAX_FRAME_SIZE 16384, 16777215 or tiny,
 *    and input cut short or followed by more bytes: h2o_http2_decode_frame gives the same return
 *    value and the same frame fields (payload as an offset; untouched ones untouched).
 * 2. Every frame h2o_http2_decode_frame accepted, and as many built directly (any type, flags and
 *    raw stream id, the reserved bit too), goes through each of the seven
 *    h2o_http2_decode_*_payload functions (whatever its type, as 2.2.5 allows): the same return
 *    value and every output field (pointers as offsets into the frame; what 2.2.5 leaves untouched
 *    on an error stays untouched), `*err_is_stream_level` of WINDOW_UPDATE; `*err_desc` untouched on
 *    success, set on an error whenever 2.2.5 sets it.
 * 3. ITERATIONS / 4 SETTINGS payloads (identifiers 0..10 with values around each bound, sometimes a
 *    partial entry at the end) through h2o_http2_update_peer_settings: the same return value and
 *    the same five settings afterwards.
 * 4. ITERATIONS / 4 buffers filled with 1..8 frames by h2o_http2_encode_frame_header (into a plain
 *    array), h2o_http2__encode_rst_stream_frame, _ping_frame, _goaway_frame (debug data up to 100
 *    bytes) and _window_update_frame with random arguments: the same bytes.
 *
 * Deliberate differences (h2o/http2.h, frame section), each counted and checked exactly rather than
 * skipped: a PADDED DATA/HEADERS frame too short for its Pad Length (HEADERS with PRIORITY: for
 * Pad Length + 5) is H2O_HTTP2_ERROR_FRAME_SIZE for us, PROTOCOL for 2.2.5; a SETTINGS value other
 * than 0/1 for ENABLE_CONNECT_PROTOCOL (8) or NO_RFC7540_PRIORITIES (9) is PROTOCOL for us (with the
 * entries before it applied), ignored by 2.2.5; our encoders clear the reserved bit of stream ids,
 * Last-Stream-ID and the window increment, which 2.2.5 writes as given.
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#include <h2o.h>
#include <h2o/http2.h>
#include "diff.h"

struct lib {
    ssize_t (*decode_frame)(h2o_http2_frame_t *, const uint8_t *, size_t, const h2o_http2_settings_t *, const char **);
    int (*data)(h2o_http2_data_payload_t *, const h2o_http2_frame_t *, const char **);
    int (*headers)(h2o_http2_headers_payload_t *, const h2o_http2_frame_t *, const char **);
    int (*priority)(h2o_http2_priority_t *, const h2o_http2_frame_t *, const char **);
    int (*rst_stream)(h2o_http2_rst_stream_payload_t *, const h2o_http2_frame_t *, const char **);
    int (*ping)(h2o_http2_ping_payload_t *, const h2o_http2_frame_t *, const char **);
    int (*goaway)(h2o_http2_goaway_payload_t *, const h2o_http2_frame_t *, const char **);
    int (*window_update)(h2o_http2_window_update_payload_t *, const h2o_http2_frame_t *, const char **, int *);
    int (*update_peer_settings)(h2o_http2_settings_t *, const uint8_t *, size_t, const char **);
    uint8_t *(*encode_frame_header)(uint8_t *, size_t, uint8_t, uint8_t, int32_t);
    void (*encode_rst_stream)(h2o_buffer_t **, uint32_t, int);
    void (*encode_ping)(h2o_buffer_t **, int, const uint8_t *);
    void (*encode_goaway)(h2o_buffer_t **, uint32_t, int, h2o_iovec_t);
    void (*encode_window_update)(h2o_buffer_t **, uint32_t, int32_t);
    void (*buffer_free)(h2o_buffer_t *);
    h2o_buffer_prototype_t proto;
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->decode_frame, "h2o_http2_decode_frame");
    DIFF_SYM(h, path, l->data, "h2o_http2_decode_data_payload");
    DIFF_SYM(h, path, l->headers, "h2o_http2_decode_headers_payload");
    DIFF_SYM(h, path, l->priority, "h2o_http2_decode_priority_payload");
    DIFF_SYM(h, path, l->rst_stream, "h2o_http2_decode_rst_stream_payload");
    DIFF_SYM(h, path, l->ping, "h2o_http2_decode_ping_payload");
    DIFF_SYM(h, path, l->goaway, "h2o_http2_decode_goaway_payload");
    DIFF_SYM(h, path, l->window_update, "h2o_http2_decode_window_update_payload");
    DIFF_SYM(h, path, l->update_peer_settings, "h2o_http2_update_peer_settings");
    DIFF_SYM(h, path, l->encode_frame_header, "h2o_http2_encode_frame_header");
    DIFF_SYM(h, path, l->encode_rst_stream, "h2o_http2__encode_rst_stream_frame");
    DIFF_SYM(h, path, l->encode_ping, "h2o_http2_encode_ping_frame");
    DIFF_SYM(h, path, l->encode_goaway, "h2o_http2_encode_goaway_frame");
    DIFF_SYM(h, path, l->encode_window_update, "h2o_http2_encode_window_update_frame");
    DIFF_SYM(h, path, l->buffer_free, "h2o_buffer__do_free");
    memset(&l->proto, 0, sizeof(l->proto));
    l->proto.allocator.max = 16;
    l->proto._initial_buf.capacity = 64;
    return 0;
}

static struct lib ours, deb;
/* deliberate differences, each checked exactly: frames too short for their fields, RFC 8441 /
 * RFC 9218 SETTINGS values, reserved bits the encoders clear */
static unsigned long short_frames, rfc8441_settings, reserved_bits;

/* a pointer no library writes: tells "untouched" */
static const char UNTOUCHED_DESC[] = "untouched";
#define UNTOUCHED_PTR ((const uint8_t *)(uintptr_t)0x5a5a5a5a5a5a5a5aull)
#define UNTOUCHED_U32 0xa5a5a5a5u

/* a pointer as an offset from `base` (NULL -> -1, the "untouched" mark -> -2, else beyond) */
static long long off(const void *p, const void *base)
{
    if (p == NULL)
        return -1;
    if (p == (const void *)UNTOUCHED_PTR)
        return -2;
    return (const uint8_t *)p - (const uint8_t *)base;
}

/* --- generated frames ------------------------------------------------------------------------------ */

#define MAX_PAYLOAD 20000
static uint8_t input[H2O_HTTP2_FRAME_HEADER_SIZE + MAX_PAYLOAD + 64];

static uint32_t random_stream_id(void)
{
    switch (rnd() % 8) {
    case 0:
    case 1:
        return 0;
    case 2:
        return 0x80000000u | (rnd() % 4);
    case 3:
        return rnd() | (rnd() << 31);
    case 4:
        return rnd() & 0x7fffffff;
    default:
        return 1 + rnd() % 9;
    }
}

static uint8_t random_flags(void)
{
    if (rnd() % 2)
        return (uint8_t)rnd();
    static const uint8_t f[] = {H2O_HTTP2_FRAME_FLAG_END_STREAM, H2O_HTTP2_FRAME_FLAG_END_HEADERS, H2O_HTTP2_FRAME_FLAG_PADDED,
                                H2O_HTTP2_FRAME_FLAG_PRIORITY};
    uint8_t flags = 0;
    for (size_t i = 0; i != sizeof(f); ++i)
        if (rnd() % 2)
            flags |= f[i];
    return flags;
}

static uint32_t random_length(void)
{
    switch (rnd() % 20) {
    case 0:
        return 25 + rnd() % 300;
    case 1:
        return rnd() % MAX_PAYLOAD;
    default:
        return rnd() % 25;
    }
}

/* writes a frame at `input` (header + payload); returns the payload length */
static uint32_t make_frame(uint8_t *type_out, uint8_t *flags_out, uint32_t *stream_out)
{
    uint8_t type = rnd() % 8 == 0 ? (uint8_t)rnd() : rnd() % 10, flags = random_flags();
    uint32_t stream_id = random_stream_id(), length;
    switch (type) {
    case H2O_HTTP2_FRAME_TYPE_PRIORITY:
        length = rnd() % 4 ? 5 : random_length();
        break;
    case H2O_HTTP2_FRAME_TYPE_RST_STREAM:
    case H2O_HTTP2_FRAME_TYPE_WINDOW_UPDATE:
        length = rnd() % 4 ? 4 : random_length();
        break;
    case H2O_HTTP2_FRAME_TYPE_PING:
        length = rnd() % 4 ? 8 : random_length();
        break;
    case H2O_HTTP2_FRAME_TYPE_GOAWAY:
        length = rnd() % 4 ? 8 + rnd() % 20 : random_length();
        break;
    default:
        length = random_length();
        break;
    }
    uint8_t *p = input + H2O_HTTP2_FRAME_HEADER_SIZE;
    for (uint32_t i = 0; i != length; ++i)
        p[i] = (uint8_t)rnd();
    size_t at = 0;
    if ((flags & H2O_HTTP2_FRAME_FLAG_PADDED) != 0 && length != 0) {
        /* a Pad Length near the limits */
        int32_t room = (int32_t)length - 1 - ((flags & H2O_HTTP2_FRAME_FLAG_PRIORITY) != 0 && type == H2O_HTTP2_FRAME_TYPE_HEADERS ? 5 : 0);
        int32_t pad = room - 2 + (int32_t)(rnd() % 5);
        if (rnd() % 3 == 0)
            pad = (int32_t)(rnd() % (uint32_t)(room < 0 ? 2 : room + 2));
        p[0] = (uint8_t)(pad < 0 ? 0 : pad > 255 ? (int32_t)rnd() : pad);
        at = 1;
    }
    if ((type == H2O_HTTP2_FRAME_TYPE_PRIORITY || type == H2O_HTTP2_FRAME_TYPE_HEADERS) && length >= at + 5 && rnd() % 4 == 0) {
        /* depends on itself, or on stream 0, exclusive or not */
        uint32_t dep = (rnd() % 2 ? stream_id & 0x7fffffff : 0) | (rnd() % 2 ? 0x80000000u : 0);
        p[at] = dep >> 24, p[at + 1] = dep >> 16, p[at + 2] = dep >> 8, p[at + 3] = dep;
    }
    if (type == H2O_HTTP2_FRAME_TYPE_WINDOW_UPDATE && length == 4 && rnd() % 3 == 0)
        memset(p, rnd() % 2 ? 0x80 : 0, 1), memset(p + 1, 0, 3); /* increment 0 (reserved bit or not) */
    input[0] = length >> 16, input[1] = length >> 8, input[2] = length;
    input[3] = type, input[4] = flags;
    input[5] = stream_id >> 24, input[6] = stream_id >> 16, input[7] = stream_id >> 8, input[8] = stream_id;
    if (rnd() % 2) {
        unsigned n = 1 + rnd() % 3;
        while (n-- != 0)
            input[rnd() % (H2O_HTTP2_FRAME_HEADER_SIZE + length)] ^= (uint8_t)(1 + rnd() % 255);
    }
    *type_out = type, *flags_out = flags, *stream_out = stream_id;
    return length;
}

/* --- the payload decoders -------------------------------------------------------------------------- */

static unsigned long payload_calls;

#define ERR_DESC_CHECK(what, ra, rb, da, db)                                                                                      \
    do {                                                                                                                           \
        if ((rb) == 0)                                                                                                             \
            CHECK((da) == UNTOUCHED_DESC, "%s: ours set err_desc on success", what);                                               \
        else if ((db) != UNTOUCHED_DESC)                                                                                           \
            CHECK((da) != UNTOUCHED_DESC && (da) != NULL, "%s: 2.2.5 gave err_desc \"%s\", ours none", what, db);                 \
    } while (0)

/* 2.2.5's return value turned into ours where we differ on purpose (RFC 9113 4.2) */
static int expected_ours(int deb_ret, const h2o_http2_frame_t *f, int is_headers)
{
    size_t padded = (f->flags & H2O_HTTP2_FRAME_FLAG_PADDED) != 0;
    size_t need = padded + (is_headers && (f->flags & H2O_HTTP2_FRAME_FLAG_PRIORITY) != 0 ? 5 : 0);
    if (f->stream_id != 0 && f->length < need) {
        CHECK(deb_ret == H2O_HTTP2_ERROR_PROTOCOL, "2.2.5 accepted a frame too short for its fields (%d)", deb_ret);
        ++short_frames;
        return H2O_HTTP2_ERROR_FRAME_SIZE;
    }
    return deb_ret;
}

static void check_payloads(const h2o_http2_frame_t *f)
{
    const uint8_t *base = f->payload;
    const char *da, *db;
    int ra, rb;
    payload_calls += 7;

    { /* DATA */
        h2o_http2_data_payload_t a = {UNTOUCHED_PTR, UNTOUCHED_U32}, b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.data(&a, f, &da), rb = deb.data(&b, f, &db);
        CHECK(ra == expected_ours(rb, f, 0), "DATA type %u flags %02x len %u stream %08x: ours %d, 2.2.5 %d", f->type, f->flags,
              f->length, f->stream_id, ra, rb);
        if (ra == rb) {
            CHECK(off(a.data, base) == off(b.data, base) && a.length == b.length, "DATA len %u flags %02x: data %lld+%zu, 2.2.5 %lld+%zu",
                  f->length, f->flags, off(a.data, base), a.length, off(b.data, base), b.length);
            ERR_DESC_CHECK("DATA", ra, rb, da, db);
        }
    }
    { /* HEADERS */
        h2o_http2_headers_payload_t a = {{(int)UNTOUCHED_U32, UNTOUCHED_U32, 0xa5a5}, UNTOUCHED_PTR, UNTOUCHED_U32}, b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.headers(&a, f, &da), rb = deb.headers(&b, f, &db);
        CHECK(ra == expected_ours(rb, f, 1), "HEADERS flags %02x len %u stream %08x: ours %d, 2.2.5 %d", f->flags, f->length,
              f->stream_id, ra, rb);
        if (ra == rb) {
            CHECK(a.priority.exclusive == b.priority.exclusive && a.priority.dependency == b.priority.dependency &&
                      a.priority.weight == b.priority.weight,
                  "HEADERS flags %02x len %u: priority ours %d/%u/%u, 2.2.5 %d/%u/%u", f->flags, f->length, a.priority.exclusive,
                  a.priority.dependency, a.priority.weight, b.priority.exclusive, b.priority.dependency, b.priority.weight);
            CHECK(off(a.headers, base) == off(b.headers, base) && a.headers_len == b.headers_len,
                  "HEADERS flags %02x len %u: block %lld+%zu, 2.2.5 %lld+%zu", f->flags, f->length, off(a.headers, base), a.headers_len,
                  off(b.headers, base), b.headers_len);
            ERR_DESC_CHECK("HEADERS", ra, rb, da, db);
        }
    }
    { /* PRIORITY */
        h2o_http2_priority_t a = {(int)UNTOUCHED_U32, UNTOUCHED_U32, 0xa5a5}, b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.priority(&a, f, &da), rb = deb.priority(&b, f, &db);
        CHECK(ra == rb, "PRIORITY len %u stream %08x: ours %d, 2.2.5 %d", f->length, f->stream_id, ra, rb);
        CHECK(a.exclusive == b.exclusive && a.dependency == b.dependency && a.weight == b.weight,
              "PRIORITY len %u: ours %d/%u/%u, 2.2.5 %d/%u/%u", f->length, a.exclusive, a.dependency, a.weight, b.exclusive, b.dependency,
              b.weight);
        ERR_DESC_CHECK("PRIORITY", ra, rb, da, db);
    }
    { /* RST_STREAM */
        h2o_http2_rst_stream_payload_t a = {UNTOUCHED_U32}, b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.rst_stream(&a, f, &da), rb = deb.rst_stream(&b, f, &db);
        CHECK(ra == rb && a.error_code == b.error_code, "RST_STREAM len %u stream %08x: ours %d (%08x), 2.2.5 %d (%08x)", f->length,
              f->stream_id, ra, a.error_code, rb, b.error_code);
        ERR_DESC_CHECK("RST_STREAM", ra, rb, da, db);
    }
    { /* PING */
        h2o_http2_ping_payload_t a, b;
        memset(&a, 0xa5, sizeof(a));
        b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.ping(&a, f, &da), rb = deb.ping(&b, f, &db);
        CHECK(ra == rb && memcmp(a.data, b.data, 8) == 0, "PING len %u stream %08x: ours %d, 2.2.5 %d (or data)", f->length,
              f->stream_id, ra, rb);
        ERR_DESC_CHECK("PING", ra, rb, da, db);
    }
    { /* GOAWAY */
        h2o_http2_goaway_payload_t a = {UNTOUCHED_U32, UNTOUCHED_U32, {(char *)UNTOUCHED_PTR, UNTOUCHED_U32}}, b = a;
        da = db = UNTOUCHED_DESC;
        ra = ours.goaway(&a, f, &da), rb = deb.goaway(&b, f, &db);
        CHECK(ra == rb, "GOAWAY len %u stream %08x: ours %d, 2.2.5 %d", f->length, f->stream_id, ra, rb);
        CHECK(a.last_stream_id == b.last_stream_id && a.error_code == b.error_code &&
                  off(a.debug_data.base, base) == off(b.debug_data.base, base) && a.debug_data.len == b.debug_data.len,
              "GOAWAY len %u: ours %08x %08x %lld+%zu, 2.2.5 %08x %08x %lld+%zu", f->length, a.last_stream_id, a.error_code,
              off(a.debug_data.base, base), a.debug_data.len, b.last_stream_id, b.error_code, off(b.debug_data.base, base),
              b.debug_data.len);
        ERR_DESC_CHECK("GOAWAY", ra, rb, da, db);
    }
    { /* WINDOW_UPDATE */
        h2o_http2_window_update_payload_t a = {UNTOUCHED_U32}, b = a;
        int sa = 0x5a5a, sb = 0x5a5a;
        da = db = UNTOUCHED_DESC;
        ra = ours.window_update(&a, f, &da, &sa), rb = deb.window_update(&b, f, &db, &sb);
        CHECK(ra == rb && a.window_size_increment == b.window_size_increment && sa == sb,
              "WINDOW_UPDATE len %u stream %08x: ours %d (%08x, stream-level %d), 2.2.5 %d (%08x, %d)", f->length, f->stream_id, ra,
              a.window_size_increment, sa, rb, b.window_size_increment, sb);
        ERR_DESC_CHECK("WINDOW_UPDATE", ra, rb, da, db);
    }
}

static void test_frames(unsigned long iterations)
{
    unsigned long accepted = 0, direct = 0;
    for (unsigned long i = 0; i != iterations; ++i) {
        uint8_t type, flags;
        uint32_t stream_id, length = make_frame(&type, &flags, &stream_id);
        size_t total = H2O_HTTP2_FRAME_HEADER_SIZE + length, len = total;
        switch (rnd() % 8) {
        case 0:
            len = rnd() % total;
            break;
        case 1:
            len = total + 1 + rnd() % 40;
            for (size_t j = total; j != len; ++j)
                input[j] = (uint8_t)rnd();
            break;
        case 2: /* announce more than there is */
            input[0] = (uint8_t)rnd(), input[1] = (uint8_t)rnd();
            break;
        }
        h2o_http2_settings_t settings = {4096, 1, 100, 65535, 16384};
        switch (rnd() % 8) {
        case 0:
            settings.max_frame_size = 16777215;
            break;
        case 1:
            settings.max_frame_size = rnd() % 40;
            break;
        }
        h2o_http2_frame_t fa, fb;
        memset(&fa, 0xa5, sizeof(fa));
        fb = fa;
        const char *da = UNTOUCHED_DESC, *db = UNTOUCHED_DESC;
        ssize_t ra = ours.decode_frame(&fa, input, len, &settings, &da), rb = deb.decode_frame(&fb, input, len, &settings, &db);
        CHECK(ra == rb, "decode_frame len %zu (header says %u, max %u): ours %zd, 2.2.5 %zd", len,
              len >= 3 ? (unsigned)(input[0] << 16 | input[1] << 8 | input[2]) : 0, settings.max_frame_size, ra, rb);
        CHECK(fa.length == fb.length && fa.type == fb.type && fa.flags == fb.flags && fa.stream_id == fb.stream_id &&
                  off(fa.payload, input) == off(fb.payload, input),
              "decode_frame fields: ours %u/%u/%02x/%08x/%lld, 2.2.5 %u/%u/%02x/%08x/%lld", fa.length, fa.type, fa.flags, fa.stream_id,
              off(fa.payload, input), fb.length, fb.type, fb.flags, fb.stream_id, off(fb.payload, input));
        if (rb == H2O_HTTP2_ERROR_INCOMPLETE || rb >= 0)
            CHECK(da == UNTOUCHED_DESC, "decode_frame: ours set err_desc (%zd)", ra);
        if (rb >= 0) {
            ++accepted;
            check_payloads(&fb);
        }
        /* the same bytes as a frame built by hand: raw stream id, any type */
        if (len >= total) {
            h2o_http2_frame_t f = {length, type, flags, stream_id, input + H2O_HTTP2_FRAME_HEADER_SIZE};
            f.length = length; /* the generated length, not a mutated header's */
            ++direct;
            check_payloads(&f);
        }
    }
    printf("frames: %lu decoded by h2o_http2_decode_frame (%lu accepted), %lu built directly, %lu payload decoder calls\n",
           iterations, accepted, direct, payload_calls);
}

/* --- SETTINGS ---------------------------------------------------------------------------------------- */

static uint32_t random_setting_value(uint16_t id)
{
    switch (rnd() % 6) {
    case 0:
        return rnd() | rnd() << 31;
    case 1:
        return rnd() % 3;
    case 2:
        return 0x7fffffff + (rnd() % 3) - 1;
    case 3:
        return 16384 + (rnd() % 3) - 1;
    case 4:
        return 16777215 + (rnd() % 3) - 1;
    default:
        return id == 4 ? 0xffffffffu : 0xffffffffu - rnd() % 2;
    }
}

static void test_settings(unsigned long iterations)
{
    uint8_t src[6 * 12 + 5];
    unsigned long errors = 0;
    for (unsigned long i = 0; i != iterations; ++i) {
        size_t n = rnd() % 12, len = 6 * n, first_rfc8441 = SIZE_MAX;
        for (size_t e = 0; e != n; ++e) {
            uint16_t id = rnd() % 11;
            uint32_t v = random_setting_value(id);
            if (rnd() % 8 != 0)
                v = id == 5 ? 16384 + rnd() % 16760832 : id == 4 ? rnd() & 0x7fffffff : rnd() % 2; /* valid */
            uint8_t *p = src + 6 * e;
            p[0] = id >> 8, p[1] = id, p[2] = v >> 24, p[3] = v >> 16, p[4] = v >> 8, p[5] = v;
            if ((id == 8 || id == 9) && v > 1 && first_rfc8441 == SIZE_MAX)
                first_rfc8441 = e;
        }
        if (rnd() % 5 == 0) {
            size_t extra = 1 + rnd() % 5;
            for (size_t j = 0; j != extra; ++j)
                src[len + j] = (uint8_t)rnd();
            len += extra;
        }
        h2o_http2_settings_t init = {rnd(), rnd() % 2, rnd(), rnd() & 0x7fffffff, 16384 + rnd() % 1000}, a = init, b = init;
        const char *da = UNTOUCHED_DESC, *db = UNTOUCHED_DESC;
        int ra = ours.update_peer_settings(&a, src, len, &da);
        int rb = deb.update_peer_settings(&b, src, len, &db), want = rb;
        if (first_rfc8441 != SIZE_MAX) {
            /* ours stops there (RFC 8441 3 / RFC 9218 2.1) unless 2.2.5 stopped before */
            h2o_http2_settings_t prefix = init;
            const char *dp = UNTOUCHED_DESC;
            if (deb.update_peer_settings(&prefix, src, 6 * first_rfc8441, &dp) == 0) {
                b = prefix, want = H2O_HTTP2_ERROR_PROTOCOL, db = "(ours)";
                ++rfc8441_settings;
            }
        }
        errors += ra != 0;
        CHECK(ra == want, "update_peer_settings (%zu bytes): ours %d, expected %d (2.2.5 %d)", len, ra, want, rb);
        CHECK(memcmp(&a, &b, sizeof(a)) == 0, "update_peer_settings (%zu bytes): settings ours %u/%u/%u/%u/%u, expected %u/%u/%u/%u/%u",
              len, a.header_table_size, a.enable_push, a.max_concurrent_streams, a.initial_window_size, a.max_frame_size,
              b.header_table_size, b.enable_push, b.max_concurrent_streams, b.initial_window_size, b.max_frame_size);
        ERR_DESC_CHECK("update_peer_settings", ra, want, da, db);
    }
    printf("settings: %lu payloads (%lu refused)\n", iterations, errors);
}

/* --- encoders ---------------------------------------------------------------------------------------- */

/* byte positions whose top bit 2.2.5 writes as given and we clear */
static size_t reserved_at[64];
static size_t num_reserved;

static int random_errnum(void)
{
    return rnd() % 4 == 0 ? (int)(rnd() | rnd() << 31) : -(int)(rnd() % 14);
}

static void test_encoders(unsigned long iterations)
{
    unsigned long frames = 0, bytes = 0;
    for (unsigned long i = 0; i != iterations; ++i) {
        h2o_buffer_t *ba, *bb;
        h2o_buffer_init(&ba, &ours.proto);
        h2o_buffer_init(&bb, &deb.proto);
        num_reserved = 0;
        unsigned n = 1 + rnd() % 8;
        for (unsigned k = 0; k != n; ++k, ++frames) {
            size_t at = bb->size;
            uint32_t stream_id = random_stream_id();
            switch (rnd() % 5) {
            case 0: {
                int errnum = rnd() % 4 == 0 ? (int)rnd() : 1 + (int)(rnd() % 13);
                ours.encode_rst_stream(&ba, stream_id, errnum);
                deb.encode_rst_stream(&bb, stream_id, errnum);
                reserved_at[num_reserved++] = at + 5;
            } break;
            case 1: {
                uint8_t data[8];
                for (int j = 0; j != 8; ++j)
                    data[j] = (uint8_t)rnd();
                int is_ack = rnd() % 3 == 0 ? (int)rnd() : (int)(rnd() % 2);
                ours.encode_ping(&ba, is_ack, data);
                deb.encode_ping(&bb, is_ack, data);
            } break;
            case 2: {
                char debug[100];
                size_t len = rnd() % 3 == 0 ? 0 : rnd() % sizeof(debug);
                for (size_t j = 0; j != len; ++j)
                    debug[j] = (char)rnd();
                h2o_iovec_t d = {len == 0 && rnd() % 2 ? NULL : debug, len};
                int errnum = random_errnum();
                ours.encode_goaway(&ba, stream_id, errnum, d);
                deb.encode_goaway(&bb, stream_id, errnum, d);
                reserved_at[num_reserved++] = at + 9;
            } break;
            case 3: {
                int32_t inc = rnd() % 3 == 0 ? (int32_t)(rnd() | rnd() << 31) : (int32_t)(rnd() & 0x7fffffff);
                ours.encode_window_update(&ba, stream_id, inc);
                deb.encode_window_update(&bb, stream_id, inc);
                reserved_at[num_reserved++] = at + 5;
                reserved_at[num_reserved++] = at + 9;
            } break;
            default: {
                uint8_t ha[H2O_HTTP2_FRAME_HEADER_SIZE + 1], hb[H2O_HTTP2_FRAME_HEADER_SIZE + 1];
                memset(ha, 0xa5, sizeof(ha));
                memset(hb, 0xa5, sizeof(hb));
                size_t length = rnd() % 4 == 0 ? 0xffffff - rnd() % 2 : rnd() % 0x1000000;
                uint8_t type = (uint8_t)rnd(), flags = (uint8_t)rnd();
                uint8_t *ea = ours.encode_frame_header(ha, length, type, flags, (int32_t)stream_id);
                uint8_t *eb = deb.encode_frame_header(hb, length, type, flags, (int32_t)stream_id);
                if (hb[5] & 0x80) {
                    ++reserved_bits;
                    hb[5] &= 0x7f;
                }
                CHECK(ea - ha == eb - hb && memcmp(ha, hb, sizeof(ha)) == 0, "encode_frame_header(%zu, %u, %02x, %08x)", length, type,
                      flags, stream_id);
                bytes += sizeof(ha);
                continue;
            }
            }
        }
        /* 2.2.5's bytes with the reserved bits cleared are ours */
        if (bb->size == ba->size) {
            for (size_t r = 0; r != num_reserved; ++r) {
                if ((uint8_t)bb->bytes[reserved_at[r]] & 0x80) {
                    bb->bytes[reserved_at[r]] &= 0x7f;
                    ++reserved_bits;
                }
            }
        }
        CHECK(ba->size == bb->size && memcmp(ba->bytes, bb->bytes, bb->size) == 0, "encoded buffers differ (%zu / %zu bytes)", ba->size,
              bb->size);
        bytes += bb->size;
        if (ba->bytes != NULL)
            ours.buffer_free(ba);
        if (bb->bytes != NULL)
            deb.buffer_free(bb);
    }
    printf("encoders: %lu buffers, %lu frames, %lu bytes\n", iterations, frames, bytes);
}

int main(int argc, char **argv)
{
    unsigned long iterations;
    DIFF_SETUP(load, ours, deb, decode_frame, 100000, iterations);

    test_frames(iterations);
    test_settings(iterations / 4);
    test_encoders(iterations / 4);

    printf("deliberate differences (checked exactly): %lu frames too short for their fields, %lu RFC 8441/9218 SETTINGS values, "
           "%lu reserved bits cleared\n",
           short_frames, rfc8441_settings, reserved_bits);
    printf("%lu checks, %lu mismatches\n", checks, failures);
    return failures != 0;
}
