/* h2o/memory.h: memory primitives of libh2o-rs, a drop-in for libh2o-evloop 2.2.5.
 *
 * Hand-written: the API and the x86_64 layouts are libh2o 2.2.5's (programs built against Debian's
 * libh2o-evloop-dev run on this library unchanged), the implementation is libh2o-rs's.
 *
 * Conventions (as in libh2o): structs are transparent and allocated by the caller; `_init` / `_dispose`
 * (or `_clear`) pairs set up and release them; fields starting with `_` are private. Functions that
 * allocate die through h2o_fatal() when memory is exhausted, so they never return NULL.
 *
 * Contents:
 *   - macros: H2O_STRUCT_FROM_MEMBER, H2O_LIKELY/H2O_UNLIKELY, H2O_NORETURN, H2O_RETURNS_NONNULL,
 *     H2O_TO_STR, H2O_BUILD_ASSERT, h2o_fatal, H2O_VECTOR
 *   - h2o_iovec_t: a pointer and a length
 *   - h2o_mem_recycle_t: a free list of same-sized blocks
 *   - h2o_mem_pool_t: allocations released together, plus ref-counted "shared" chunks
 *   - h2o_buffer_t: a growable byte buffer; large ones move to a deleted temporary file (mmap)
 *   - vectors (H2O_VECTOR, h2o_vector_reserve, h2o_vector_erase) and small helpers
 */
#ifndef h2o__memory_h
#define h2o__memory_h

#ifdef __sun__
#include <alloca.h>
#endif
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- macros ------------------------------------------------------------------------------------ */

/** Pointer to the struct of type `s` whose member `m` is at `p`. */
#define H2O_STRUCT_FROM_MEMBER(s, m, p) ((s *)((char *)(p) - offsetof(s, m)))

#if defined(__GNUC__) && __GNUC__ >= 3
#define H2O_LIKELY(x) __builtin_expect(!!(x), 1)
#define H2O_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define H2O_LIKELY(x) (x)
#define H2O_UNLIKELY(x) (x)
#endif

#ifdef __GNUC__
#define H2O_GNUC_VERSION ((__GNUC__ << 16) | (__GNUC_MINOR__ << 8) | __GNUC_PATCHLEVEL__)
#else
#define H2O_GNUC_VERSION 0
#endif

/** Marks a function that never returns. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define H2O_NORETURN _Noreturn
#elif defined(__clang__) || defined(__GNUC__)
#define H2O_NORETURN __attribute__((noreturn))
#else
#define H2O_NORETURN
#endif

/** Marks a function that never returns NULL (gcc >= 4.9; not clang, as in libh2o). */
#if !defined(__clang__) && defined(__GNUC__) && H2O_GNUC_VERSION >= 0x40900
#define H2O_RETURNS_NONNULL __attribute__((returns_nonnull))
#else
#define H2O_RETURNS_NONNULL
#endif

/** The expansion of `n` as a string literal. */
#define H2O_TO__STR(n) #n
#define H2O_TO_STR(n) H2O_TO__STR(n)

/** Fails to compile when `condition` is a compile-time constant that is false; no-op otherwise. */
#define H2O_BUILD_ASSERT(condition) ((void)sizeof(char[1 - 2 * !!(__builtin_constant_p(condition) && !(condition))]))

/** Prints `fatal:<file>:<line>:<msg>` to stderr and aborts. */
#define h2o_fatal(msg) h2o__fatal(__FILE__ ":" H2O_TO_STR(__LINE__) ":" msg)
H2O_NORETURN void h2o__fatal(const char *msg);

/* ---- types (x86_64 sizes and offsets of libh2o 2.2.5 in comments) ------------------------------ */

typedef struct st_h2o_buffer_prototype_t h2o_buffer_prototype_t;

/** A pointer and a length; same layout as `struct iovec` (16 bytes). */
typedef struct st_h2o_iovec_t {
    char *base; /* 0 */
    size_t len; /* 8 */
} h2o_iovec_t;

/** Keeps up to `max` freed blocks of one size for reuse (24 bytes). Initialize as `{max}`. */
typedef struct st_h2o_mem_recycle_t {
    size_t max;
    size_t cnt;
    struct st_h2o_mem_recycle_chunk_t *_link;
} h2o_mem_recycle_t;

/** The header of a ref-counted chunk; `bytes` is what h2o_mem_alloc_shared() returns. The block is
 * allocated with malloc() and released with free() (see h2o_mem_release_shared). */
struct st_h2o_mem_pool_shared_entry_t {
    size_t refcnt;            /* 0 */
    void (*dispose)(void *);  /* 8 */
    char bytes[1];            /* 16 */
};

