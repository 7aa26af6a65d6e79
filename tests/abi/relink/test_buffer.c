/*
 * h2o_buffer_t behaviour, written against the 2.2.5 API (h2o/memory.h):
 *   - growth from empty past the mmap threshold (1 MiB here, through a custom prototype and
 *     h2o_buffer_mmap_settings_t with a template in a private temp dir) in small writes, contents
 *     intact across the malloc -> mmap switch and every remap;
 *   - /proc/self/maps shows exactly one mapping of a deleted temp file, one fd is open on it, the
 *     temp dir stays empty (the file is unlinked at once);
 *   - partial consume then append; consume everything; dispose closes the fd and unmaps;
 *   - h2o_buffer_link_to_pool: clearing the pool disposes the buffer;
 *   - failures: template dir missing, template under a regular file, a file size limit
 *     (posix_fallocate fails) both at the switch and when an mmapped buffer grows: reserve returns
 *     an empty iovec and the buffer keeps its contents and stays usable.
 */
#include "abi_test.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <h2o/memory.h>

#define THRESHOLD (1024 * 1024)

static char tmpdir[PATH_MAX];
static h2o_buffer_mmap_settings_t mmap_settings;
static h2o_buffer_prototype_t proto, proto_nommap;

static unsigned char pattern(size_t pos)
{
    return (unsigned char)((pos * 2654435761u) >> 13);
}

/* appends n bytes of the pattern, continuing at stream position *pos */
static int append(h2o_buffer_t **buf, size_t n, size_t *pos)
{
    h2o_iovec_t iov = h2o_buffer_reserve(buf, n);
    size_t i;
    if (iov.base == NULL)
        return 0;
    CHECK(iov.len >= n, "reserve(%zu) gave %zu bytes", n, iov.len);
    CHECK(iov.base == (*buf)->bytes + (*buf)->size, "reserve returned %p, the end of the data is %p", (void *)iov.base,
          (void *)((*buf)->bytes + (*buf)->size));
    for (i = 0; i != n; ++i)
        iov.base[i] = (char)pattern(*pos + i);
    (*buf)->size += n;
    *pos += n;
    return 1;
}

/* the buffer holds the pattern from stream position `start` on */
static int intact(h2o_buffer_t *buf, size_t start)
{
    size_t i;
    for (i = 0; i != buf->size; ++i)
        if ((unsigned char)buf->bytes[i] != pattern(start + i)) {
            fprintf(stderr, "byte %zu (stream position %zu) is 0x%02x, expected 0x%02x\n", i, start + i,
                    (unsigned char)buf->bytes[i], pattern(start + i));
            return 0;
        }
    return 1;
}

static void set_template(const char *dir)
{
    snprintf(mmap_settings.fn_template, sizeof(mmap_settings.fn_template), "%s/h2obuf.XXXXXX", dir);
}

static void test_empty(void)
{
    h2o_buffer_t *buf;
    h2o_buffer_init(&buf, &proto);
    CHECK(buf->size == 0, "a new buffer holds %zu bytes", buf->size);
    h2o_buffer_dispose(&buf);
    CHECK(buf == NULL, "dispose leaves the pointer non-NULL");

    /* first reserve of a small amount; then consume everything */
    h2o_buffer_init(&buf, &proto);
    {
        size_t pos = 0;
        CHECK(append(&buf, 100, &pos), "reserve(100) on an empty buffer failed");
        CHECK(buf->size == 100 && intact(buf, 0), "size %zu", buf->size);
        CHECK(buf->capacity >= 100, "capacity %zu", buf->capacity);
        h2o_buffer_consume(&buf, 40);
        CHECK(buf->size == 60 && intact(buf, 40), "after consume(40): size %zu", buf->size);
        h2o_buffer_consume(&buf, 60);
        CHECK(buf->size == 0, "after consuming everything: size %zu", buf->size);
        CHECK(append(&buf, 10, &pos), "reserve after consuming everything failed");
        CHECK(buf->size == 10 && intact(buf, 100), "size %zu", buf->size);
    }
    h2o_buffer_dispose(&buf);

    /* h2o_buffer_set_prototype on a buffer that was never written switches the prototype */
    h2o_buffer_init(&buf, &proto);
    h2o_buffer_set_prototype(&buf, &proto_nommap);
    CHECK(buf == &proto_nommap._initial_buf, "set_prototype on an empty buffer");
    h2o_buffer_dispose(&buf);
}

