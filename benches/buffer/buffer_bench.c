/*
 * h2o_buffer_* of our library against Debian's libh2o-evloop 2.2.5, side by side in one process.
 *
 * Both shared libraries are dlopen()ed (RTLD_LOCAL | RTLD_NOW) and their exported h2o_buffer_reserve,
 * h2o_buffer_consume and h2o_buffer__do_free looked up with dlsym. h2o_buffer_init and
 * h2o_buffer_dispose are inline functions in 2.2.5's header; they are re-done here on the 2.2.5
 * x86_64 layout (COMPAT.md), which is what a program built against Debian's header executes.
 *
 *   (a) cycle:  reserve(128), write 128 bytes, consume(128)       ns per cycle, interleaved rounds
 *   (d) stream: reserve(128), write 128 bytes; once more than 1 KiB is held, consume all but the last
 *               64 bytes (so the buffer never empties and reserve compacts now and then); 256 MiB in
 *               total per round                                   ns per 128-byte write, interleaved rounds
 *   (b) growth: from empty to 1 GiB in 16 KiB appends, mmap threshold 32 MiB, template in /tmp
 *               MB/s (MiB/s of data appended), interleaved rounds, dispose not timed
 *   (c) big:    growth to 4 GiB (16 KiB appends) in a forked child per library: peak RssAnon and
 *               RssFile from /proc/self/status, sampled every 16 MiB and at every capacity change
 *
 * usage: buffer-bench [--ours PATH] [--debian PATH] [--rounds N] [--cycle-ms MS] [--growth-mib N]
 *                     [--big-mib N] [--stream-mib N] [--tmpdir DIR] [--only a|b|c|d]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- 2.2.5 layout (x86_64), as in COMPAT.md --------------------------------------------------------- */
typedef struct {
    char *base;
    size_t len;
} iovec_225;
typedef struct {
    size_t max, cnt;
    void *_link;
} recycle_225;
typedef struct buffer_proto_225 buffer_proto_225;
typedef struct {
    size_t capacity, size;
    char *bytes;
    buffer_proto_225 *_prototype;
    int _fd;
    char _buf[1];
} buffer_225;
typedef struct {
    size_t threshold;
    char fn_template[FILENAME_MAX];
} mmap_settings_225;
struct buffer_proto_225 {
    recycle_225 allocator;
    buffer_225 _initial_buf;
    mmap_settings_225 *mmap_settings;
};
_Static_assert(sizeof(buffer_225) == 40, "h2o_buffer_t");
_Static_assert(sizeof(buffer_proto_225) == 72, "h2o_buffer_prototype_t");
_Static_assert(sizeof(mmap_settings_225) == 4104, "h2o_buffer_mmap_settings_t");

typedef iovec_225 (*reserve_fn)(buffer_225 **, size_t);
typedef void (*consume_fn)(buffer_225 **, size_t);
typedef void (*do_free_fn)(buffer_225 *);

struct lib {
    const char *label;
    char path[PATH_MAX];
    void *handle;
    reserve_fn reserve;
    consume_fn consume;
    do_free_fn do_free;
    buffer_proto_225 proto;      /* prototype for (a): like h2o_socket_buffer_prototype */
    buffer_proto_225 proto_mmap; /* for (b), (c) */
    mmap_settings_225 mmap;
};

static void buf_init(buffer_225 **b, buffer_proto_225 *p)
{
    *b = &p->_initial_buf;
}
static void buf_dispose(struct lib *l, buffer_225 **b)
{
    buffer_225 *x = *b;
    *b = NULL;
    if (x->bytes != NULL)
        l->do_free(x);
}

