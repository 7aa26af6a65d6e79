/*
 * The exported buffer prototype of h2o/socket.h: h2o_socket_buffer_prototype (a thread-local object
 * in 2.2.5) and h2o_socket_buffer_mmap_settings (32 MiB threshold, template under /tmp), as
 * Debian's 2.2.5 has them, and a buffer grown from that prototype in this thread and in another.
 */
#include "abi_test.h"

#include <pthread.h>

#include <h2o/memory.h>
#include <h2o/socket.h>

static void use_prototype(const char *who)
{
    h2o_buffer_t *buf;
    h2o_iovec_t iov;
    size_t i;

    CHECK(h2o_socket_buffer_prototype.mmap_settings == &h2o_socket_buffer_mmap_settings,
          "%s: the prototype points at h2o_socket_buffer_mmap_settings", who);
    CHECK(h2o_socket_buffer_prototype._initial_buf.capacity == 8192, "%s: initial capacity %zu, 2.2.5 has 8192", who,
          h2o_socket_buffer_prototype._initial_buf.capacity);
    CHECK(h2o_socket_buffer_prototype.allocator.max == 16, "%s: recycler max %zu, 2.2.5 has 16", who,
          h2o_socket_buffer_prototype.allocator.max);

    h2o_buffer_init(&buf, &h2o_socket_buffer_prototype);
    for (i = 0; i != 1000; ++i) {
        iov = h2o_buffer_reserve(&buf, 300);
        CHECK(iov.base != NULL && iov.len >= 300, "%s: reserve", who);
        if (iov.base == NULL)
            break;
        memset(iov.base, (int)(i & 0xff), 300);
        buf->size += 300;
    }
    CHECK(buf->size == 300000 && (unsigned char)buf->bytes[299999] == (999 & 0xff), "%s: 300000 bytes", who);
    h2o_buffer_consume(&buf, buf->size);
    h2o_buffer_dispose(&buf);
    /* the per-thread recycler may hold blocks now; hand them back so memcheck sees no leak */
    while (h2o_socket_buffer_prototype.allocator.cnt != 0)
        free(h2o_mem_alloc_recycle(&h2o_socket_buffer_prototype.allocator, 1));
}

static void *thread_main(void *arg)
{
    (void)arg;
    use_prototype("second thread");
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_buffer_reserve), ABI_FN(h2o_buffer_consume)};
    const char *tmpl = h2o_socket_buffer_mmap_settings.fn_template;
    size_t tlen = strlen(tmpl);
    pthread_t th;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    CHECK(h2o_socket_buffer_mmap_settings.threshold == 32 * 1024 * 1024, "threshold %zu, 2.2.5 has 32 MiB",
          h2o_socket_buffer_mmap_settings.threshold);
    CHECK(strncmp(tmpl, "/tmp/", 5) == 0 && tlen >= 6 && strcmp(tmpl + tlen - 6, "XXXXXX") == 0,
          "template \"%s\" (2.2.5: /tmp/h2o.b.XXXXXX)", tmpl);
    use_prototype("main thread");
    CHECK(pthread_create(&th, NULL, thread_main, NULL) == 0, "pthread_create");
    pthread_join(th, NULL);
    return abi_report("test_socket_buffer");
}
