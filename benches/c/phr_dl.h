/*
 * Loads the phr_* functions of one shared library with dlopen(RTLD_LOCAL | RTLD_NOW), so that two
 * implementations (ours and Debian's libh2o-evloop 2.2.5) can be called side by side in one process.
 */
#ifndef PHR_DL_H
#define PHR_DL_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define DEFAULT_OURS "/work/main/target/release/libh2o_rs.so"
#define DEFAULT_DEBIAN "/usr/lib/x86_64-linux-gnu/libh2o-evloop.so.0.13"

/* The API as both versions share it (struct phr_header has not changed since 2.2.5). */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/* 2.2.5's decoder struct; ours takes it through the same exported symbol. */
struct phr_chunked_decoder_16 {
    size_t bytes_left_in_chunk;
    char consume_trailer;
    char _hex_count;
    char _state;
};

typedef int (*parse_request_fn)(const char *, size_t, const char **, size_t *, const char **, size_t *, int *,
                                struct phr_header *, size_t *, size_t);
typedef int (*parse_response_fn)(const char *, size_t, int *, int *, const char **, size_t *, struct phr_header *, size_t *,
                                 size_t);
typedef int (*parse_headers_fn)(const char *, size_t, struct phr_header *, size_t *, size_t);
typedef ssize_t (*decode_chunked_fn)(struct phr_chunked_decoder_16 *, char *, size_t *);

struct phr_lib {
    const char *label;
    char path[PATH_MAX];
    void *handle;
    parse_request_fn parse_request;
    parse_response_fn parse_response;
    parse_headers_fn parse_headers;
    decode_chunked_fn decode_chunked;
};

/* Resolves symlinks (libfoo.so.0.13 -> libfoo.so.0.13.5), dlopens, and looks the symbols up. */
static int phr_lib_open(struct phr_lib *lib, const char *label, const char *path)
{
    memset(lib, 0, sizeof(*lib));
    lib->label = label;
    if (realpath(path, lib->path) == NULL) {
        fprintf(stderr, "%s: cannot resolve %s\n", label, path);
        return -1;
    }
    if ((lib->handle = dlopen(lib->path, RTLD_LOCAL | RTLD_NOW)) == NULL) {
        fprintf(stderr, "%s: dlopen(%s): %s\n", label, lib->path, dlerror());
        return -1;
    }
    lib->parse_request = (parse_request_fn)dlsym(lib->handle, "phr_parse_request");
    lib->parse_response = (parse_response_fn)dlsym(lib->handle, "phr_parse_response");
    lib->parse_headers = (parse_headers_fn)dlsym(lib->handle, "phr_parse_headers");
    lib->decode_chunked = (decode_chunked_fn)dlsym(lib->handle, "phr_decode_chunked");
    if (!lib->parse_request || !lib->parse_response || !lib->parse_headers || !lib->decode_chunked) {
        fprintf(stderr, "%s: %s lacks a phr_* symbol\n", label, lib->path);
        return -1;
    }
    return 0;
}

#endif