/* grows from empty in writes of `step` bytes to at least `target` bytes */
static void grow(h2o_buffer_t **buf, size_t target, size_t step, size_t *pos, size_t start)
{
    size_t last_capacity = (*buf)->capacity;
    int checked_small = 0;
    while ((*buf)->size < target) {
        if (!append(buf, step, pos)) {
            CHECK(0, "reserve(%zu) failed at size %zu", step, (*buf)->size);
            return;
        }
        if ((*buf)->capacity != last_capacity) {
            /* every reallocation or remap: everything still there */
            CHECK(intact(*buf, start), "contents changed when the capacity went %zu -> %zu", last_capacity,
                  (*buf)->capacity);
            last_capacity = (*buf)->capacity;
        }
        if (!checked_small && (*buf)->capacity < THRESHOLD / 4 && (*buf)->size > 4096) {
            checked_small = 1;
            CHECK(abi_count_maps(tmpdir, NULL, NULL) == 0, "a %zu-byte buffer is already file-backed", (*buf)->capacity);
        }
    }
}

static void check_one_mapping(const char *when, size_t capacity)
{
    int deleted;
    size_t mapped;
    int maps = abi_count_maps(tmpdir, &deleted, &mapped);
    CHECK(maps == 1 && deleted == 1, "%s: %d mappings of files in %s (%d deleted), expected exactly one, deleted", when,
          maps, tmpdir, deleted);
    CHECK(mapped >= capacity, "%s: %zu bytes mapped for a capacity of %zu", when, mapped, capacity);
    CHECK(abi_count_fds(tmpdir) == 1, "%s: %d fds open on files in %s, expected 1", when, abi_count_fds(tmpdir), tmpdir);
    CHECK(abi_count_entries(tmpdir) == 0, "%s: the temp file is still in %s (not unlinked)", when, tmpdir);
}

static void check_released(const char *when)
{
    CHECK(abi_count_maps(tmpdir, NULL, NULL) == 0, "%s: %d mappings of files in %s remain", when,
          abi_count_maps(tmpdir, NULL, NULL), tmpdir);
    CHECK(abi_count_fds(tmpdir) == 0, "%s: %d fds remain open on files in %s", when, abi_count_fds(tmpdir), tmpdir);
}

static void test_mmap_growth(void)
{
    h2o_buffer_t *buf;
    size_t pos = 0, start = 0;

    set_template(tmpdir);
    h2o_buffer_init(&buf, &proto);
    grow(&buf, 3 * THRESHOLD + 12345, 997, &pos, start);
    CHECK(intact(buf, start), "contents after growing past the threshold");
    check_one_mapping("after growing to 3 MiB", buf->capacity);

    /* partial consume, then append across more remaps */
    h2o_buffer_consume(&buf, 123457);
    start += 123457;
    CHECK(buf->size == pos - start, "size %zu after consume, expected %zu", buf->size, pos - start);
    CHECK(intact(buf, start), "contents after a partial consume");
    grow(&buf, 6 * THRESHOLD, 1531, &pos, start);
    CHECK(intact(buf, start), "contents after consume + append");
    check_one_mapping("after consume + append to 6 MiB", buf->capacity);

    /* consume all but one byte, append, then consume everything */
    h2o_buffer_consume(&buf, buf->size - 1);
    start = pos - 1;
    CHECK(buf->size == 1 && intact(buf, start), "one byte left: size %zu", buf->size);
    CHECK(append(&buf, 5000, &pos), "append after consuming almost everything");
    CHECK(intact(buf, start), "contents");
    h2o_buffer_consume(&buf, buf->size);
    CHECK(buf->size == 0, "size %zu after consuming everything", buf->size);
    start = pos;
    CHECK(append(&buf, 777, &pos) && intact(buf, start), "append after consuming everything");

    h2o_buffer_dispose(&buf);
    CHECK(buf == NULL, "dispose leaves the pointer non-NULL");
    check_released("after dispose");
}

static int dispose_calls;
static void count_dispose(void *p)
{
    (void)p;
    ++dispose_calls;
}

