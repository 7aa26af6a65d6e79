/*
 * Differential test of the string_.h helpers: our library against Debian's libh2o-evloop 2.2.5, both
 * dlopen()ed (RTLD_LOCAL) into this process, on many generated inputs. Every output is compared;
 * the differences this library makes on purpose are listed below and checked to be exactly those.
 *
 *   string-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "diff.h"

struct lib {
    const char *name;
    void (*init_pool)(pool_t *);
    void (*clear_pool)(pool_t *);
    size_t (*strtosize)(const char *, size_t);
    size_t (*strtosizefwd)(char **, size_t);
    iovec_t (*decode_base64url)(pool_t *, const char *, size_t);
    size_t (*base64_encode)(char *, const void *, size_t, int);
    int (*hex_decode)(void *, const char *, size_t);
    iovec_t (*uri_escape)(pool_t *, const char *, size_t, const char *);
    iovec_t (*get_filext)(const char *, size_t);
    iovec_t (*str_stripws)(const char *, size_t);
    size_t (*strstr)(const char *, size_t, const char *, size_t);
    const char *(*next_token)(iovec_t *, int, size_t *, iovec_t *);
    int (*contains_token)(const char *, size_t, const char *, size_t, int);
    iovec_t (*htmlescape)(pool_t *, const char *, size_t);
    int (*str_at_position)(char *, const char *, size_t, int, int);
    int (*lcstris_core)(const char *, const char *, size_t);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    l->name = path;
#define SYM(field, sym) DIFF_SYM(h, path, l->field, sym)
    SYM(init_pool, "h2o_mem_init_pool");
    SYM(clear_pool, "h2o_mem_clear_pool");
    SYM(strtosize, "h2o_strtosize");
    SYM(strtosizefwd, "h2o_strtosizefwd");
    SYM(decode_base64url, "h2o_decode_base64url");
    SYM(base64_encode, "h2o_base64_encode");
    SYM(hex_decode, "h2o_hex_decode");
    SYM(uri_escape, "h2o_uri_escape");
    SYM(get_filext, "h2o_get_filext");
    SYM(str_stripws, "h2o_str_stripws");
    SYM(strstr, "h2o_strstr");
    SYM(next_token, "h2o_next_token");
    SYM(contains_token, "h2o_contains_token");
    SYM(htmlescape, "h2o_htmlescape");
    SYM(str_at_position, "h2o_str_at_position");
    SYM(lcstris_core, "h2o__lcstris_core");
#undef SYM
    return 0;
}

/* an input biased towards the bytes the helpers care about */
static size_t gen(char *buf, size_t cap)
{
    static const char alphabet[] = "0123456789abcXYZ-_+/=.,;: \t\r\n\"&'<>%?\x80\xff\x00";
    size_t len = rnd() % cap, i;
    for (i = 0; i != len; ++i)
        buf[i] = rnd() % 8 == 0 ? (char)rnd() : alphabet[rnd() % (sizeof(alphabet) - 1)];
    return len;
}

static int same_iovec_in(iovec_t a, iovec_t b, const char *base)
{
    if ((a.base == NULL) != (b.base == NULL))
        return 0;
    if (a.base == NULL)
        return a.len == b.len;
    return a.base - base == b.base - base && a.len == b.len;
}

/* the reference strstr: every position, including the last one */
static size_t ref_strstr(const char *h, size_t hl, const char *n, size_t nl)
{
    size_t i;
    if (nl > hl)
        return SIZE_MAX;
    for (i = 0; i + nl <= hl; ++i)
        if (memcmp(h + i, n, nl) == 0)
            return i;
    return SIZE_MAX;
}

