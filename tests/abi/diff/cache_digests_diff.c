/*
 * Differential test of h2o/cache_digests.h: our library against Debian's libh2o-evloop 2.2.5, both
 * dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   cache-digests-diff OUR_LIB DEBIAN_LIB [ROUNDS [SEED]]
 *
 * Each round starts from a NULL object in each library and loads the same 1-4 `cache-digest`
 * header values into both. A value lists 1-4 digests, each with a random set of the flags reset,
 * complete, validators, stale and an unknown one (random case and spacing). A digest is built
 * here (SHA-256 of URLs of a pool, with their ETags for `validators`, N and P from 0 to 12 and
 * sometimes up to 31, Golomb-Rice coded, base64url), or is random bytes, or a mutation of a
 * built one (cut short, a byte changed, a character outside base64url, empty). After each value:
 * NULL or not, fresh.complete and both vectors' sizes compared; then lookups of every pool URL by
 * URL and by URL with its ETag and with another ETag. Compared: every result.
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#include <openssl/evp.h>

#include "diff.h"

typedef struct {
    struct {
        struct {
            void *entries;
            size_t size, capacity;
        } url_only, url_and_etag;
        int complete;
    } fresh;
} digests_t;

struct lib {
    void (*destroy)(digests_t *);
    void (*load_header)(digests_t **, const char *, size_t);
    int (*lookup_by_url)(digests_t *, const char *, size_t);
    int (*lookup_by_url_and_etag)(digests_t *, const char *, size_t, const char *, size_t);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->destroy, "h2o_cache_digests_destroy");
    DIFF_SYM(h, path, l->load_header, "h2o_cache_digests_load_header");
    DIFF_SYM(h, path, l->lookup_by_url, "h2o_cache_digests_lookup_by_url");
    DIFF_SYM(h, path, l->lookup_by_url_and_etag, "h2o_cache_digests_lookup_by_url_and_etag");
    return 0;
}

static struct lib ours, deb;

#define NURLS 120
static char urls[NURLS][80], etags[NURLS][16];

static void make_pool(void)
{
    static const char *hosts[] = {"https://example.com", "https://cdn.example.net", "http://127.0.0.1:8080"};
    for (int i = 0; i != NURLS; ++i) {
        snprintf(urls[i], sizeof(urls[i]), "%s/%s/%u.%s", hosts[rnd() % 3], rnd() % 2 ? "assets" : "img", rnd() % 100000,
                 rnd() % 2 ? "css" : "js");
        snprintf(etags[i], sizeof(etags[i]), "\"%x\"", rnd());
    }
}

static uint64_t hash_of(const char *url, const char *etag)
{
    unsigned char md[32];
    unsigned int mdlen;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    EVP_DigestUpdate(c, url, strlen(url));
    if (etag != NULL)
        EVP_DigestUpdate(c, etag, strlen(etag));
    EVP_DigestFinal_ex(c, md, &mdlen);
    EVP_MD_CTX_free(c);
    uint64_t h = 0;
    for (int i = 0; i != 8; ++i)
        h = (h << 8) | md[i];
    return h;
}

struct bits {
    unsigned char buf[8192];
    size_t nbits;
};

static void put(struct bits *b, uint64_t v, unsigned width)
{
    while (width-- != 0) {
        if (b->nbits / 8 >= sizeof(b->buf))
            return;
        if (b->nbits % 8 == 0)
            b->buf[b->nbits / 8] = 0;
        if ((v >> width) & 1)
            b->buf[b->nbits / 8] |= 0x80 >> (b->nbits % 8);
        ++b->nbits;
    }
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* a digest of `count` pool URLs (from `first`), with their ETags when `validators`; binary into b */
static void build(struct bits *b, int first, int count, int validators)
{
    unsigned n = rnd() % 13, p = rnd() % 8 == 0 ? rnd() % 32 : rnd() % 13;
    if (n + p == 0)
        p = 1;
    uint64_t keys[NURLS];
    for (int i = 0; i != count; ++i) {
        int u = (first + i) % NURLS;
        keys[i] = hash_of(urls[u], validators ? etags[u] : NULL) >> (64 - (n + p));
    }
    qsort(keys, count, sizeof(keys[0]), cmp_u64);
    b->nbits = 0;
    put(b, n, 5);
    put(b, p, 5);
    uint64_t prev = UINT64_MAX;
    for (int i = 0; i != count; ++i) {
        if (i != 0 && keys[i] == keys[i - 1])
            continue;
        uint64_t d = keys[i] - prev - 1;
        prev = keys[i];
        uint64_t q = d >> p;
        if (q > 4000)
            break; /* too long a unary run for the buffer: end the set here */
        for (uint64_t j = 0; j != q; ++j)
            put(b, 0, 1);
        put(b, 1, 1);
        put(b, d, p);
    }
}

static size_t b64url(const unsigned char *src, size_t len, char *dst)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)src[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)src[i + 1] << 8;
        if (i + 2 < len)
            v |= src[i + 2];
        dst[o++] = tbl[(v >> 18) & 63];
        dst[o++] = tbl[(v >> 12) & 63];
        if (i + 1 < len)
            dst[o++] = tbl[(v >> 6) & 63];
        if (i + 2 < len)
            dst[o++] = tbl[v & 63];
    }
    return o;
}

static char value[65536];
static size_t value_len;

static void append(const char *s, size_t len)
{
    if (value_len + len < sizeof(value)) {
        memcpy(value + value_len, s, len);
        value_len += len;
    }
}
#define APPEND_LIT(s) append(s, sizeof(s) - 1)

