/*
 * h2o_mem_pool_t, shared (ref-counted) allocations, the recycle allocator and h2o_vector_reserve,
 * written against the 2.2.5 API (h2o/memory.h). Expected values are what Debian's 2.2.5 does.
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o/memory.h>
#include <h2o/string_.h> /* H2O_STRLIT */

static int disposed[8];
static void *disposed_ptr[8];
static void on_dispose(void *p)
{
    /* the first byte of each shared block says which counter to bump */
    int which = *(unsigned char *)p;
    ++disposed[which];
    disposed_ptr[which] = p;
}

static void test_pool_alloc(void)
{
    static const size_t sizes[] = {0, 1, 7, 8, 15, 16, 17, 31, 100, 255, 1000, 1023, 1024, 2000, 3000, 4000,
                                   4095, 4096, 4097, 5000, 8192, 10000, 65536, 100000, 1 << 20};
    enum { ROUNDS = 6, N = sizeof(sizes) / sizeof(sizes[0]) };
    h2o_mem_pool_t pool;
    unsigned char *ptrs[ROUNDS * N];
    size_t i, j, round;

    h2o_mem_init_pool(&pool);
    for (round = 0; round != 2; ++round) {
        /* many sizes, small and "direct" (> 4 KiB); each block filled with its own byte */
        for (i = 0; i != ROUNDS * N; ++i) {
            size_t sz = sizes[i % N];
            ptrs[i] = h2o_mem_alloc_pool(&pool, sz);
            CHECK(ptrs[i] != NULL, "alloc_pool(%zu) returned NULL", sz);
            CHECK((uintptr_t)ptrs[i] % sizeof(void *) == 0, "alloc_pool(%zu) returned %p, not pointer-aligned", sz,
                  (void *)ptrs[i]);
            if (ptrs[i] != NULL)
                memset(ptrs[i], (int)(i & 0xff), sz);
        }
        /* no block overlaps another: every byte still holds its block's value */
        for (i = 0; i != ROUNDS * N; ++i) {
            size_t sz = sizes[i % N];
            for (j = 0; j != sz; ++j)
                if (ptrs[i][j] != (unsigned char)(i & 0xff)) {
                    CHECK(0, "block %zu (%zu bytes) overwritten at byte %zu", i, sz, j);
                    break;
                }
        }
        /* clear; the pool is reusable without init (round 2) */
        h2o_mem_clear_pool(&pool);
    }
    h2o_mem_clear_pool(&pool); /* clearing an empty pool is fine */
}

static void *shared(h2o_mem_pool_t *pool, size_t sz, int which, void (*dispose)(void *))
{
    unsigned char *p = h2o_mem_alloc_shared(pool, sz, dispose);
    CHECK(p != NULL, "alloc_shared(%zu) returned NULL", sz);
    memset(p, 0xee, sz);
    p[0] = (unsigned char)which;
    return p;
}