static void test_link_to_pool(void)
{
    h2o_mem_pool_t pool;
    h2o_buffer_t *buf;
    size_t pos = 0;
    void *shared;

    set_template(tmpdir);
    h2o_mem_init_pool(&pool);
    h2o_buffer_init(&buf, &proto);
    grow(&buf, 2 * THRESHOLD, 4000, &pos, 0);
    check_one_mapping("file-backed buffer to link to a pool", buf->capacity);
    h2o_buffer_link_to_pool(buf, &pool);
    shared = h2o_mem_alloc_shared(&pool, 10, count_dispose);
    memset(shared, 'x', 10);
    CHECK(intact(buf, 0), "contents after linking");
    h2o_mem_clear_pool(&pool);
    CHECK(dispose_calls == 1, "dispose callback ran %d times", dispose_calls);
    check_released("after clearing the pool a file-backed buffer was linked to");
}

/* the reserve that would switch to a file fails: empty iovec, contents kept, buffer usable */
static void expect_switch_failure(const char *what)
{
    h2o_buffer_t *buf;
    size_t pos = 0, size_before, i;
    h2o_iovec_t iov;

    h2o_buffer_init(&buf, &proto);
    grow(&buf, THRESHOLD / 4, 1000, &pos, 0); /* still malloc-backed */
    size_before = buf->size;
    /* ask for more than the free space until the capacity would reach the threshold */
    iov.base = (char *)1;
    for (i = 0; i < 8 && iov.base != NULL; ++i) {
        iov = h2o_buffer_reserve(&buf, buf->capacity);
        if (iov.base != NULL) {
            /* (should not happen: the doubled capacity is past the threshold) */
            memset(iov.base, 0, 0);
        }
    }
    CHECK(iov.base == NULL && iov.len == 0, "%s: reserve past the threshold gave {%p, %zu}, expected {NULL, 0}", what,
          (void *)iov.base, iov.len);
    CHECK(buf->size == size_before && intact(buf, 0), "%s: the buffer lost its contents (size %zu, was %zu)", what,
          buf->size, size_before);
    CHECK(abi_count_maps(tmpdir, NULL, NULL) == 0, "%s: a file is mapped after the failure", what);
    /* still usable below the threshold */
    h2o_buffer_consume(&buf, 1000);
    CHECK(buf->size == size_before - 1000 && intact(buf, 1000), "%s: consume after the failure", what);
    {
        size_t n = buf->capacity - buf->size - (size_t)(buf->bytes - buf->_buf);
        if (n > 100)
            n = 100;
        if (n != 0) {
            size_t p = pos;
            CHECK(append(&buf, n, &p) && intact(buf, 1000), "%s: append into the free space after the failure", what);
        }
    }
    h2o_buffer_dispose(&buf);
}

static void close_fds_under(const char *dir)
{
    int fd;
    for (fd = 3; fd < 1024; ++fd) {
        char p[64], target[PATH_MAX];
        ssize_t r;
        snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
        if ((r = readlink(p, target, sizeof(target) - 1)) < 0)
            continue;
        target[r] = '\0';
        if (strncmp(target, dir, strlen(dir)) == 0 && target[strlen(dir)] == '/')
            close(fd);
    }
}

static void ignore_signal(int sig)
{
    (void)sig;
}