static void flag(const char *name)
{
    char buf[32];
    size_t len = strlen(name);
    for (size_t i = 0; i != len; ++i)
        buf[i] = rnd() % 4 == 0 ? (char)(name[i] - 'a' + 'A') : name[i];
    APPEND_LIT(";");
    if (rnd() % 2)
        APPEND_LIT(" ");
    append(buf, len);
}

static void make_value(void)
{
    value_len = 0;
    int ndigests = 1 + rnd() % 4;
    for (int d = 0; d != ndigests; ++d) {
        if (d != 0)
            rnd() % 2 ? APPEND_LIT(", ") : APPEND_LIT(",");
        int validators = rnd() % 3 == 0;
        static struct bits b;
        static char text[12000];
        size_t text_len;
        switch (rnd() % 8) {
        case 0: /* random bytes */
            b.nbits = (rnd() % 40) * 8;
            for (size_t i = 0; i != b.nbits / 8; ++i)
                b.buf[i] = (unsigned char)rnd();
            text_len = b64url(b.buf, b.nbits / 8, text);
            break;
        default:
            build(&b, rnd() % NURLS, rnd() % 6 == 0 ? 0 : 1 + rnd() % 60, validators);
            text_len = b64url(b.buf, (b.nbits + 7) / 8, text);
            break;
        }
        switch (rnd() % 10) {
        case 0: /* cut short */
            if (text_len != 0)
                text_len = rnd() % text_len;
            break;
        case 1: /* a byte changed within the alphabet */
            if (text_len != 0)
                text[rnd() % text_len] = "AQgw_-9z"[rnd() % 8];
            break;
        case 2: /* a character outside base64url */
            if (text_len != 0)
                text[rnd() % text_len] = "*=+/ !"[rnd() % 6];
            break;
        default:
            break;
        }
        append(text, text_len);
        if (validators)
            flag("validators");
        if (rnd() % 3 == 0)
            flag("complete");
        if (rnd() % 8 == 0)
            flag("stale");
        if (rnd() % 10 == 0)
            flag("reset");
        if (rnd() % 10 == 0)
            flag("other");
        if (rnd() % 6 == 0)
            APPEND_LIT(" ");
    }
}

static void compare_objects(digests_t *o, digests_t *e, int round)
{
    CHECK((o == NULL) == (e == NULL), "round %d: object ours %p debian %p after [%.*s]", round, (void *)o, (void *)e, (int)value_len,
          value);
    if (o == NULL || e == NULL)
        return;
    CHECK(o->fresh.complete == e->fresh.complete, "round %d: complete %d vs %d", round, o->fresh.complete, e->fresh.complete);
    CHECK(o->fresh.url_only.size == e->fresh.url_only.size, "round %d: url_only %zu vs %zu after [%.*s]", round,
          o->fresh.url_only.size, e->fresh.url_only.size, (int)value_len, value);
    CHECK(o->fresh.url_and_etag.size == e->fresh.url_and_etag.size, "round %d: url_and_etag %zu vs %zu", round,
          o->fresh.url_and_etag.size, e->fresh.url_and_etag.size);
    for (int i = 0; i != NURLS; ++i) {
        int a = ours.lookup_by_url(o, urls[i], strlen(urls[i])), b = deb.lookup_by_url(e, urls[i], strlen(urls[i]));
        CHECK(a == b, "round %d: lookup_by_url(%s) %d vs %d", round, urls[i], a, b);
        a = ours.lookup_by_url_and_etag(o, urls[i], strlen(urls[i]), etags[i], strlen(etags[i]));
        b = deb.lookup_by_url_and_etag(e, urls[i], strlen(urls[i]), etags[i], strlen(etags[i]));
        CHECK(a == b, "round %d: lookup_by_url_and_etag(%s, %s) %d vs %d after [%.*s] complete %d", round, urls[i], etags[i], a, b, (int)value_len, value, e->fresh.complete);
        const char *other = etags[(i + 1) % NURLS];
        a = ours.lookup_by_url_and_etag(o, urls[i], strlen(urls[i]), other, strlen(other));
        b = deb.lookup_by_url_and_etag(e, urls[i], strlen(urls[i]), other, strlen(other));
        CHECK(a == b, "round %d: lookup_by_url_and_etag(%s, other) %d vs %d", round, urls[i], a, b);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUR_LIB DEBIAN_LIB [ROUNDS [SEED]]\n", argv[0]);
        return 2;
    }
    if (load(&ours, argv[1]) != 0)
        return 1;
    if (load(&deb, argv[2]) != 0)
        return 77;
    int rounds = argc > 3 ? atoi(argv[3]) : 500;
    if (argc > 4)
        rng_state = strtoull(argv[4], NULL, 0);
    make_pool();
    size_t fresh_hits = 0;
    for (int r = 0; r != rounds; ++r) {
        digests_t *o = NULL, *e = NULL;
        int nvalues = 1 + rnd() % 4;
        for (int v = 0; v != nvalues; ++v) {
            make_value();
            ours.load_header(&o, value, value_len);
            deb.load_header(&e, value, value_len);
            compare_objects(o, e, r);
        }
        if (e != NULL)
            for (int i = 0; i != NURLS; ++i)
                fresh_hits += deb.lookup_by_url(e, urls[i], strlen(urls[i])) == 2;
        /* 2.2.5's destroy does not take NULL (ours does) */
        if (o != NULL)
            ours.destroy(o);
        if (e != NULL)
            deb.destroy(e);
    }
    /* the generator must produce digests that hold URLs, or the test proves little */
    CHECK(fresh_hits > (size_t)rounds, "only %zu FRESH answers from Debian's library in %d rounds", fresh_hits, rounds);
    printf("cache-digests-diff: %lu checks, %lu mismatches, %zu FRESH answers (%d rounds)\n", checks, failures, fresh_hits, rounds);
    return failures != 0;
}