/** A memory pool (32 bytes): allocations freed all at once by h2o_mem_clear_pool(). */
typedef struct st_h2o_mem_pool_t {
    struct st_h2o_mem_pool_chunk_t *chunks;
    size_t chunk_offset;
    struct st_h2o_mem_pool_shared_ref_t *shared_refs;
    struct st_h2o_mem_pool_direct_t *directs;
} h2o_mem_pool_t;

/** A byte buffer (40 bytes). An empty buffer is its prototype's `_initial_buf` (`bytes == NULL`,
 * `capacity` = the initial capacity); h2o_buffer_reserve() allocates. Read `bytes` / `size`; append by
 * writing into the space h2o_buffer_reserve() returns and adding to `size`. */
typedef struct st_h2o_buffer_t {
    size_t capacity;                   /* 0: bytes of storage from `_buf` (or the initial capacity) */
    size_t size;                       /* 8: bytes of data at `bytes` */
    char *bytes;                       /* 16: first byte of data (NULL for a prototype's buffer) */
    h2o_buffer_prototype_t *_prototype; /* 24 */
    int _fd;                           /* 32: temporary file of an mmap'ed buffer, or -1 */
    char _buf[1];                      /* 36: storage */
} h2o_buffer_t;

/** When a buffer's capacity reaches `threshold`, its storage moves to a temporary file created from
 * the mkstemp() template `fn_template` (unlinked at once) and mapped into memory (4104 bytes). */
typedef struct st_h2o_buffer_mmap_settings_t {
    size_t threshold;                /* 0 */
    char fn_template[FILENAME_MAX]; /* 8 */
} h2o_buffer_mmap_settings_t;

/** How buffers of one kind are allocated (72 bytes). Initialize as
 * `{{max_recycled}, {initial_capacity}, &mmap_settings_or_NULL}`. */
struct st_h2o_buffer_prototype_t {
    h2o_mem_recycle_t allocator;               /* 0 */
    h2o_buffer_t _initial_buf;                 /* 24 */
    h2o_buffer_mmap_settings_t *mmap_settings; /* 64 */
};

/** A vector of `type`: `entries[0 .. size)`, room for `capacity`. Zero-initialize it. */
#define H2O_VECTOR(type)                                                                                                           \
    struct {                                                                                                                       \
        type *entries;                                                                                                             \
        size_t size;                                                                                                               \
        size_t capacity;                                                                                                           \
    }

typedef H2O_VECTOR(void) h2o_vector_t;
typedef H2O_VECTOR(h2o_iovec_t) h2o_iovec_vector_t;

/* ---- functions --------------------------------------------------------------------------------- */

/** The memset behind h2o_mem_set_secure() (a data object, so calls through it are never elided). */
extern void *(*h2o_mem__set_secure)(void *, int, size_t);

/** memcpy() that accepts a NULL `src` when `n` is 0 (and dies when it is not). */
static void *h2o_memcpy(void *dst, const void *src, size_t n);
/** An h2o_iovec_t of `base` (any data, constness dropped) and `len`. */
static h2o_iovec_t h2o_iovec_init(const void *base, size_t len);
/** malloc(), dying on failure. */
H2O_RETURNS_NONNULL static void *h2o_mem_alloc(size_t sz);
/** realloc(), dying on failure. */
static void *h2o_mem_realloc(void *oldp, size_t sz);

/** A block of `sz` bytes: a recycled one if `allocator` holds any (all its blocks must be `sz`
 * bytes), else a new malloc() block. */
void *h2o_mem_alloc_recycle(h2o_mem_recycle_t *allocator, size_t sz);
/** Gives `p` back: kept for reuse, or freed when `allocator` already holds `max` blocks. */
void h2o_mem_free_recycle(h2o_mem_recycle_t *allocator, void *p);

/** Initializes a pool (allocates nothing). */
void h2o_mem_init_pool(h2o_mem_pool_t *pool);
/** Frees everything allocated from the pool and drops its references to shared chunks. The pool can
 * be reused right away, or simply forgotten. */
void h2o_mem_clear_pool(h2o_mem_pool_t *pool);
/** `sz` bytes (16-byte aligned) owned by the pool until it is cleared. */
void *h2o_mem_alloc_pool(h2o_mem_pool_t *pool, size_t sz);
/** A ref-counted chunk of `sz` bytes with a reference count of 1. With a `pool`, that reference
 * belongs to the pool (dropped when it is cleared); with NULL, to the caller. `dispose` (may be NULL)
 * is called with the chunk before it is freed. */
