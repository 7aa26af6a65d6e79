/*
 * phr-bench: phr_parse_request of two shared libraries, timed side by side in one process.
 *
 *   phr-bench [--ours PATH] [--debian PATH] [--rounds N] [--ms MS] [--simd]
 *
 * Defaults: ours = /work/main/target/release/libh2o_rs.so, the other = Debian's
 * /usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13 (symlinks resolved). Both are dlopen()ed with
 * RTLD_LOCAL | RTLD_NOW. Before timing, both must parse every request identically.
 *
 * For each request (and for the mix, which cycles through all four), the iteration count is
 * calibrated so that one round takes about MS milliseconds (default 20); then ROUNDS rounds (default
 * 10) run, each timing A then B (the order alternates between rounds). Reported: the median ns per
 * parse, parses/s, and the speed ratio ours/Debian (Debian's ns divided by ours). The last line
 * gives the geometric mean of the four per-request ratios and the measured mix ratio.
 *
 * --simd runs the whole benchmark once per H2O_RS_SIMD level (scalar, sse42, avx2, avx512), each in
 * a fresh process (the level is read once per process), then the default level.
 * Pinning (taskset -c 1 ./phr-bench) is left to the caller.
 */
#include "phr_dl.h"

#include <math.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "requests.h"

#define MAX_HEADERS 64
#define MAX_ROUNDS 101

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile long sink;

