/*
 * Differential test of the token table: our library against Debian's libh2o-evloop 2.2.5, both
 * dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   token-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * 1. the exported objects: h2o__tokens has the same ELF symbol size (dladdr1 on the symbol) and
 *    h2o__num_tokens the same value; every one of the 100 entries is compared field by field: the
 *    name by content (and NULL-ness), its length, the HPACK index byte (offset 16) and the flags
 *    byte (offset 17, all six bit-fields);
 * 2. h2o_lookup_token on every name, on every name with one byte changed (each position, several
 *    values, case flips), on every proper prefix and one-byte extension, and on ITERATIONS random
 *    strings over a header-name alphabet: the same answer (the index of the token, or NULL);
 * 3. h2o_iovec_is_token on the start of every slot, on pointers just outside the array and on
 *    unrelated pointers. (Not on pointers into the middle of an entry: 2.2.5 says yes to those,
 *    this library no, on purpose: such a pointer is not a token.)
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 100
#define TOKEN_SIZE 24

typedef struct {
    char *base;
    size_t len;
} iovec_t;

struct lib {
    const char *name;
    const unsigned char *tokens; /* MAX_TOKENS entries of TOKEN_SIZE bytes */
    size_t tokens_symsize;
    size_t num_tokens;
    const void *(*lookup)(const char *, size_t);
    int (*is_token)(const iovec_t *);
};

static int failures;