void *h2o_mem_alloc_shared(h2o_mem_pool_t *pool, size_t sz, void (*dispose)(void *));
/** Adds a reference to the shared chunk `p`, owned by `pool` (allowed more than once per pool). */
void h2o_mem_link_shared(h2o_mem_pool_t *pool, void *p);
/** Adds a reference to the shared chunk `p`. */
static void h2o_mem_addref_shared(void *p);
/** Drops a reference to the shared chunk `p`; at zero it is disposed of and freed (returns 1). */
static int h2o_mem_release_shared(void *p);

/** Points `*buffer` at the empty buffer of `prototype`. */
static void h2o_buffer_init(h2o_buffer_t **buffer, h2o_buffer_prototype_t *prototype);
/** Frees an allocated buffer (used by h2o_buffer_dispose). */
void h2o_buffer__do_free(h2o_buffer_t *buffer);
/** Frees the buffer (if allocated) and sets `*buffer` to NULL. */
static void h2o_buffer_dispose(h2o_buffer_t **buffer);
/**
 * Makes room for at least `min_guarantee` bytes after the data and returns that free space. `*inbuf`
 * may be replaced (pointers into the old buffer become invalid). A new buffer gets
 * max(min_guarantee, the prototype's initial capacity); a full one doubles its capacity until the
 * request fits (or first moves its data to the front when that leaves at most half in use).
 *
 * Storage: below the prototype's mmap threshold, malloc(); at or above it, a temporary file made
 * from the template, unlinked at once and mapped with mmap() (its pages are page cache, not
 * anonymous memory); it grows by extending the file (posix_fallocate) and remapping, and goes away
 * on dispose (munmap + close).
 *
 * Failure: when the temporary file cannot be created (e.g. the template's directory is not
 * writable), sized (ENOSPC) or mapped, returns {NULL, 0}, prints a message on stderr and counts it
 * (h2o_rs_buffer_mmap_failures); `*inbuf` and its contents are unchanged and stay usable.
 */
h2o_iovec_t h2o_buffer_reserve(h2o_buffer_t **inbuf, size_t min_guarantee);
/** Drops the first `delta` (<= size) bytes of data; dropping all of them frees the buffer and makes
 * `*inbuf` empty again (the prototype's buffer). */
void h2o_buffer_consume(h2o_buffer_t **inbuf, size_t delta);
/** Changes the prototype of `*buffer` (an empty buffer becomes `prototype`'s empty buffer). */
static void h2o_buffer_set_prototype(h2o_buffer_t **buffer, h2o_buffer_prototype_t *prototype);
/** Makes `pool` dispose of `buffer` when it is cleared. The buffer must not be resized afterwards. */
static void h2o_buffer_link_to_pool(h2o_buffer_t *buffer, h2o_mem_pool_t *pool);
/** The dispose callback used by h2o_buffer_link_to_pool (`p` holds an h2o_buffer_t *). */
void h2o_buffer__dispose_linked(void *p);

/** libh2o-rs extension: how many times the mmap path of h2o_buffer_reserve() failed in this process. */
uint64_t h2o_rs_buffer_mmap_failures(void);

/** Grows `vector` (allocated from `pool`, or with malloc() when `pool` is NULL) so that it holds at
 * least `new_capacity` elements. */
#define h2o_vector_reserve(pool, vector, new_capacity)                                                                             \
    h2o_vector__reserve((pool), (h2o_vector_t *)(void *)(vector), sizeof((vector)->entries[0]), (new_capacity))
static void h2o_vector__reserve(h2o_mem_pool_t *pool, h2o_vector_t *vector, size_t element_size, size_t new_capacity);
void h2o_vector__expand(h2o_mem_pool_t *pool, h2o_vector_t *vector, size_t element_size, size_t new_capacity);
/** Removes the element at `index`, moving the following ones down. */
#define h2o_vector_erase(vector, index) h2o_vector__erase((h2o_vector_t *)(void *)(vector), sizeof((vector)->entries[0]), (index))
static void h2o_vector__erase(h2o_vector_t *vector, size_t element_size, size_t index);

/** 1 if the `target_len` bytes at `target` equal the `test_len` bytes at `test`, else 0. */
static int h2o_memis(const void *target, size_t target_len, const void *test, size_t test_len);
/** memchr() from the end: the last `c` in the `n` bytes at `s`, or NULL. */
static void *h2o_memrchr(const void *s, int c, size_t n);
/** memset() that the compiler cannot remove (for clearing secrets). */
static void *h2o_mem_set_secure(void *b, int c, size_t len);
/** Exchanges the `len` bytes at `x` and `y` (non-overlapping). */
void h2o_mem_swap(void *x, void *y, size_t len);
/** Writes a hex dump of the `len` bytes at `buf` to `fp`. */
void h2o_dump_memory(FILE *fp, const char *buf, size_t len);
/** Appends `element` to the malloc()ed NULL-terminated array `*list` (`*list` may be NULL). */
void h2o_append_to_null_terminated_list(void ***list, void *element);