/* `which` < N_BENCH_REQUESTS: that request; == N_BENCH_REQUESTS: the mix (one of each in turn) */
static double run(const struct phr_lib *lib, size_t which, long iters)
{
    struct phr_header headers[MAX_HEADERS];
    const char *method, *path;
    size_t method_len, path_len, num_headers;
    int minor;
    long i, acc = 0;
    uint64_t t0 = now_ns(), t1;
    parse_request_fn parse = lib->parse_request;

    if (which < N_BENCH_REQUESTS) {
        const char *buf = bench_requests[which].text;
        size_t len = bench_requests[which].len;
        for (i = 0; i < iters; ++i) {
            num_headers = MAX_HEADERS;
            acc += parse(buf, len, &method, &method_len, &path, &path_len, &minor, headers, &num_headers, 0);
        }
    } else {
        for (i = 0; i < iters; ++i) {
            const struct bench_request *r = &bench_requests[i & 3];
            num_headers = MAX_HEADERS;
            acc += parse(r->text, r->len, &method, &method_len, &path, &path_len, &minor, headers, &num_headers, 0);
        }
    }
    t1 = now_ns();
    sink += acc;
    return (double)(t1 - t0) / (double)iters;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Both libraries must give the same result for every request: return value, method, path,
 * version, and every header (compared as offsets into the buffer, so the same bytes). */
static int same_results(const struct phr_lib *a, const struct phr_lib *b)
{
    size_t i, k;
    int ok = 1;
    for (i = 0; i < N_BENCH_REQUESTS; ++i) {
        const struct bench_request *r = &bench_requests[i];
        struct phr_header ha[MAX_HEADERS], hb[MAX_HEADERS];
        const char *ma, *mb, *pa, *pb;
        size_t mla, mlb, pla, plb, na = MAX_HEADERS, nb = MAX_HEADERS;
        int va, vb;
        int ra = a->parse_request(r->text, r->len, &ma, &mla, &pa, &pla, &va, ha, &na, 0);
        int rb = b->parse_request(r->text, r->len, &mb, &mlb, &pb, &plb, &vb, hb, &nb, 0);
        int same = ra == rb && ra == (int)r->len && ma == mb && mla == mlb && pa == pb && pla == plb && va == vb && na == nb;
        for (k = 0; same && k < na; ++k)
            same = ha[k].name == hb[k].name && ha[k].name_len == hb[k].name_len && ha[k].value == hb[k].value &&
                   ha[k].value_len == hb[k].value_len;
        if (!same) {
            fprintf(stderr, "request \"%s\": the libraries disagree (returns %d and %d, %zu and %zu headers)\n", r->name, ra,
                    rb, na, nb);
            ok = 0;
        }
    }
    return ok;
}

static int bench(const struct phr_lib *ours, const struct phr_lib *debian, int rounds, double round_ms)
{
    static const char *const mix_name = "mix (1-4 in turn)";
    double ns[2][MAX_ROUNDS], med[N_BENCH_REQUESTS + 1][2], log_sum = 0;
    const char *simd = getenv("H2O_RS_SIMD");
    char lenbuf[32];
    size_t w;

    if (!same_results(ours, debian))
        return 1;
    printf("\nours:   %s (H2O_RS_SIMD=%s)\ndebian: %s\n%d rounds, ~%.0f ms per round and library, interleaved\n\n",
           ours->path, simd ? simd : "unset: default level", debian->path, rounds, round_ms);
    printf("| request | bytes | ours ns/parse | ours parses/s | Debian ns/parse | Debian parses/s | ours/Debian |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (w = 0; w <= N_BENCH_REQUESTS; ++w) {
        long iters = 1000;
        int r, side;
        double t;
        /* calibrate on Debian's (the slower one, normally) so both run the same count */
        run(debian, w, iters);
        while ((t = run(debian, w, iters) * (double)iters) < round_ms * 1e6 / 4)
            iters *= 2;
        iters = (long)((double)iters * round_ms * 1e6 / t) + 1;
        for (r = 0; r < rounds; ++r) {
            if (r % 2 == 0) {
                ns[0][r] = run(ours, w, iters);
                ns[1][r] = run(debian, w, iters);
            } else {
                ns[1][r] = run(debian, w, iters);
                ns[0][r] = run(ours, w, iters);
            }
        }
        for (side = 0; side < 2; ++side)
            med[w][side] = median(ns[side], rounds);
        if (w < N_BENCH_REQUESTS)
            log_sum += log(med[w][1] / med[w][0]);
        snprintf(lenbuf, sizeof(lenbuf), "%zu", w < N_BENCH_REQUESTS ? bench_requests[w].len : 0);
        printf("| %s | %s | %.1f | %.2fM | %.1f | %.2fM | **%.2fx** |\n", w < N_BENCH_REQUESTS ? bench_requests[w].name : mix_name,
               w < N_BENCH_REQUESTS ? lenbuf : "-", med[w][0], 1e3 / med[w][0], med[w][1], 1e3 / med[w][1],
               med[w][1] / med[w][0]);
        fflush(stdout);
    }
    printf("\ngeometric mean of the four ratios: %.2fx; mix throughput: ours %.2fM parses/s, Debian %.2fM parses/s "
           "(%.2fx)\n",
           exp(log_sum / N_BENCH_REQUESTS), 1e3 / med[N_BENCH_REQUESTS][0], 1e3 / med[N_BENCH_REQUESTS][1],
           med[N_BENCH_REQUESTS][1] / med[N_BENCH_REQUESTS][0]);
    return 0;
}

/* --simd: the same benchmark in a child process per level */
static int sweep(char **argv)
{
    static const char *const levels[] = {"scalar", "sse42", "avx2", "avx512", NULL};
    int i, status, failed = 0;
    for (i = 0; i <= 4; ++i) {
        pid_t pid;
        printf("\n### H2O_RS_SIMD=%s\n", levels[i] ? levels[i] : "(unset: the default level)");
        fflush(stdout);
        if ((pid = fork()) == 0) {
            if (levels[i])
                setenv("H2O_RS_SIMD", levels[i], 1);
            else
                unsetenv("H2O_RS_SIMD");
            execv("/proc/self/exe", argv);
            perror("execv");
            _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    return failed;
}

int main(int argc, char **argv)
{
    const char *ours_path = DEFAULT_OURS, *debian_path = DEFAULT_DEBIAN;
    int rounds = 10, do_sweep = 0, i, n = 0;
    double round_ms = 20;
    struct phr_lib ours, debian;
    char **child_argv = calloc((size_t)argc + 1, sizeof(char *));

    child_argv[n++] = argv[0];
    for (i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--simd") == 0) {
            do_sweep = 1;
            continue;
        }
        child_argv[n++] = argv[i];
        if (strcmp(argv[i], "--ours") == 0 && i + 1 < argc)
            ours_path = child_argv[n++] = argv[++i];
        else if (strcmp(argv[i], "--debian") == 0 && i + 1 < argc)
            debian_path = child_argv[n++] = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(child_argv[n++] = argv[++i]);
        else if (strcmp(argv[i], "--ms") == 0 && i + 1 < argc)
            round_ms = atof(child_argv[n++] = argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--ours PATH] [--debian PATH] [--rounds N] [--ms MS] [--simd]\n", argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || rounds > MAX_ROUNDS || round_ms <= 0) {
        fprintf(stderr, "rounds must be 1..%d and ms > 0\n", MAX_ROUNDS);
        return 2;
    }
    if (do_sweep)
        return sweep(child_argv);
    if (phr_lib_open(&ours, "ours", ours_path) != 0 || phr_lib_open(&debian, "debian", debian_path) != 0)
        return 1;
    return bench(&ours, &debian, rounds, round_ms);
}