static void test_shared(void)
{
    h2o_mem_pool_t pool;
    void *a, *b, *c, *d, *big;

    memset(disposed, 0, sizeof(disposed));
    h2o_mem_init_pool(&pool);

    /* a: allocated in the pool, refcount 1; clear releases it and runs dispose */
    a = shared(&pool, 32, 1, on_dispose);
    /* b: in the pool plus one extra reference: clear leaves it alive */
    b = shared(&pool, 100, 2, on_dispose);
    h2o_mem_addref_shared(b);
    /* c: orphan, linked twice (each link takes a reference): 3 references */
    c = shared(NULL, 8, 3, on_dispose);
    h2o_mem_link_shared(&pool, c);
    h2o_mem_link_shared(&pool, c);
    /* d: orphan without dispose callback */
    d = shared(NULL, 50, 4, NULL);
    /* big: a shared block larger than a pool chunk */
    big = shared(&pool, 10000, 5, on_dispose);

    CHECK(disposed[1] + disposed[2] + disposed[3] + disposed[5] == 0, "dispose ran before clear");
    h2o_mem_clear_pool(&pool);
    CHECK(disposed[1] == 1 && disposed_ptr[1] == a, "a: dispose ran %d times (pointer %p, want %p)", disposed[1],
          disposed_ptr[1], a);
    CHECK(disposed[5] == 1 && disposed_ptr[5] == big, "big: dispose ran %d times", disposed[5]);
    CHECK(disposed[2] == 0, "b (one reference left) was disposed by clear");
    CHECK(disposed[3] == 0, "c (one reference left) was disposed by clear");
    CHECK(((unsigned char *)b)[1] == 0xee && ((unsigned char *)c)[1] == 0xee, "surviving blocks changed");

    /* dropping the last references */
    CHECK(h2o_mem_release_shared(b) == 1, "release of b's last reference did not free it");
    CHECK(disposed[2] == 1 && disposed_ptr[2] == b, "b: dispose ran %d times", disposed[2]);
    h2o_mem_addref_shared(c);
    CHECK(h2o_mem_release_shared(c) == 0, "release of one of c's two references freed it");
    CHECK(disposed[3] == 0, "c disposed too early");
    CHECK(h2o_mem_release_shared(c) == 1, "release of c's last reference did not free it");
    CHECK(disposed[3] == 1 && disposed_ptr[3] == c, "c: dispose ran %d times", disposed[3]);
    CHECK(h2o_mem_release_shared(d) == 1, "release of d did not free it");

    /* the pool is usable after all that */
    memset(h2o_mem_alloc_pool(&pool, 64), 0, 64);
    h2o_mem_clear_pool(&pool);
}

static void test_recycle(void)
{
    h2o_mem_recycle_t r;
    void *a, *b, *c, *x;

    memset(&r, 0, sizeof(r));
    r.max = 2;
    a = h2o_mem_alloc_recycle(&r, 100);
    b = h2o_mem_alloc_recycle(&r, 100);
    c = h2o_mem_alloc_recycle(&r, 100);
    CHECK(a && b && c && a != b && b != c && a != c, "three distinct blocks");
    memset(a, 1, 100), memset(b, 2, 100), memset(c, 3, 100);
    CHECK(r.cnt == 0, "cnt %zu with nothing returned", r.cnt);
    h2o_mem_free_recycle(&r, a);
    h2o_mem_free_recycle(&r, b);
    CHECK(r.cnt == 2, "cnt %zu after returning two", r.cnt);
    h2o_mem_free_recycle(&r, c); /* over max: really freed */
    CHECK(r.cnt == 2, "cnt %zu after returning a third with max 2", r.cnt);
    x = h2o_mem_alloc_recycle(&r, 100);
    CHECK(x == b, "the last block returned is handed out first (got %p, want %p)", x, b);
    CHECK(r.cnt == 1, "cnt %zu", r.cnt);
    memset(x, 4, 100);
    free(x);
    x = h2o_mem_alloc_recycle(&r, 100);
    CHECK(x == a && r.cnt == 0, "then the one before (got %p, want %p), cnt %zu", x, a, r.cnt);
    free(x);
    x = h2o_mem_alloc_recycle(&r, 100); /* empty: plain allocation */
    CHECK(x != NULL && r.cnt == 0, "allocation from an empty recycler");
    free(x);
}

