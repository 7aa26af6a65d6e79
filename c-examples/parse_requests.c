/*
 * parse-requests: reads HTTP/1.x requests from a file (or stdin) and prints what picohttpparser
 * finds in each: method, path, version and headers, or the error and its byte offset.
 *
 *   parse-requests [-c CHUNK] [FILE]     (FILE "-" or no FILE: standard input)
 *
 * The requests may follow each other back to back (pipelined). The input is read in pieces of
 * CHUNK bytes (default 4096; -c 1 feeds one byte at a time) as a server would read a socket, and
 * phr_parse_request is called again after each read with last_len = the length of the previous
 * attempt, so a head is parsed once it is complete. A request's body is skipped when it has a
 * Content-Length (chunked bodies are not handled by this demo: it stops there).
 *
 * Exit status: 0 if every request parsed, 1 if one was invalid or the input ended mid-request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <picohttpparser.h>

#define MAX_HEADERS 100
#define MAX_HEAD (64 * 1024) /* a head larger than this is refused, as servers do */

static void print_str(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; ++i) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            putchar(c);
        else
            printf("\\x%02x", c);
    }
}

/* Content-Length of the request, 0 if absent; -1 if invalid or with Transfer-Encoding. */
static long long body_length(const struct phr_header *h, size_t n)
{
    long long len = 0;
    size_t i;
    for (i = 0; i < n; ++i) {
        if (h[i].name == NULL)
            continue;
        if (h[i].name_len == 17 && strncasecmp(h[i].name, "transfer-encoding", 17) == 0)
            return -1;
        if (h[i].name_len == 14 && strncasecmp(h[i].name, "content-length", 14) == 0) {
            size_t k;
            if (h[i].value_len == 0 || h[i].value_len > 15)
                return -1;
            for (len = 0, k = 0; k < h[i].value_len; ++k) {
                if (h[i].value[k] < '0' || h[i].value[k] > '9')
                    return -1;
                len = len * 10 + (h[i].value[k] - '0');
            }
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    const char *path = "-";
    size_t chunk = 4096, cap = 64 * 1024, len = 0, start = 0, last_len = 0;
    unsigned long long consumed = 0; /* bytes of the input before buf[start] */
    unsigned nreq = 0;
    int opt_i, eof = 0, status = 0;
    char *buf;
    FILE *in = stdin;

    for (opt_i = 1; opt_i < argc; ++opt_i) {
        if (strcmp(argv[opt_i], "-c") == 0 && opt_i + 1 < argc) {
            chunk = (size_t)strtoul(argv[++opt_i], NULL, 10);
            if (chunk == 0)
                chunk = 1;
        } else if (strcmp(argv[opt_i], "-h") == 0 || strcmp(argv[opt_i], "--help") == 0) {
            fprintf(stderr, "usage: %s [-c CHUNK] [FILE]\n", argv[0]);
            return 0;
        } else {
            path = argv[opt_i];
        }
    }
    if (strcmp(path, "-") != 0 && (in = fopen(path, "rb")) == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return 2;
    }
    if ((buf = malloc(cap)) == NULL)
        return 2;

    for (;;) {
        const char *method, *rpath;
        size_t method_len, path_len, num_headers = MAX_HEADERS, i;
        int minor_version, r;
        struct phr_header headers[MAX_HEADERS];

        if (start == len && eof)
            break; /* every request parsed */

        r = phr_parse_request(buf + start, len - start, &method, &method_len, &rpath, &path_len, &minor_version, headers,
                              &num_headers, last_len);
        if (r > 0) {
            long long body = body_length(headers, num_headers), body_total = body;
            printf("request %u at offset %llu (%d bytes of head)\n", ++nreq, consumed, r);
            printf("  method:  ");
            print_str(method, method_len);
            printf("\n  path:    ");
            print_str(rpath, path_len);
            printf("\n  version: HTTP/1.%d\n  headers: %zu\n", minor_version, num_headers);
            for (i = 0; i < num_headers; ++i) {
                printf("    ");
                if (headers[i].name != NULL) {
                    print_str(headers[i].name, headers[i].name_len);
                    printf(": ");
                } else {
                    printf("(continuation) ");
                }
                print_str(headers[i].value, headers[i].value_len);
                putchar('\n');
            }
            if (body < 0) {
                printf("  body:    chunked or invalid Content-Length; this demo stops here\n");
                break;
            }
            /* skip the head, then the body (reading more input if needed) */
            start += (size_t)r;
            consumed += (unsigned long long)r;
            while ((unsigned long long)(len - start) < (unsigned long long)body && !eof) {
                size_t n;
                body -= (long long)(len - start);
                consumed += len - start;
                start = len = 0;
                n = fread(buf, 1, cap < chunk ? cap : chunk, in);
                if (n == 0)
                    eof = 1;
                len = n;
            }
            if ((unsigned long long)(len - start) < (unsigned long long)body) {
                printf("  body:    input ended %lld bytes before the end of the body\n", body - (long long)(len - start));
                status = 1;
                break;
            }
            if (body_total > 0)
                printf("  body:    %lld bytes\n", body_total);
            start += (size_t)body;
            consumed += (unsigned long long)body;
            last_len = 0;
            continue;
        }
        if (r == -1) {
            printf("request %u at offset %llu: invalid (parse error within bytes %llu..%llu)\n", ++nreq, consumed, consumed,
                   consumed + (len - start));
            status = 1;
            break;
        }
        /* r == -2: the head is incomplete; read more */
        if (eof) {
            printf("request %u at offset %llu: incomplete at end of input (%zu bytes of a head)\n", ++nreq, consumed,
                   len - start);
            status = 1;
            break;
        }
        if (len - start >= MAX_HEAD) {
            printf("request %u at offset %llu: head larger than %d bytes\n", ++nreq, consumed, MAX_HEAD);
            status = 1;
            break;
        }
        last_len = len - start;
        if (start > 0) { /* move the partial head to the front */
            memmove(buf, buf + start, len - start);
            len -= start;
            start = 0;
        }
        {
            size_t want = chunk < cap - len ? chunk : cap - len;
            size_t n = fread(buf + len, 1, want, in);
            if (n == 0)
                eof = 1;
            len += n;
        }
    }
    printf("%u request(s)\n", nreq);
    free(buf);
    if (in != stdin)
        fclose(in);
    return status;
}
