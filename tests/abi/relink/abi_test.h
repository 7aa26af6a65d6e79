/*
 * Shared helpers of the relink programs (tests/abi/relink/test_*.c).
 *
 * Every program is built twice by tests/abi/CMakeLists.txt: against our installed headers and
 * library, and against Debian's 2.2.5 headers and library (then run once on Debian's library, the
 * baseline, and once on ours through LD_LIBRARY_PATH). The first argument says which library must
 * serve the calls:  --expect-dir DIR  (our library, in DIR)  or  --expect-debian.
 * abi_check_origin() proves it with dladdr() on exported functions the program calls, and fails
 * the run otherwise, so a test can never pass on the wrong library.
 *
 * Programs use the 2.2.5 API only, so that they compile with both header sets.
 */
#ifndef ABI_TEST_H
#define ABI_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ABI_DEBIAN_LIB "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13"

static int abi_failures;
static int abi_checks;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        ++abi_checks;                                                                                                  \
        if (!(cond)) {                                                                                                 \
            ++abi_failures;                                                                                            \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                            \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* a checked string equality on (pointer, length) results */
#define CHECK_STR(base, len, want)                                                                                     \
    CHECK((len) == strlen(want) && ((len) == 0 || memcmp((base), (want), (len)) == 0), "got \"%.*s\" (%zu bytes), want \"%s\"", \
          (int)(len), (base) != NULL ? (const char *)(base) : "(null)", (size_t)(len), (want))

struct abi_fn {
    const char *name;
    void *addr;
};
#define ABI_FN(f) {#f, (void *)(f)}

static int abi_same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) != NULL && realpath(b, rb) != NULL && strcmp(ra, rb) == 0;
}

/* argv[1..2]: --expect-dir DIR | --expect-debian. Checks every function in fns[]. */
static int abi_check_origin(int argc, char **argv, const struct abi_fn *fns, size_t n)
{
    int debian;
    char want_dir[PATH_MAX], got[PATH_MAX];
    size_t i;

    if (argc >= 2 && strcmp(argv[1], "--expect-debian") == 0) {
        debian = 1;
    } else if (argc >= 3 && strcmp(argv[1], "--expect-dir") == 0) {
        debian = 0;
        if (realpath(argv[2], want_dir) == NULL) {
            fprintf(stderr, "FAIL: realpath(%s) failed\n", argv[2]);
            return 0;
        }
    } else {
        fprintf(stderr, "usage: %s --expect-dir DIR | --expect-debian\n", argv[0]);
        return 0;
    }
    for (i = 0; i < n; ++i) {
        Dl_info info;
        if (dladdr(fns[i].addr, &info) == 0 || info.dli_fname == NULL || realpath(info.dli_fname, got) == NULL) {
            fprintf(stderr, "FAIL: cannot tell which object holds %s\n", fns[i].name);
            return 0;
        }
        if (i == 0)
            printf("%s comes from %s\n", fns[i].name, got);
        if (debian) {
            if (!abi_same_file(got, ABI_DEBIAN_LIB)) {
                fprintf(stderr, "FAIL: %s comes from %s, not from Debian's %s\n", fns[i].name, got, ABI_DEBIAN_LIB);
                return 0;
            }
        } else {
            char *slash = strrchr(got, '/');
            if (abi_same_file(got, ABI_DEBIAN_LIB)) {
                fprintf(stderr, "FAIL: %s comes from Debian's library %s, not ours\n", fns[i].name, got);
                return 0;
            }
            if (slash != NULL)
                *slash = '\0';
            if (strcmp(got, want_dir) != 0) {
                fprintf(stderr, "FAIL: %s comes from %s/, expected our library in %s/\n", fns[i].name, got, want_dir);
                return 0;
            }
        }
    }
    return 1;
}

static int abi_report(const char *prog)
{
    printf("%s: %d checks, %d failed\n", prog, abi_checks, abi_failures);
    return abi_failures != 0;
}

/* --- /proc helpers ------------------------------------------------------------------------------ */

/* lines of /proc/self/maps naming a file under `dir`, and how many of those end in " (deleted)" */
__attribute__((unused)) static int abi_count_maps(const char *dir, int *deleted, size_t *mapped_bytes)
{
    FILE *fp = fopen("/proc/self/maps", "r");
    char line[PATH_MAX + 256];
    int n = 0;
    size_t dlen = strlen(dir);
    if (deleted != NULL)
        *deleted = 0;
    if (mapped_bytes != NULL)
        *mapped_bytes = 0;
    if (fp == NULL)
        return -1;
    while (fgets(line, sizeof(line), fp) != NULL) {
        char *path = strchr(line, '/');
        unsigned long lo, hi;
        size_t len = strlen(line);
        if (len != 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (path == NULL || strncmp(path, dir, dlen) != 0 || path[dlen] != '/')
            continue;
        ++n;
        if (deleted != NULL && len > 10 && strcmp(line + len - 10, " (deleted)") == 0)
            ++*deleted;
        if (mapped_bytes != NULL && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
            *mapped_bytes += hi - lo;
    }
    fclose(fp);
    return n;
}

/* open file descriptors whose target is under `dir` (deleted files included) */
__attribute__((unused)) static int abi_count_fds(const char *dir)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    size_t dlen = strlen(dir);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char p[300], target[PATH_MAX];
        ssize_t r;
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
        if ((r = readlink(p, target, sizeof(target) - 1)) < 0)
            continue;
        target[r] = '\0';
        if (strncmp(target, dir, dlen) == 0 && target[dlen] == '/')
            ++n;
    }
    closedir(d);
    return n;
}

/* number of directory entries (besides . and ..) in dir */
__attribute__((unused)) static int abi_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            ++n;
    closedir(d);
    return n;
}

#endif