static int lib_open(struct lib *l, const char *label, const char *path, const char *tmpdir)
{
    memset(l, 0, sizeof(*l));
    l->label = label;
    if (realpath(path, l->path) == NULL) {
        fprintf(stderr, "%s: cannot resolve %s\n", label, path);
        return -1;
    }
    if ((l->handle = dlopen(l->path, RTLD_LOCAL | RTLD_NOW)) == NULL) {
        fprintf(stderr, "%s: dlopen(%s): %s\n", label, l->path, dlerror());
        return -1;
    }
    l->reserve = (reserve_fn)dlsym(l->handle, "h2o_buffer_reserve");
    l->consume = (consume_fn)dlsym(l->handle, "h2o_buffer_consume");
    l->do_free = (do_free_fn)dlsym(l->handle, "h2o_buffer__do_free");
    if (!l->reserve || !l->consume || !l->do_free) {
        fprintf(stderr, "%s: %s lacks h2o_buffer_reserve / h2o_buffer_consume / h2o_buffer__do_free\n", label, l->path);
        return -1;
    }
    l->proto.allocator.max = 16; /* as 2.2.5's h2o_socket_buffer_prototype */
    l->proto._initial_buf.capacity = 8192;
    l->mmap.threshold = 32 * 1024 * 1024;
    snprintf(l->mmap.fn_template, sizeof(l->mmap.fn_template), "%s/h2o-bench.XXXXXX", tmpdir);
    l->proto_mmap = l->proto;
    l->proto_mmap.mmap_settings = &l->mmap;
    return 0;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --- (a) ----------------------------------------------------------------------------------------------- */
static volatile unsigned char sink;
static double cycle_once(struct lib *l, long iters)
{
    static const char payload[128] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    buffer_225 *b;
    double t0, t1;
    long i;
    buf_init(&b, &l->proto);
    t0 = now_ns();
    for (i = 0; i != iters; ++i) {
        iovec_225 v = l->reserve(&b, 128);
        memcpy(v.base, payload, 128);
        b->size += 128;
        sink = (unsigned char)b->bytes[5];
        l->consume(&b, 128);
    }
    t1 = now_ns();
    buf_dispose(l, &b);
    return (t1 - t0) / iters;
}

/* --- (d) ----------------------------------------------------------------------------------------------- */
static double stream_once(struct lib *l, size_t total)
{
    static const char payload[128] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    buffer_225 *b;
    size_t written;
    double t0, t1;
    buf_init(&b, &l->proto);
    t0 = now_ns();
    for (written = 0; written < total; written += 128) {
        iovec_225 v = l->reserve(&b, 128);
        memcpy(v.base, payload, 128);
        b->size += 128;
        if (b->size > 1024) {
            sink = (unsigned char)b->bytes[5];
            l->consume(&b, b->size - 64);
        }
    }
    t1 = now_ns();
    buf_dispose(l, &b);
    return (t1 - t0) / (total / 128);
}

/* --- (b), (c) ------------------------------------------------------------------------------------------ */
static int read_status(const char *key, long *kb)
{
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    size_t klen = strlen(key);
    int found = 0;
    if (fp == NULL)
        return 0;
    while (fgets(line, sizeof(line), fp) != NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            *kb = strtol(line + klen + 1, NULL, 10);
            found = 1;
            break;
        }
    fclose(fp);
    return found;
}

struct growth {
    double seconds;
    long peak_anon_kb, peak_file_kb, base_anon_kb;
    int failed;
};

static void grow(struct lib *l, size_t total, int sample, struct growth *g)
{
    static char chunk[16384];
    buffer_225 *b;
    size_t last_cap = 0, next_sample = 0;
    double t0;
    memset(g, 0, sizeof(*g));
    memset(chunk, 'x', sizeof(chunk));
    if (sample)
        read_status("RssAnon", &g->base_anon_kb);
    buf_init(&b, &l->proto_mmap);
    t0 = now_ns();
    while (b->size < total) {
        iovec_225 v = l->reserve(&b, sizeof(chunk));
        if (v.base == NULL) {
            fprintf(stderr, "%s: reserve failed at %zu bytes\n", l->label, b->size);
            g->failed = 1;
            break;
        }
        memcpy(v.base, chunk, sizeof(chunk));
        b->size += sizeof(chunk);
        if (sample && (b->size >= next_sample || b->capacity != last_cap)) {
            long a, f;
            if (read_status("RssAnon", &a) && a > g->peak_anon_kb)
                g->peak_anon_kb = a;
            if (read_status("RssFile", &f) && f > g->peak_file_kb)
                g->peak_file_kb = f;
            next_sample = b->size + (16 << 20);
            last_cap = b->capacity;
        }
    }
    g->seconds = (now_ns() - t0) / 1e9;
    buf_dispose(l, &b);
}

int main(int argc, char **argv)
{
    const char *ours_path = "/work/main/build/prefix/lib/libh2o-evloop.so";
    const char *debian_path = "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13";
    const char *tmpdir = "/tmp", *only = NULL;
    int rounds = 11, cycle_ms = 40, i, j, n = 0;
    size_t growth_mib = 1024, big_mib = 4096, stream_mib = 256;
    struct lib libs[2];

    for (i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--ours") && i + 1 < argc) ours_path = argv[++i];
        else if (!strcmp(argv[i], "--debian") && i + 1 < argc) debian_path = argv[++i];
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cycle-ms") && i + 1 < argc) cycle_ms = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--growth-mib") && i + 1 < argc) growth_mib = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--big-mib") && i + 1 < argc) big_mib = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--stream-mib") && i + 1 < argc) stream_mib = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--tmpdir") && i + 1 < argc) tmpdir = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--ours PATH] [--debian PATH] [--rounds N] [--cycle-ms MS] [--growth-mib N] "
                            "[--big-mib N] [--stream-mib N] [--tmpdir DIR] [--only a|b|c|d]\n", argv[0]);
            return 2;
        }
    }
    if (lib_open(&libs[n], "ours", ours_path, tmpdir) == 0)
        ++n;
    else
        fprintf(stderr, "(continuing without ours)\n");
    if (lib_open(&libs[n], "debian", debian_path, tmpdir) == 0)
        ++n;
    if (n == 0)
        return 1;
    for (j = 0; j < n; ++j)
        printf("%-6s %s\n", libs[j].label, libs[j].path);

    if (only == NULL || !strcmp(only, "a")) {
        double *ns[2];
        long iters[2];
        for (j = 0; j < n; ++j) {
            /* calibrate: one round ~cycle_ms */
            double t = cycle_once(&libs[j], 100000);
            iters[j] = (long)(cycle_ms * 1e6 / t);
            if (iters[j] < 1000)
                iters[j] = 1000;
            ns[j] = calloc(rounds, sizeof(double));
        }
        for (i = 0; i < rounds; ++i)
            for (j = 0; j < n; ++j) {
                int k = (i % 2) ? n - 1 - j : j; /* alternate the order between rounds */
                ns[k][i] = cycle_once(&libs[k], iters[k]);
            }
        printf("\n(a) reserve(128) + write 128 B + consume(128), median of %d rounds\n", rounds);
        for (j = 0; j < n; ++j)
            printf("  %-6s %7.2f ns/cycle  (%.1fM cycles/s)\n", libs[j].label, median(ns[j], rounds),
                   1e3 / median(ns[j], rounds));
        if (n == 2)
            printf("  ours/debian speed: %.2fx (above 1: ours faster)\n", median(ns[1], rounds) / median(ns[0], rounds));
    }

    if (only == NULL || !strcmp(only, "d")) {
        double *ns[2];
        for (j = 0; j < n; ++j)
            ns[j] = calloc(rounds, sizeof(double));
        for (i = 0; i < rounds; ++i)
            for (j = 0; j < n; ++j) {
                int k = (i % 2) ? n - 1 - j : j;
                ns[k][i] = stream_once(&libs[k], stream_mib << 20);
            }
        printf("\n(d) stream: reserve(128) + write 128 B, consume all but 64 B past 1 KiB; %zu MiB a round, median of %d rounds\n",
               stream_mib, rounds);
        for (j = 0; j < n; ++j)
            printf("  %-6s %7.2f ns/write  (%.0f MiB/s)\n", libs[j].label, median(ns[j], rounds),
                   128 / median(ns[j], rounds) * 1e9 / (1 << 20));
        if (n == 2)
            printf("  ours/debian speed: %.2fx (above 1: ours faster)\n", median(ns[1], rounds) / median(ns[0], rounds));
    }

    if (only == NULL || !strcmp(only, "b")) {
        int r = rounds < 5 ? rounds : 5;
        double *mbs[2];
        for (j = 0; j < n; ++j)
            mbs[j] = calloc(r, sizeof(double));
        for (i = 0; i < r; ++i)
            for (j = 0; j < n; ++j) {
                int k = (i % 2) ? n - 1 - j : j;
                struct growth g;
                grow(&libs[k], growth_mib << 20, 0, &g);
                mbs[k][i] = g.failed ? 0 : growth_mib / g.seconds;
            }
        printf("\n(b) growth from empty to %zu MiB in 16 KiB appends (mmap threshold 32 MiB, %s), median of %d rounds\n",
               growth_mib, tmpdir, r);
        for (j = 0; j < n; ++j)
            printf("  %-6s %8.0f MiB/s  (%.3f s)\n", libs[j].label, median(mbs[j], r), growth_mib / median(mbs[j], r));
        if (n == 2)
            printf("  ours/debian throughput: %.2fx\n", median(mbs[0], r) / median(mbs[1], r));
    }

    if (only == NULL || !strcmp(only, "c")) {
        printf("\n(c) growth to %zu MiB in 16 KiB appends, each library in a forked child\n", big_mib);
        for (j = 0; j < n; ++j) {
            int fds[2], status;
            struct growth g;
            pid_t pid;
            if (pipe(fds) != 0)
                return 1;
            if ((pid = fork()) == 0) {
                close(fds[0]);
                grow(&libs[j], big_mib << 20, 1, &g);
                if (write(fds[1], &g, sizeof(g)) != (ssize_t)sizeof(g))
                    _exit(1);
                _exit(0);
            }
            close(fds[1]);
            memset(&g, 0, sizeof(g));
            if (read(fds[0], &g, sizeof(g)) != (ssize_t)sizeof(g))
                g.failed = 1;
            close(fds[0]);
            waitpid(pid, &status, 0);
            printf("  %-6s %s peak RssAnon %6.1f MiB (%.1f MiB before), peak RssFile %7.1f MiB, %.2f s (%.0f MiB/s)\n",
                   libs[j].label, g.failed ? "FAILED" : "", g.peak_anon_kb / 1024.0, g.base_anon_kb / 1024.0,
                   g.peak_file_kb / 1024.0, g.seconds, big_mib / g.seconds);
        }
    }
    return 0;
}
