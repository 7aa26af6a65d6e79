/*
 * Differential test of h2o/url.h: our library against Debian's libh2o-evloop 2.2.5, both dlopen()ed
 * (RTLD_LOCAL) into this process, on many generated paths and URLs. Every output is compared.
 *
 *   url-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *base;
    size_t len;
} iovec_t;
typedef struct {
    void *a, *b, *c, *d; /* h2o_mem_pool_t: 32 bytes in 2.2.5 */
} pool_t;

struct lib {
    const char *name;
    void *handle;
    void (*init_pool)(pool_t *);
    void (*clear_pool)(pool_t *);
    iovec_t (*normalize_path)(pool_t *, const char *, size_t, size_t *, size_t **);
};

static int load(struct lib *l, const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    l->name = path;
    l->handle = h;
#define SYM(field, sym)                                                                                                            \
    if ((*(void **)&l->field = dlsym(h, sym)) == NULL) {                                                                          \
        fprintf(stderr, "%s: no %s\n", path, sym);                                                                                \
        return -1;                                                                                                                 \
    }
    SYM(init_pool, "h2o_mem_init_pool");
    SYM(clear_pool, "h2o_mem_clear_pool");
    SYM(normalize_path, "h2o_url_normalize_path");
#undef SYM
    return 0;
}

static uint64_t rng_state;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* a path made of the pieces normalization cares about */
static size_t gen_path(char *buf, size_t cap)
{
    static const char *pieces[] = {"/",   "/",   ".",   "..",  "/.",  "/..", "%2e", "%2E", "%2f", "%2F", "%",   "%4",
                                   "%41", "%zz", "a",   "bc",  "?",   "?x",  "#",   ";",   "%3f", "%00", "//",  "x.y",
                                   "%%",  "%e",  "..."};
    size_t len = 0, n = rnd() % 12, i;
    if (rnd() % 4 == 0 && len < cap)
        buf[len++] = '/';
    for (i = 0; i != n; ++i) {
        const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
        size_t pl = strlen(p);
        if (rnd() % 16 == 0) {
            p = (const char[]){(char)rnd()};
            pl = 1;
        }
        if (len + pl > cap)
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    return len;
}

static unsigned long failures, checks;
#define CHECK(cond, ...)                                                                                                           \
    do {                                                                                                                           \
        ++checks;                                                                                                                  \
        if (!(cond)) {                                                                                                             \
            if (++failures <= 20) {                                                                                                \
                fprintf(stderr, "MISMATCH %s:%d: ", __FILE__, __LINE__);                                                          \
                fprintf(stderr, __VA_ARGS__);                                                                                      \
                fprintf(stderr, "\n");                                                                                             \
            }                                                                                                                      \
        }                                                                                                                          \
    } while (0)

static int same_bytes(iovec_t a, iovec_t b)
{
    if ((a.base == NULL) != (b.base == NULL))
        return 0;
    return a.len == b.len && (a.len == 0 || memcmp(a.base, b.base, a.len) == 0);
}

static void check_normalize(struct lib *ours, struct lib *deb, pool_t *po, pool_t *pd, const char *in, size_t len)
{
    size_t qa = 12345, qb = 54321, *ia = (size_t *)1, *ib = (size_t *)1;
    iovec_t a = ours->normalize_path(po, in, len, &qa, &ia), b = deb->normalize_path(pd, in, len, &qb, &ib);
    int a_in = a.base >= in && a.base < in + len, b_in = b.base >= in && b.base < in + len;
    CHECK(same_bytes(a, b) && qa == qb && a_in == b_in && (!a_in || a.base == b.base) && (ia == NULL) == (ib == NULL),
          "normalize_path `%.*s`: `%.*s` q=%zu idx=%s vs `%.*s` q=%zu idx=%s", (int)len, in, (int)a.len, a.base, qa,
          ia ? "set" : "NULL", (int)b.len, b.base, qb, ib ? "set" : "NULL");
    if (ia != NULL && ib != NULL && same_bytes(a, b))
        CHECK(memcmp(ia, ib, a.len * sizeof(size_t)) == 0, "normalize_path indexes `%.*s`", (int)len, in);
}

int main(int argc, char **argv)
{
    struct lib ours, deb;
    unsigned long iterations = argc > 3 ? strtoul(argv[3], NULL, 10) : 200000, it;
    rng_state = argc > 4 ? strtoull(argv[4], NULL, 10) : 0x9e3779b97f4a7c15ull;
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]\n", argv[0]);
        return 2;
    }
    if (load(&deb, argv[2]) != 0) {
        printf("SKIPPED: Debian's library is not available\n");
        return 77;
    }
    if (load(&ours, argv[1]) != 0)
        return 1;
    if (ours.normalize_path == deb.normalize_path) {
        fprintf(stderr, "both paths resolved to the same library\n");
        return 1;
    }

    /* fixed cases first */
    static const char *fixed[] = {"",       "/",        "/abc",      "abc",   "?",          "/?",    "/.",     "/..",
                                  "/./",    "/../",     "/a/../b",   "/a/./b", "/%41",      "/%4",   "/a%",    "/a%2",
                                  "%2e%2e", "/%2e%2e/", "/a/b/../..", "//..",  "/a?b/../c", "/a/..?", "/..%2f", "/x/.%2e"};
    for (size_t i = 0; i != sizeof(fixed) / sizeof(fixed[0]); ++i) {
        pool_t po, pd;
        char buf[64];
        size_t len = strlen(fixed[i]);
        memcpy(buf, fixed[i], len);
        ours.init_pool(&po);
        deb.init_pool(&pd);
        check_normalize(&ours, &deb, &po, &pd, buf, len);
        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }

    for (it = 0; it != iterations; ++it) {
        char in[128];
        size_t len = gen_path(in, sizeof(in));
        pool_t po, pd;
        ours.init_pool(&po);
        deb.init_pool(&pd);
        if (len != 0) /* 2.2.5 returns before reading an empty path; ours too */
            check_normalize(&ours, &deb, &po, &pd, in, len);
        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }

    printf("url-diff: %lu checks, %lu mismatches\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