static void test_vector(void)
{
    h2o_mem_pool_t pool;
    H2O_VECTOR(int) v = {NULL, 0, 0};
    H2O_VECTOR(h2o_iovec_t) w = {NULL, 0, 0};
    h2o_iovec_vector_t iv = {NULL, 0, 0};
    size_t i;

    h2o_mem_init_pool(&pool);
    /* pool-backed: grows, keeps the elements */
    for (i = 0; i != 1000; ++i) {
        h2o_vector_reserve(&pool, &v, v.size + 1);
        CHECK(v.capacity >= v.size + 1, "capacity %zu < %zu", v.capacity, v.size + 1);
        v.entries[v.size++] = (int)(i * 7);
    }
    for (i = 0; i != v.size; ++i)
        if (v.entries[i] != (int)(i * 7)) {
            CHECK(0, "element %zu is %d", i, v.entries[i]);
            break;
        }
    /* the 2.2.5 growth policy (embedders read .capacity): 4 first, then doubling */
    {
        H2O_VECTOR(int) g = {NULL, 0, 0};
        h2o_vector_reserve(&pool, &g, 1);
        CHECK(g.capacity == 4, "first reserve(1): capacity %zu, 2.2.5 gives 4", g.capacity);
        h2o_vector_reserve(&pool, &g, 5);
        CHECK(g.capacity == 8, "reserve(5): capacity %zu, 2.2.5 gives 8", g.capacity);
        h2o_vector_reserve(&pool, &g, 8);
        CHECK(g.capacity == 8, "reserve(8) within capacity changed it to %zu", g.capacity);
        h2o_vector_reserve(&pool, &g, 100);
        CHECK(g.capacity == 128, "reserve(100): capacity %zu, 2.2.5 gives 128", g.capacity);
    }
    /* element size from the vector's type */
    h2o_vector_reserve(&pool, &w, 3);
    w.entries[0] = h2o_iovec_init(H2O_STRLIT("x"));
    w.entries[2] = h2o_iovec_init(H2O_STRLIT("zz"));
    w.size = 3;
    h2o_vector_reserve(&pool, &w, 50);
    CHECK(w.entries[0].len == 1 && w.entries[0].base[0] == 'x' && w.entries[2].len == 2, "iovec elements kept");
    h2o_mem_clear_pool(&pool);

    /* malloc-backed (pool NULL): realloc, freed by the caller */
    for (i = 0; i != 100; ++i) {
        h2o_vector_reserve(NULL, &iv, iv.size + 1);
        iv.entries[iv.size++] = h2o_iovec_init(NULL, i);
    }
    for (i = 0; i != iv.size; ++i)
        if (iv.entries[i].len != i) {
            CHECK(0, "malloc-backed element %zu", i);
            break;
        }
    free(iv.entries);
}

static void test_inline_helpers(void)
{
    h2o_iovec_t s = h2o_iovec_init(H2O_STRLIT("hello"));
    CHECK(s.len == 5 && memcmp(s.base, "hello", 5) == 0, "h2o_iovec_init(H2O_STRLIT)");
    CHECK(h2o_memis(s.base, s.len, H2O_STRLIT("hello")), "h2o_memis equal");
    CHECK(!h2o_memis(s.base, s.len, H2O_STRLIT("hellO")), "h2o_memis differs in the last byte");
    CHECK(!h2o_memis(s.base, s.len, H2O_STRLIT("hell")), "h2o_memis shorter");
    CHECK(h2o_memis("", 0, "", 0), "h2o_memis empty");
    CHECK(strcmp(H2O_TO_STR(42), "42") == 0, "H2O_TO_STR");
    {
        struct outer {
            int a;
            h2o_iovec_t member;
        } o;
        CHECK(H2O_STRUCT_FROM_MEMBER(struct outer, member, &o.member) == &o, "H2O_STRUCT_FROM_MEMBER");
    }
    {
        void *p = h2o_mem_alloc(100);
        memset(p, 1, 100);
        p = h2o_mem_realloc(p, 100000);
        CHECK(((unsigned char *)p)[99] == 1, "h2o_mem_realloc keeps the bytes");
        free(p);
    }
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_mem_alloc_pool),   ABI_FN(h2o_mem_init_pool),
                                        ABI_FN(h2o_mem_clear_pool),   ABI_FN(h2o_mem_alloc_shared),
                                        ABI_FN(h2o_mem_link_shared),  ABI_FN(h2o_mem_alloc_recycle),
                                        ABI_FN(h2o_mem_free_recycle), ABI_FN(h2o_vector__expand)};
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    test_pool_alloc();
    test_shared();
    test_recycle();
    test_vector();
    test_inline_helpers();
    return abi_report("test_pool");
}
