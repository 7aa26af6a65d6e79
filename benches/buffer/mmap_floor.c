/*
 * The floor under benchmark (b) of buffer-bench: how fast can 1 GiB be written, in 16 KiB memcpy()s,
 * into memory that is fresh to the process?
 *   mode 0: one anonymous private mapping (what a malloc'ed Vec grows into, 4 KiB pages unless THP);
 *   mode 1: a shared mapping of an unlinked temp file sized with posix_fallocate (the mmap path of
 *           h2o_buffer_t, minus all bookkeeping: no growth steps, no copies);
 *   mode 2: as 1, with MADV_POPULATE_WRITE ahead of every 64 MiB;
 *   mode 3: as 1, the mapping placed on a 2 MiB boundary and MADV_HUGEPAGE'd (a tmpfs mounted with
 *           huge=always or huge=advise can then back it with huge pages; elsewhere it changes nothing).
 *   mmap-floor MODE [TMPDIR]     (prints seconds and MiB/s)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int mode = argc > 1 ? atoi(argv[1]) : 1;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    size_t total = (size_t)1 << 30, chunk = 16384, step = (size_t)64 << 20, off;
    static char src[16384];
    char path[4096];
    char *p;
    int fd = -1;

    memset(src, 'a', sizeof(src));
    snprintf(path, sizeof(path), "%s/mmap-floor.XXXXXX", dir);
    double t0 = now();
    if (mode == 0) {
        p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else {
        if ((fd = mkstemp(path)) == -1) {
            perror("mkstemp");
            return 1;
        }
        unlink(path);
        if (posix_fallocate(fd, 0, total) != 0 && ftruncate(fd, total) != 0) {
            perror("posix_fallocate/ftruncate");
            return 1;
        }
        if (mode == 3) {
            /* reserve 2 MiB more address space than needed, then map the file at the aligned address inside */
            size_t huge = (size_t)2 << 20;
            char *area = mmap(NULL, total + huge, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (area == MAP_FAILED) {
                perror("mmap");
                return 1;
            }
            char *aligned = (char *)(((unsigned long)area + huge - 1) & ~(huge - 1));
            p = mmap(aligned, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
            madvise(p, total, MADV_HUGEPAGE);
        } else {
            p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        }
    }
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (off = 0; off < total; off += chunk) {
        if (mode == 2 && off % step == 0)
            madvise(p + off, step, MADV_POPULATE_WRITE);
        memcpy(p + off, src, chunk);
    }
    double t1 = now();
    printf("mode %d: %.3f s, %.0f MiB/s\n", mode, t1 - t0, 1024 / (t1 - t0));
    munmap(p, total);
    if (fd != -1)
        close(fd);
    return 0;
}
