/*
 * The TLS surface of 2.2.5 around an SSL_CTX: the protocol lists h2o_http2_alpn_protocols /
 * h2o_alpn_protocols (NULL-terminated h2o_iovec_t arrays) and h2o_http2_npn_protocols /
 * h2o_npn_protocols (NPN wire-form strings), data objects this program copy-relocates, with 2.2.5's
 * values; h2o_ssl_register_alpn_protocols / _npn_protocols on a real SSL_CTX (libssl is dlopen()ed
 * so that the program needs no OpenSSL at link time): no crash and nothing on stderr on either
 * library. Then a server with two listeners on 127.0.0.1, one through an accept context whose
 * ssl_ctx is that SSL_CTX (no certificate): a request sent there in clear text never gets an HTTP
 * answer and the connection closes (there is no certificate to serve TLS with), and the plain
 * listener answers before and after. One thread, every loop bounded. (TLS served from an SSL_CTX
 * with a certificate: e2e/tls_serve.c.)
 */
#include "abi_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* --- a plain and a TLS listener ---------------------------------------------------------------- */

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t plain_actx, tls_actx;
static int handled;

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    ++handled;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, H2O_STRLIT("plain ok\n"));
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(listener->data, sock);
}

static h2o_socket_t *listen_on(h2o_accept_ctx_t *actx, unsigned short *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    h2o_socket_t *sock;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
        return NULL;
    *port = ntohs(sin.sin_port);
    sock = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = actx;
    h2o_socket_read_start(sock, on_accept);
    return sock;
}

/* connects, sends `req`, then runs the loop until the server closes the connection (bounded: 300
 * turns of at most 10 ms); returns what came back (NUL-terminated, at most cap - 1 bytes) or -1 */
static ssize_t exchange(unsigned short port, const char *req, char *buf, size_t cap)
{
    struct sockaddr_in sin;
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0), turn, closed = 0;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || write(fd, req, strlen(req)) != (ssize_t)strlen(req))
        return -1;
    for (turn = 0; turn != 300 && !closed; ++turn) {
        ssize_t r;
        h2o_evloop_run(ctx.loop, 10);
        while ((r = recv(fd, buf + got, cap - 1 - got, MSG_DONTWAIT)) > 0 && got + 1 < cap)
            got += (size_t)r;
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            closed = 1;
    }
    close(fd);
    buf[got] = '\0';
    return closed ? (ssize_t)got : -1;
}

static void serve_plain_and_tls(void *ssl_ctx)
{
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    h2o_socket_t *plain, *tls;
    unsigned short plain_port = 0, tls_port = 0;
    char buf[4096];
    ssize_t n;
    int i;

    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(path, sizeof(h2o_handler_t))->on_req = on_req;
    h2o_context_init(&ctx, h2o_evloop_create(), &config);
    plain_actx.ctx = tls_actx.ctx = &ctx;
    plain_actx.hosts = tls_actx.hosts = config.hosts;
    tls_actx.ssl_ctx = ssl_ctx;
    plain = listen_on(&plain_actx, &plain_port);
    tls = listen_on(&tls_actx, &tls_port);
    CHECK(plain != NULL && tls != NULL, "listeners");
    if (plain == NULL || tls == NULL)
        return;

    n = exchange(plain_port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "HTTP/1.1 200 ", 13) == 0 && strstr(buf, "plain ok\n") != NULL, "plain before: [%s]", buf);
    for (i = 0; i != 2; ++i) {
        n = exchange(tls_port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", buf, sizeof(buf));
        CHECK(n >= 0, "the TLS listener's connection closes");
        CHECK(strncmp(buf, "HTTP/", 5) != 0, "no clear-text answer from the TLS listener: [%.40s]", buf);
    }
    n = exchange(plain_port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "HTTP/1.1 200 ", 13) == 0, "plain after: [%s]", buf);
    CHECK(handled == 2, "only the two plain requests reached the handler: %d", handled);

    h2o_socket_read_stop(plain);
    h2o_socket_close(plain);
    h2o_socket_read_stop(tls);
    h2o_socket_close(tls);
    /* let closed connections go; 2.2.5 may hold a one-second timer (see test_context) */
    for (i = 0; i != 30 && !h2o_linklist_is_empty(&ctx.one_sec_timeout._entries); ++i)
        h2o_evloop_run(ctx.loop, 100);
    for (i = 0; i != 5; ++i)
        h2o_evloop_run(ctx.loop, 10);
    {
        h2o_loop_t *loop = ctx.loop;
        h2o_context_dispose(&ctx);
        h2o_evloop_destroy(loop);
    }
    h2o_config_dispose(&config);
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

    /* stderr into a file while registering: nothing is said (libh2o-rs before TLS logged a notice) */
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
    CHECK(logbuf[0] == '\0', "%s library logs nothing: [%s]", debian ? "Debian's" : "our", logbuf);

    serve_plain_and_tls(ssl_ctx);

    ctx_free(ssl_ctx);
    return abi_report("test_tls");
}
