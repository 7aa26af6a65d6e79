/*
 * Differential test of CASPer (h2o/http2_casper.h): our library against Debian's libh2o-evloop
 * 2.2.5, both dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   casper-diff OUR_LIB DEBIAN_LIB [ROUNDS [SEED]]
 *
 * Each round creates one set in each library with the same capacity bits (1..20, often 13) and
 * remainder bits (1..10, often 6) and applies the same random operations to both: lookups of paths
 * from a pool (with and without `set`), h2o_http2_casper_consume_cookie of cookies the sets
 * produced (the name=value part, or the whole Set-Cookie value), of cookies built from random bytes
 * (random Golomb streams, so oversized sets and truncated values occur), of mutated ones (a byte
 * changed, cut short, another name, bad base64url) and of other cookies; then
 * h2o_http2_casper_get_cookie and h2o_http2_casper_num_entries. Compared: every return value and
 * every cookie byte for byte.
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#include "diff.h"

typedef struct casper casper_t;

struct lib {
    casper_t *(*create)(unsigned, unsigned);
    void (*destroy)(casper_t *);
    size_t (*num_entries)(casper_t *);
    int (*lookup)(casper_t *, const char *, size_t, int);
    void (*consume_cookie)(casper_t *, const char *, size_t);
    iovec_t (*get_cookie)(casper_t *);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->create, "h2o_http2_casper_create");
    DIFF_SYM(h, path, l->destroy, "h2o_http2_casper_destroy");
    DIFF_SYM(h, path, l->num_entries, "h2o_http2_casper_num_entries");
    DIFF_SYM(h, path, l->lookup, "h2o_http2_casper_lookup");
    DIFF_SYM(h, path, l->consume_cookie, "h2o_http2_casper_consume_cookie");
    DIFF_SYM(h, path, l->get_cookie, "h2o_http2_casper_get_cookie");
    return 0;
}

static struct lib ours, deb;

#define NPATHS 300
static char paths[NPATHS][96];
static size_t path_lens[NPATHS];

static void make_paths(void)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789/._-?=&%";
    for (int i = 0; i != NPATHS; ++i) {
        size_t len = rnd() % 8 == 0 ? rnd() % 4 : 1 + rnd() % 90;
        paths[i][0] = '/';
        for (size_t j = 1; j < len; ++j)
            paths[i][j] = chars[rnd() % (sizeof(chars) - 1)];
        path_lens[i] = len;
    }
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* a cookie built in `buf` (COOKIE_MAX bytes); returns its length */
#define COOKIE_MAX (1 << 20)
static size_t random_cookie(char *buf, iovec_t from_ours, iovec_t from_deb)
{
    size_t len = 0;
    iovec_t src = rnd() % 2 ? from_ours : from_deb;
    switch (rnd() % 8) {
    case 0:
    case 1:
    case 2: /* a cookie one of the sets produced: name=value, or the whole value */
        if (src.base == NULL)
            goto Random;
        len = src.len;
        if (len > COOKIE_MAX)
            goto Random;
        if (rnd() % 4 != 0) {
            const char *semi = memchr(src.base, ';', src.len);
            if (semi != NULL)
                len = semi - src.base;
        }
        memcpy(buf, src.base, len);
        break;
    case 3: /* mutated */
        if (src.base == NULL || src.len < 12 || src.len > COOKIE_MAX)
            goto Random;
        len = memchr(src.base, ';', src.len) != NULL ? (size_t)((char *)memchr(src.base, ';', src.len) - src.base) : src.len;
        memcpy(buf, src.base, len);
        switch (rnd() % 4) {
        case 0:
            buf[11 + rnd() % (len - 11)] = b64url[rnd() % 64];
            break;
        case 1:
            len = rnd() % (len + 1);
            break;
        case 2:
            buf[rnd() % 10] ^= 0x20;
            break;
        case 3:
            buf[11 + rnd() % (len - 11)] = "=+/!. "[rnd() % 6];
            break;
        }
        break;
    case 4: /* other cookies */
        len = (size_t)snprintf(buf, 64, "%s", (const char *[]){"", "h2o_casper", "h2o_casper=", "h2o_casperX=AAAA", "sid=abc",
                                                                "H2O_CASPER=AAAA", " h2o_casper=AAAA"}[rnd() % 7]);
        break;
    default:
    Random: { /* random base64url after the name: random Golomb streams */
        memcpy(buf, "h2o_casper=", 11);
        len = 11;
        size_t n = rnd() % 4 == 0 ? rnd() % 2000 : rnd() % 60;
        int dense = rnd() % 2;
        for (size_t i = 0; i != n; ++i)
            buf[len++] = dense ? b64url[rnd() % 64] : "gwAB-_QRST"[rnd() % 10];
    } break;
    }
    return len;
}

int main(int argc, char **argv)
{
    unsigned long rounds;
    DIFF_SETUP(load, ours, deb, create, 400, rounds);
    make_paths();

    static char cookie[COOKIE_MAX];
    unsigned long nonempty_cookies = 0, merged_cookies = 0;
    for (unsigned long round = 0; round != rounds; ++round) {
        unsigned capacity_bits = rnd() % 3 == 0 ? 13 : 1 + rnd() % 20;
        unsigned remainder_bits = rnd() % 3 == 0 ? 6 : 1 + rnd() % 10;
        casper_t *o = ours.create(capacity_bits, remainder_bits), *d = deb.create(capacity_bits, remainder_bits);
        unsigned ops = 1 + rnd() % 200;
        /* the pool of paths a round uses: a few (so lookups hit) or all */
        unsigned npaths = rnd() % 2 ? 1 + rnd() % 20 : NPATHS;
        for (unsigned op = 0; op != ops; ++op) {
            unsigned what = rnd() % 10;
            if (what < 6) {
                int p = rnd() % npaths, set = rnd() % 4 != 0;
                int ro = ours.lookup(o, paths[p], path_lens[p], set), rd = deb.lookup(d, paths[p], path_lens[p], set);
                CHECK(ro == rd, "round %lu op %u: lookup(%.*s, %d): ours %d, 2.2.5 %d", round, op, (int)path_lens[p], paths[p],
                      set, ro, rd);
            } else if (what < 8) {
                iovec_t co = ours.get_cookie(o), cd = deb.get_cookie(d);
                size_t len = random_cookie(cookie, co, cd);
                size_t before = deb.num_entries(d);
                ours.consume_cookie(o, cookie, len);
                deb.consume_cookie(d, cookie, len);
                merged_cookies += deb.num_entries(d) != before;
            } else {
                iovec_t co = ours.get_cookie(o), cd = deb.get_cookie(d);
                nonempty_cookies += cd.base != NULL;
                CHECK(same_bytes(co, cd), "round %lu op %u (bits %u/%u): cookie ours %.*s, 2.2.5 %.*s", round, op, capacity_bits,
                      remainder_bits, (int)co.len, co.base ? co.base : "", (int)cd.len, cd.base ? cd.base : "");
            }
            size_t no = ours.num_entries(o), nd = deb.num_entries(d);
            CHECK(no == nd, "round %lu op %u: num_entries ours %zu, 2.2.5 %zu", round, op, no, nd);
        }
        iovec_t co = ours.get_cookie(o), cd = deb.get_cookie(d);
        CHECK(same_bytes(co, cd), "round %lu end: cookies differ", round);
        ours.destroy(o);
        deb.destroy(d);
    }
    printf("casper-diff: %lu rounds, %lu checks (%lu non-empty cookies compared, %lu cookies that added keys), %lu mismatches\n",
           rounds, checks, nonempty_cookies, merged_cookies, failures);
    return failures != 0;
}