int main(int argc, char **argv)
{
    struct lib ours, deb;
    unsigned long iterations, it;
    DIFF_SETUP(load, ours, deb, strtosize, 200000, iterations);

    unsigned long strstr_last_position = 0;
    for (it = 0; it != iterations; ++it) {
        char in[96 + 1], in2[8];
        size_t len = gen(in, 96), len2 = gen(in2, 6);
        pool_t po, pd;
        ours.init_pool(&po);
        deb.init_pool(&pd);
        in[len] = 'x'; /* 2.2.5's h2o_strtosizefwd reads one byte past a number that ends the input */

        CHECK(ours.strtosize(in, len) == deb.strtosize(in, len), "strtosize");
        {
            char *po_ = in, *pd_ = in;
            size_t a = ours.strtosizefwd(&po_, len), b = deb.strtosizefwd(&pd_, len);
            CHECK(a == b && po_ == pd_, "strtosizefwd %zu %zu", a, b);
        }
        CHECK(same_bytes(ours.decode_base64url(&po, in, len), deb.decode_base64url(&pd, in, len)), "decode_base64url");
        {
            char a[2 * 96 + 8], b[2 * 96 + 8];
            int url = rnd() % 2;
            size_t la = ours.base64_encode(a, in, len, url), lb = deb.base64_encode(b, in, len, url);
            CHECK(la == lb && memcmp(a, b, la + 1) == 0, "base64_encode");
        }
        {
            char a[64], b[64];
            int ra = ours.hex_decode(a, in, len), rb = deb.hex_decode(b, in, len);
            CHECK(ra == rb && (ra != 0 || memcmp(a, b, len / 2) == 0), "hex_decode");
        }
        {
            const char *keep = rnd() % 2 ? "/:" : NULL;
            CHECK(same_bytes(ours.uri_escape(&po, in, len, keep), deb.uri_escape(&pd, in, len, keep)), "uri_escape");
        }
        if (len != 0) /* 2.2.5 reads before the buffer for an empty path */
            CHECK(same_iovec_in(ours.get_filext(in, len), deb.get_filext(in, len), in), "get_filext");
        CHECK(same_iovec_in(ours.str_stripws(in, len), deb.str_stripws(in, len), in), "str_stripws");
        {
            size_t a = ours.strstr(in, len, in2, len2), b = deb.strstr(in, len, in2, len2);
            /* 2.2.5 never looks at the last possible position (fixed upstream later; ours finds it) */
            if (a != b && a == ref_strstr(in, len, in2, len2) && a == len - len2 && len2 != 0)
                ++strstr_last_position;
            else
                CHECK(a == b, "strstr %zu %zu", a, b);
        }
        {
            int sep = rnd() % 2 ? ',' : ';', want_value = rnd() % 2;
            iovec_t ia = {in, len}, ib = {in, len};
            for (;;) {
                size_t la = 0, lb = 0;
                iovec_t va = {NULL, 0}, vb = {NULL, 0};
                const char *ta = ours.next_token(&ia, sep, &la, want_value ? &va : NULL);
                const char *tb = deb.next_token(&ib, sep, &lb, want_value ? &vb : NULL);
                CHECK(ta == tb && (ta == NULL || la == lb) && ia.base == ib.base && ia.len == ib.len, "next_token");
                if (want_value && ta != NULL && tb != NULL)
                    CHECK((va.base == NULL) == (vb.base == NULL) && va.len == vb.len &&
                              (va.base == NULL || va.len == 0 || va.base == vb.base),
                          "next_token value");
                if (ta == NULL || tb == NULL || ta != tb)
                    break;
            }
            CHECK(ours.contains_token(in, len, in2, len2, sep) == deb.contains_token(in, len, in2, len2, sep), "contains_token");
        }
        {
            iovec_t a = ours.htmlescape(&po, in, len), b = deb.htmlescape(&pd, in, len);
            CHECK(same_bytes(a, b) && (a.base == in) == (b.base == in), "htmlescape");
        }
        {
            char a[256], b[256];
            int line = (int)(rnd() % 4), col = (int)(rnd() % 100);
            int ra = ours.str_at_position(a, in, len, line, col), rb = deb.str_at_position(b, in, len, line, col);
            CHECK(ra == rb && (ra != 0 || strcmp(a, b) == 0), "str_at_position");
        }
        CHECK(ours.lcstris_core(in, in2, len < len2 ? len : len2) == deb.lcstris_core(in, in2, len < len2 ? len : len2),
              "lcstris_core");

        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }

    printf("string-diff: %lu checks, %lu mismatches; %lu strstr matches at the last position that 2.2.5 misses\n", checks,
           failures, strstr_last_position);
    return failures == 0 ? 0 : 1;
}
