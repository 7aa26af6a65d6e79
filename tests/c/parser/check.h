/* Small helpers shared by the parser tests: failure counting and printable dumps. */
#ifndef PARSER_TEST_CHECK_H
#define PARSER_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        ++check_count;                                                                                                 \
        if (!(cond)) {                                                                                                 \
            ++check_failures;                                                                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                       \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* Prints at most `max` bytes of s[0..len] with C escapes, for messages. */
static const char *show(const char *s, size_t len)
{
    static char bufs[4][512];
    static int which;
    char *out = bufs[which++ & 3], *p = out;
    size_t i;
    if (s == NULL)
        return "(null)";
    for (i = 0; i < len && p < out + sizeof(bufs[0]) - 8; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            *p++ = '\\', *p++ = 'r';
        } else if (c == '\n') {
            *p++ = '\\', *p++ = 'n';
        } else if (c == '\t') {
            *p++ = '\\', *p++ = 't';
        } else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
            p += sprintf(p, "\\x%02x", c);
        } else {
            *p++ = (char)c;
        }
    }
    if (i < len)
        *p++ = '.', *p++ = '.', *p++ = '.';
    *p = '\0';
    return out;
}

static int bytes_eq(const char *a, size_t alen, const char *b)
{
    if (a == NULL || b == NULL)
        return a == NULL && b == NULL;
    return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

static int check_report(const char *prog)
{
    const char *simd = getenv("H2O_RS_SIMD");
    if (check_failures != 0) {
        fprintf(stderr, "%s [H2O_RS_SIMD=%s]: %d of %d checks FAILED\n", prog, simd ? simd : "(default)", check_failures,
                check_count);
        return 1;
    }
    printf("%s [H2O_RS_SIMD=%s]: all %d checks passed\n", prog, simd ? simd : "(default)", check_count);
    return 0;
}

#endif