/* ---- inline definitions ------------------------------------------------------------------------ */

inline void *h2o_memcpy(void *dst, const void *src, size_t n)
{
    if (src == NULL) {
        if (n != 0)
            h2o_fatal("null pointer passed to memcpy");
        return dst;
    }
    return memcpy(dst, src, n);
}

inline h2o_iovec_t h2o_iovec_init(const void *base, size_t len)
{
    h2o_iovec_t v;
    v.base = (char *)base;
    v.len = len;
    return v;
}

inline void *h2o_mem_alloc(size_t sz)
{
    void *p = malloc(sz);
    if (H2O_UNLIKELY(p == NULL))
        h2o_fatal("no memory");
    return p;
}

inline void *h2o_mem_realloc(void *oldp, size_t sz)
{
    void *p = realloc(oldp, sz);
    if (H2O_UNLIKELY(p == NULL))
        h2o_fatal("no memory");
    return p;
}

inline void h2o_mem_addref_shared(void *p)
{
    struct st_h2o_mem_pool_shared_entry_t *e = H2O_STRUCT_FROM_MEMBER(struct st_h2o_mem_pool_shared_entry_t, bytes, p);
    assert(e->refcnt != 0);
    e->refcnt += 1;
}

inline int h2o_mem_release_shared(void *p)
{
    struct st_h2o_mem_pool_shared_entry_t *e = H2O_STRUCT_FROM_MEMBER(struct st_h2o_mem_pool_shared_entry_t, bytes, p);
    e->refcnt -= 1;
    if (e->refcnt != 0)
        return 0;
    if (e->dispose != NULL)
        e->dispose(e->bytes);
    free(e);
    return 1;
}

inline void h2o_buffer_init(h2o_buffer_t **buffer, h2o_buffer_prototype_t *prototype)
{
    *buffer = &prototype->_initial_buf;
}

inline void h2o_buffer_dispose(h2o_buffer_t **buffer)
{
    h2o_buffer_t *b = *buffer;
    *buffer = NULL;
    if (b->bytes != NULL)
        h2o_buffer__do_free(b);
}

inline void h2o_buffer_set_prototype(h2o_buffer_t **buffer, h2o_buffer_prototype_t *prototype)
{
    if ((*buffer)->_prototype == NULL) /* empty: it is the old prototype's buffer */
        *buffer = &prototype->_initial_buf;
    else
        (*buffer)->_prototype = prototype;
}

inline void h2o_buffer_link_to_pool(h2o_buffer_t *buffer, h2o_mem_pool_t *pool)
{
    h2o_buffer_t **slot = (h2o_buffer_t **)h2o_mem_alloc_shared(pool, sizeof(*slot), h2o_buffer__dispose_linked);
    *slot = buffer;
}

inline void h2o_vector__reserve(h2o_mem_pool_t *pool, h2o_vector_t *vector, size_t element_size, size_t new_capacity)
{
    if (new_capacity > vector->capacity)
        h2o_vector__expand(pool, vector, element_size, new_capacity);
}

inline void h2o_vector__erase(h2o_vector_t *vector, size_t element_size, size_t index)
{
    /* 2.2.5 moved (size - index - 1) bytes instead of elements; this moves the elements. */
    char *entries = (char *)vector->entries;
    memmove(entries + element_size * index, entries + element_size * (index + 1), element_size * (vector->size - index - 1));
    vector->size -= 1;
}

inline int h2o_memis(const void *target, size_t target_len, const void *test, size_t test_len)
{
    if (target_len != test_len)
        return 0;
    if (target_len == 0)
        return 1;
    if (*(const char *)target != *(const char *)test) /* most mismatches show in the first byte */
        return 0;
    return memcmp((const char *)target + 1, (const char *)test + 1, target_len - 1) == 0;
}

inline void *h2o_memrchr(const void *s, int c, size_t n)
{
    const char *start = (const char *)s, *p = start + n;
    while (p != start) {
        --p;
        if (*p == (char)c)
            return (void *)p;
    }
    return NULL;
}

inline void *h2o_mem_set_secure(void *b, int c, size_t len)
{
    return h2o_mem__set_secure(b, c, len);
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__memory_h */
