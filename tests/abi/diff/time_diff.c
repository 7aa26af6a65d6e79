/*
 * Differential test of h2o/time_.h: our library against Debian's libh2o-evloop 2.2.5, both
 * dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   time-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * 1. h2o_time2str_rfc1123 on gmtime() of ITERATIONS times from 1970 to the end of 9999 (both
 *    libraries refuse a date whose year has five digits; 2.2.5 aborts) (and the edges of the
 *    epoch, leap days, the last second of years): the same 30 bytes (date and NUL);
 * 2. h2o_time2str_log on the same times under TZ=UTC, TZ=Asia/Tokyo (+0900), TZ=America/St_Johns
 *    (-0330/-0230) and TZ=Asia/Kathmandu (+0545): the same 27 bytes;
 * 3. h2o_time_parse_rfc1123 on every date string of step 1, on each with one byte changed (every
 *    position, several values), on lengths 28/30, and on random strings: the same return value,
 *    and on success the same year, month, day, hour, minute and second (the other fields of the
 *    struct tm are left alone by both).
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <time.h>

#include "diff.h"

struct lib {
    void (*rfc1123)(char *, struct tm *);
    void (*log)(char *, time_t);
    int (*parse)(const char *, size_t, struct tm *);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->rfc1123, "h2o_time2str_rfc1123");
    DIFF_SYM(h, path, l->log, "h2o_time2str_log");
    DIFF_SYM(h, path, l->parse, "h2o_time_parse_rfc1123");
    return 0;
}

static struct lib ours, deb;

static void cmp_parse(const char *s, size_t len)
{
    struct tm a, b;
    int ra, rb;
    memset(&a, 0x5a, sizeof(a));
    memset(&b, 0x5a, sizeof(b));
    ra = ours.parse(s, len, &a);
    rb = deb.parse(s, len, &b);
    CHECK(ra == rb, "h2o_time_parse_rfc1123(\"%.*s\"): ours %d, 2.2.5 %d", (int)len, s, ra, rb);
    if (ra == 0 && rb == 0)
        CHECK(a.tm_year == b.tm_year && a.tm_mon == b.tm_mon && a.tm_mday == b.tm_mday && a.tm_hour == b.tm_hour &&
                  a.tm_min == b.tm_min && a.tm_sec == b.tm_sec,
              "h2o_time_parse_rfc1123(\"%.*s\"): ours %d-%d-%d %d:%d:%d, 2.2.5 %d-%d-%d %d:%d:%d", (int)len, s, a.tm_year,
              a.tm_mon, a.tm_mday, a.tm_hour, a.tm_min, a.tm_sec, b.tm_year, b.tm_mon, b.tm_mday, b.tm_hour, b.tm_min,
              b.tm_sec);
}

static void one_time(time_t t, int with_parse)
{
    static const char *const zones[] = {"UTC", "Asia/Tokyo", "America/St_Johns", "Asia/Kathmandu"};
    char a[64], b[64];
    struct tm gmt;
    size_t i, pos;

    if (gmtime_r(&t, &gmt) == NULL)
        return;
    memset(a, 'x', sizeof(a));
    memset(b, 'x', sizeof(b));
    ours.rfc1123(a, &gmt);
    deb.rfc1123(b, &gmt);
    CHECK(memcmp(a, b, 30) == 0 && memcmp(a + 30, b + 30, 4) == 0, "h2o_time2str_rfc1123(%lld): ours \"%.30s\", 2.2.5 \"%.30s\"",
          (long long)t, a, b);
    for (i = 0; i != sizeof(zones) / sizeof(zones[0]); ++i) {
        char la[64], lb[64];
        setenv("TZ", zones[i], 1);
        tzset();
        memset(la, 'x', sizeof(la));
        memset(lb, 'x', sizeof(lb));
        ours.log(la, t);
        deb.log(lb, t);
        CHECK(memcmp(la, lb, 27) == 0 && memcmp(la + 27, lb + 27, 4) == 0, "h2o_time2str_log(%lld, TZ=%s): ours \"%.27s\", 2.2.5 \"%.27s\"",
              (long long)t, zones[i], la, lb);
    }
    if (!with_parse)
        return;
    cmp_parse(b, 29);
    cmp_parse(b, 28);
    cmp_parse(b, 30);
    for (pos = 0; pos != 29; ++pos) {
        static const char repl[] = {'0', '9', 'a', ' ', ':', '/', '\0', (char)0xff};
        char m[29];
        for (i = 0; i != sizeof(repl); ++i) {
            memcpy(m, b, 29);
            m[pos] = repl[i];
            cmp_parse(m, 29);
        }
    }
}

int main(int argc, char **argv)
{
    static const long long edges[] = {0, 1, 59, 60, 86399, 86400, 951782400 /* 2000-02-29 */, 946684799, 2147483647,
                                      2147483648LL, 4102444800LL /* 2100-01-01 */, 253402214399LL /* 9999-12-30 23:59:59: one day short of the end, so that local time in +14:00 zones stays within four-digit years */};
    unsigned long iterations, i;

    DIFF_SETUP(load, ours, deb, parse, 20000, iterations);
    for (i = 0; i != sizeof(edges) / sizeof(edges[0]); ++i)
        one_time((time_t)edges[i], 1);
    for (i = 0; i != iterations; ++i) {
        long long t = (long long)(((uint64_t)rnd() << 32 | rnd()) % 253402214400ULL);
        one_time((time_t)t, i % 10 == 0);
    }
    /* random strings of date length over the characters dates use */
    for (i = 0; i != iterations; ++i) {
        static const char alphabet[] = "0123456789 :,JanFebMarAprMayJunJulAugSepOctNovDecGMTSunMon";
        char s[29];
        size_t k;
        for (k = 0; k != sizeof(s); ++k)
            s[k] = alphabet[rnd() % (sizeof(alphabet) - 1)];
        cmp_parse(s, sizeof(s));
    }
    printf("time-diff: %lu checks, %lu mismatches\n", checks, failures);
    return failures != 0;
}