static void test_failures(void)
{
    char path[PATH_MAX + 32];
    FILE *fp;
    struct rlimit old, lim;

    /* 1. the template's directory does not exist */
    snprintf(path, sizeof(path), "%s/missing", tmpdir);
    set_template(path);
    expect_switch_failure("template dir missing");
    check_released("after a failure with a missing template dir");

    /* 2. the template's directory is a regular file */
    snprintf(path, sizeof(path), "%s/plainfile", tmpdir);
    if ((fp = fopen(path, "w")) != NULL)
        fclose(fp);
    set_template(path);
    expect_switch_failure("template dir is a regular file");
    unlink(path);
    check_released("after a failure with a file as template dir");

    /* 3. an unwritable directory (root writes anywhere: skipped then) */
    if (geteuid() != 0) {
        snprintf(path, sizeof(path), "%s/readonly", tmpdir);
        mkdir(path, 0500);
        set_template(path);
        expect_switch_failure("template dir unwritable");
        rmdir(path);
        check_released("after a failure with an unwritable template dir");
    } else {
        printf("note: running as root, the unwritable-directory case is covered by cases 1 and 2 only\n");
    }

    /* 4. the file cannot be sized (RLIMIT_FSIZE below what posix_fallocate asks for), when an mmapped
     *    buffer grows: the old mapping and its bytes stay */
    set_template(tmpdir);
    signal(SIGXFSZ, ignore_signal);
    getrlimit(RLIMIT_FSIZE, &old);
    {
        h2o_buffer_t *buf;
        size_t pos = 0, size_before;
        h2o_iovec_t iov;
        h2o_buffer_init(&buf, &proto);
        grow(&buf, THRESHOLD + 1, 1000, &pos, 0);
        check_one_mapping("before the file size limit", buf->capacity);
        lim = old;
        lim.rlim_cur = 2 * (rlim_t)buf->capacity + 4096; /* the next size (doubling) does not fit */
        if (lim.rlim_cur > old.rlim_max)
            lim.rlim_cur = old.rlim_max;
        setrlimit(RLIMIT_FSIZE, &lim);
        size_before = buf->size;
        iov = h2o_buffer_reserve(&buf, 2 * buf->capacity);
        setrlimit(RLIMIT_FSIZE, &old);
        CHECK(iov.base == NULL && iov.len == 0, "reserve beyond RLIMIT_FSIZE gave {%p, %zu}", (void *)iov.base, iov.len);
        CHECK(buf->size == size_before && intact(buf, 0), "the file-backed buffer lost its contents");
        check_one_mapping("after the failed resize", buf->capacity);
        /* and grows again once the limit is lifted */
        CHECK(append(&buf, 2 * THRESHOLD, &pos) && intact(buf, 0), "growth after the limit is lifted");
        check_one_mapping("after growing again", buf->capacity);
        h2o_buffer_dispose(&buf);
        check_released("after dispose (file size limit case)");
    }

    /* 5. the same limit at the malloc -> file switch: the file is created, then cannot be sized */
    lim = old;
    lim.rlim_cur = THRESHOLD / 2;
    setrlimit(RLIMIT_FSIZE, &lim);
    expect_switch_failure("file size limit at the switch");
    setrlimit(RLIMIT_FSIZE, &old);
    {
        /* 2.2.5 leaks the descriptor of the temp file here; tolerated (counted, then closed) */
        int leaked = abi_count_fds(tmpdir);
        if (leaked > 0) {
            printf("note: the library left %d fd(s) open on the unsized temp file(s)\n", leaked);
            close_fds_under(tmpdir);
        }
        CHECK(abi_count_entries(tmpdir) == 0, "the unsized temp file was not unlinked");
    }
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_buffer_reserve), ABI_FN(h2o_buffer_consume), ABI_FN(h2o_mem_init_pool),
                                        ABI_FN(h2o_mem_clear_pool), ABI_FN(h2o_mem_alloc_shared)};
    const char *base = getenv("TMPDIR");

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    snprintf(tmpdir, sizeof(tmpdir), "%s/h2o-abi-buffer.XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    mmap_settings.threshold = THRESHOLD;
    set_template(tmpdir);
    memset(&proto, 0, sizeof(proto));
    proto.allocator.max = 16;
    proto._initial_buf.capacity = 4096;
    proto.mmap_settings = &mmap_settings;
    memset(&proto_nommap, 0, sizeof(proto_nommap));
    proto_nommap.allocator.max = 16;
    proto_nommap._initial_buf.capacity = 4096;

    test_empty();
    test_mmap_growth();
    test_link_to_pool();
    test_failures();
    check_released("at exit");

    /* drop what the recycle allocators hold, so that memcheck sees no leak */
    while (proto.allocator.cnt != 0)
        free(h2o_mem_alloc_recycle(&proto.allocator, 1));
    while (proto_nommap.allocator.cnt != 0)
        free(h2o_mem_alloc_recycle(&proto_nommap.allocator, 1));
    if (rmdir(tmpdir) != 0)
        CHECK(0, "rmdir(%s): %s (a temp file was left behind)", tmpdir, strerror(errno));
    return abi_report("test_buffer");
}