#define FAIL(...)                                                                                                      \
    do {                                                                                                               \
        if (++failures <= 30) {                                                                                        \
            fprintf(stderr, "FAIL: ");                                                                                 \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

static int load(struct lib *l, const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL), *p;
    const ElfW(Sym) *sym = NULL;
    Dl_info info;
    if (h == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return -1;
    }
    l->name = path;
    if ((p = dlsym(h, "h2o__tokens")) == NULL || dladdr1(p, &info, (void **)&sym, RTLD_DL_SYMENT) == 0 || sym == NULL) {
        fprintf(stderr, "%s: no h2o__tokens\n", path);
        return -1;
    }
    l->tokens = p;
    l->tokens_symsize = sym->st_size;
    if (ELF64_ST_TYPE(sym->st_info) != STT_OBJECT)
        FAIL("%s: h2o__tokens is not an OBJECT symbol", path);
    if ((p = dlsym(h, "h2o__num_tokens")) == NULL) {
        fprintf(stderr, "%s: no h2o__num_tokens\n", path);
        return -1;
    }
    l->num_tokens = *(const size_t *)p;
    if ((*(void **)&l->lookup = dlsym(h, "h2o_lookup_token")) == NULL ||
        (*(void **)&l->is_token = dlsym(h, "h2o_iovec_is_token")) == NULL) {
        fprintf(stderr, "%s: no h2o_lookup_token / h2o_iovec_is_token\n", path);
        return -1;
    }
    return 0;
}

static const iovec_t *entry(const struct lib *l, size_t i)
{
    return (const iovec_t *)(l->tokens + i * TOKEN_SIZE);
}

/* the index of the token lookup returns, -1 for NULL, -2 for a pointer outside the array */
static long lookup_index(const struct lib *l, const char *s, size_t len)
{
    const unsigned char *t = l->lookup(s, len);
    if (t == NULL)
        return -1;
    if (t < l->tokens || t >= l->tokens + MAX_TOKENS * TOKEN_SIZE || (t - l->tokens) % TOKEN_SIZE != 0)
        return -2;
    return (t - l->tokens) / TOKEN_SIZE;
}

static size_t checks;

static void cmp_lookup(const struct lib *o, const struct lib *d, const char *s, size_t len)
{
    long a = lookup_index(o, s, len), b = lookup_index(d, s, len);
    ++checks;
    if (a != b)
        FAIL("h2o_lookup_token(\"%.*s\", %zu): ours %ld, 2.2.5 %ld", (int)len, s, len, a, b);
}

static uint64_t rng;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    struct lib ours, deb;
    size_t i, iterations;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz-:0123456789ACEHTX";
    char buf[64];

    if (argc < 3) {
        fprintf(stderr, "usage: %s OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]\n", argv[0]);
        return 2;
    }
    iterations = argc > 3 ? strtoul(argv[3], NULL, 10) : 100000;
    rng = argc > 4 ? strtoull(argv[4], NULL, 10) : 0x9e3779b97f4a7c15u;
    if (load(&deb, argv[2]) != 0) {
        printf("SKIPPED: Debian's library %s cannot be loaded\n", argv[2]);
        return 77;
    }
    if (load(&ours, argv[1]) != 0)
        return 1;

    /* 1. the objects */
    if (ours.tokens_symsize != deb.tokens_symsize || deb.tokens_symsize != MAX_TOKENS * TOKEN_SIZE)
        FAIL("h2o__tokens symbol size: ours %zu, 2.2.5 %zu", ours.tokens_symsize, deb.tokens_symsize);
    if (ours.num_tokens != deb.num_tokens)
        FAIL("h2o__num_tokens: ours %zu, 2.2.5 %zu", ours.num_tokens, deb.num_tokens);
    for (i = 0; i != MAX_TOKENS; ++i) {
        const iovec_t *a = entry(&ours, i), *b = entry(&deb, i);
        const unsigned char *ab = (const unsigned char *)a, *bb = (const unsigned char *)b;
        checks += 4;
        if (a->len != b->len || (a->base == NULL) != (b->base == NULL) ||
            (a->base != NULL && memcmp(a->base, b->base, a->len) != 0))
            FAIL("token %zu: name \"%.*s\" (%zu), 2.2.5 \"%.*s\" (%zu)", i, a->base ? (int)a->len : 0, a->base ? a->base : "",
                 a->len, b->base ? (int)b->len : 0, b->base ? b->base : "", b->len);
        if (a->base != NULL && a->base[a->len] != '\0')
            FAIL("token %zu: name not NUL-terminated", i);
        if (ab[16] != bb[16])
            FAIL("token %zu (%.*s): http2_static_table_name_index %d, 2.2.5 %d", i, (int)b->len, b->base ? b->base : "",
                 ab[16], bb[16]);
        if (ab[17] != bb[17])
            FAIL("token %zu (%.*s): flags byte 0x%02x, 2.2.5 0x%02x", i, (int)b->len, b->base ? b->base : "", ab[17], bb[17]);
    }

    /* 2. lookups */
    for (i = 0; i != deb.num_tokens; ++i) {
        const iovec_t *t = entry(&deb, i);
        size_t len = t->len, p, k;
        memcpy(buf, t->base, len);
        cmp_lookup(&ours, &deb, buf, len);
        for (k = 0; k < len; ++k)
            cmp_lookup(&ours, &deb, buf, k); /* proper prefixes, "" included */
        for (p = 0; p != len; ++p) {
            static const unsigned char vals[] = {0, 'a', 'z', '-', ':', ' ', 0x80, 0xff};
            char orig = buf[p];
            for (k = 0; k != sizeof(vals); ++k) {
                buf[p] = (char)vals[k];
                cmp_lookup(&ours, &deb, buf, len);
            }
            buf[p] = orig ^ 0x20; /* case flip */
            cmp_lookup(&ours, &deb, buf, len);
            buf[p] = orig;
        }
        buf[len] = 's';
        cmp_lookup(&ours, &deb, buf, len + 1);
    }
    for (i = 0; i != iterations; ++i) {
        size_t len = 1 + next() % 30, k;
        for (k = 0; k != len; ++k)
            buf[k] = alphabet[next() % (sizeof(alphabet) - 1)];
        if (next() % 4 == 0) { /* often start from a real name's length and first byte */
            const iovec_t *t = entry(&deb, next() % deb.num_tokens);
            len = t->len;
            buf[0] = t->base[0];
            buf[len - 1] = t->base[len - 1];
        }
        cmp_lookup(&ours, &deb, buf, len);
    }

    /* 3. h2o_iovec_is_token */
    for (i = 0; i != MAX_TOKENS; ++i) {
        checks += 2;
        if (!ours.is_token(entry(&ours, i)) || !deb.is_token(entry(&deb, i)))
            FAIL("h2o_iovec_is_token(slot %zu): ours %d, 2.2.5 %d", i, ours.is_token(entry(&ours, i)),
                 deb.is_token(entry(&deb, i)));
        if (ours.is_token(entry(&deb, i)) || deb.is_token(entry(&ours, i)))
            FAIL("h2o_iovec_is_token says yes to the other library's slot %zu", i);
    }
    {
        iovec_t v = {buf, 4};
        const struct lib *ls[2] = {&ours, &deb};
        for (i = 0; i != 2; ++i) {
            const unsigned char *base = ls[i]->tokens;
            checks += 3;
            if (ls[i]->is_token(&v) || ls[i]->is_token((const iovec_t *)(base - TOKEN_SIZE)) ||
                ls[i]->is_token((const iovec_t *)(base + MAX_TOKENS * TOKEN_SIZE)))
                FAIL("%s: h2o_iovec_is_token says yes to a pointer outside the array", ls[i]->name);
        }
    }

    printf("token-diff: %zu comparisons (%zu random names), %d failed\n", checks, iterations, failures);
    return failures != 0;
}
