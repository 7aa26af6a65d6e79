/*
 * The TLS surface a 2.2.5 embedder links before libh2o-rs has TLS: the protocol lists
 * h2o_http2_alpn_protocols / h2o_alpn_protocols (NULL-terminated h2o_iovec_t arrays) and
 * h2o_http2_npn_protocols / h2o_npn_protocols (NPN wire-form strings), data objects this program
 * copy-relocates, with 2.2.5's values; h2o_ssl_register_alpn_protocols / _npn_protocols on a real
 * SSL_CTX (libssl is dlopen()ed so that the program needs no OpenSSL at link time): no crash on
 * either library; on ours a notice on stderr, once for both calls, and the context left alone.
 */
#include "abi_test.h"

#include <fcntl.h>
#include <stdint.h>

#include <h2o.h>
#include <h2o/http2.h>

static void check_alpn(const char *name, const h2o_iovec_t *list, const char *const *want)
{
    size_t i;
    for (i = 0; want[i] != NULL; ++i) {
        CHECK(list[i].base != NULL, "%s[%zu] ends early", name, i);
        if (list[i].base == NULL)
            return;
        CHECK_STR(list[i].base, list[i].len, want[i]);
    }
    CHECK(list[i].base == NULL && list[i].len == 0, "%s[%zu] is not the {NULL, 0} end", name, i);
}

int main(int argc, char **argv)
{
    static const char *const h2[] = {"h2", "h2-16", "h2-14", NULL};
    static const char *const all[] = {"h2", "h2-16", "h2-14", "http/1.1", NULL};
    struct abi_fn fns[] = {ABI_FN(h2o_ssl_register_alpn_protocols), ABI_FN(h2o_ssl_register_npn_protocols)};
    int debian = argc >= 2 && strcmp(argv[1], "--expect-debian") == 0;
    void *libssl, *ssl_ctx;
    void *(*method)(void), *(*ctx_new)(void *), (*ctx_free)(void *);
    char logpath[] = "/tmp/abi-tls-XXXXXX", logbuf[2048];
    int logfd, saved_stderr;
    ssize_t n;
    const char *p;
    int notices = 0;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    check_alpn("h2o_http2_alpn_protocols", h2o_http2_alpn_protocols, h2);
    check_alpn("h2o_alpn_protocols", h2o_alpn_protocols, all);
    CHECK(strcmp(h2o_http2_npn_protocols, "\x02h2\x05h2-16\x05h2-14") == 0, "h2o_http2_npn_protocols");
    CHECK(strcmp(h2o_npn_protocols, "\x02h2\x05h2-16\x05h2-14\x08http/1.1") == 0, "h2o_npn_protocols");

    if ((libssl = dlopen("libssl.so.3", RTLD_NOW)) == NULL) {
        fprintf(stderr, "FAIL: dlopen(libssl.so.3): %s\n", dlerror());
        return 1;
    }
    *(void **)&method = dlsym(libssl, "TLS_server_method");
    *(void **)&ctx_new = dlsym(libssl, "SSL_CTX_new");
    *(void **)&ctx_free = dlsym(libssl, "SSL_CTX_free");
    CHECK(method != NULL && ctx_new != NULL && ctx_free != NULL, "libssl symbols");
    if (method == NULL || ctx_new == NULL || ctx_free == NULL)
        return abi_report("test_tls");
    ssl_ctx = ctx_new(method());
    CHECK(ssl_ctx != NULL, "SSL_CTX_new");

    /* stderr into a file while registering, to count the notices */
    fflush(stderr);
    logfd = mkstemp(logpath);
    saved_stderr = dup(2);
    dup2(logfd, 2);
    h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_alpn_protocols);
    h2o_ssl_register_npn_protocols(ssl_ctx, h2o_npn_protocols);
    h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    n = pread(logfd, logbuf, sizeof(logbuf) - 1, 0);
    logbuf[n > 0 ? n : 0] = '\0';
    close(logfd);
    unlink(logpath);
    for (p = logbuf; (p = strstr(p, "TLS is not provided yet")) != NULL; ++p)
        ++notices;
    if (debian)
        CHECK(notices == 0 && logbuf[0] == '\0', "Debian's library logs nothing: [%s]", logbuf);
    else
        CHECK(notices == 1, "one notice for three calls, got %d: [%s]", notices, logbuf);

    ctx_free(ssl_ctx);
    return abi_report("test_tls");
}
