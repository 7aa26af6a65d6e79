/*
 * What the differential tests (ours against Debian's libh2o-evloop 2.2.5, both dlopen()ed into one
 * process) share: the 2.2.5 value types they pass, a deterministic generator, the CHECK counter,
 * the symbol loader and 2.2.5's inline release of a shared object.
 */
#ifndef H2O_RS_DIFF_H
#define H2O_RS_DIFF_H

#include <dlfcn.h>
#include <stddef.h>
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

/* xorshift64: the same inputs for the same seed */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}

/* counts every check; prints the first 20 mismatches */
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

/* both NULL, or the same bytes */
static inline int same_bytes(iovec_t a, iovec_t b)
{
    if ((a.base == NULL) != (b.base == NULL))
        return 0;
    return a.len == b.len && (a.len == 0 || memcmp(a.base, b.base, a.len) == 0);
}

/* 2.2.5's h2o_mem_alloc_shared block and its inline h2o_mem_release_shared (the header's code runs
 * in the caller, so a test does it itself for objects of either library) */
struct shared_entry {
    size_t refcnt;
    void (*dispose)(void *);
    char bytes[1];
};
static inline void release_shared(void *p)
{
    struct shared_entry *e = (void *)((char *)p - offsetof(struct shared_entry, bytes));
    if (--e->refcnt == 0) {
        if (e->dispose != NULL)
            e->dispose(p);
        free(e);
    }
}

/* dlopen()s `path` with RTLD_LOCAL, or says why not and returns NULL */
static inline void *diff_open(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL)
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
    return h;
}

/* inside a loader returning int: sets `field` to symbol `sym` of handle `h`, or returns -1 */
#define DIFF_SYM(h, path, field, sym)                                                                                              \
    if ((*(void **)&(field) = dlsym((h), (sym))) == NULL) {                                                                       \
        fprintf(stderr, "%s: no %s\n", (path), (sym));                                                                            \
        return -1;                                                                                                                 \
    }

/*
 * The start of every differential test's main() (uses main's argc/argv): parses
 * `OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]` into `iterations` (default `default_iterations`) and the
 * generator's seed (never 0, xorshift's fixed point), loads Debian's library with the test's `load`
 * (exit 77, a skip, when it is absent) and ours, and fails when both paths gave one library
 * (`probe`: a function field of the test's `struct lib`).
 */
#define DIFF_SETUP(load, ours, deb, probe, default_iterations, iterations)                                                        \
    do {                                                                                                                           \
        if (argc < 3) {                                                                                                            \
            fprintf(stderr, "usage: %s OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]\n", argv[0]);                                       \
            return 2;                                                                                                              \
        }                                                                                                                          \
        (iterations) = argc > 3 ? strtoul(argv[3], NULL, 10) : (default_iterations);                                              \
        if (argc > 4)                                                                                                              \
            rng_state = strtoull(argv[4], NULL, 0) | 1;                                                                            \
        if (load(&(deb), argv[2]) != 0) {                                                                                          \
            printf("SKIPPED: Debian's library is not available\n");                                                               \
            return 77;                                                                                                             \
        }                                                                                                                          \
        if (load(&(ours), argv[1]) != 0)                                                                                           \
            return 1;                                                                                                              \
        if ((ours).probe == (deb).probe) {                                                                                         \
            fprintf(stderr, "both paths resolved to the same library\n");                                                         \
            return 1;                                                                                                              \
        }                                                                                                                          \
    } while (0)

#endif
