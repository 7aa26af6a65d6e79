/*
 * Source compatibility (COMPAT.md level 1) and a run: a program written for the libh2o 2.2.5
 * embedding API, the way libh2o's own example and dnsdist use it (handlers, generator, response
 * headers, error helpers, file and access-log handlers, reproxy, context, accept, TLS setup with
 * h2o_ssl_register_npn/alpn_protocols and the protocol lists, an evloop listener). It must compile
 * against our installed headers alone with -Wall -Wextra -Werror (abi-source-embedder*), and it is
 * linked and run too (abi-embedder-source*, driven by e2e/embedder_source.sh):
 *
 *   embedder DOCROOT     serves DOCROOT and the handlers on 127.0.0.1 (port 0) in plain HTTP, and
 *                        the same hosts through a TLS accept context on a second port; prints
 *                        "listening on http://127.0.0.1:P/ tls-port Q"; stops on SIGTERM.
 *
 * The TLS context has no certificate, so no TLS handshake can succeed: with Debian's 2.2.5 the
 * handshake fails, with libh2o-rs (no TLS yet) h2o_accept logs an error and closes the connection.
 * Either way the plain listener keeps working.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <h2o.h>
#include <h2o/http1.h>
#include <h2o/http2.h>
#include <h2o/memcached.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_multithread_receiver_t receiver;
static h2o_accept_ctx_t accept_ctx, tls_accept_ctx;

struct my_generator {
    h2o_generator_t super;
    int left;
};

static void proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct my_generator *g = (struct my_generator *)self;
    h2o_iovec_t chunk = h2o_iovec_init(H2O_STRLIT("chunk\n"));
    --g->left;
    h2o_send(req, &chunk, 1, g->left == 0 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stop(h2o_generator_t *self, h2o_req_t *req)
{
    (void)self;
    (void)req;
}

static int on_stream(h2o_handler_t *self, h2o_req_t *req)
{
    struct my_generator *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    (void)self;
    g->super.proceed = proceed;
    g->super.stop = stop;
    g->left = 3;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    h2o_start_response(req, &g->super);
    proceed(&g->super, req);
    return 0;
}

static int on_echo(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL};
    ssize_t cursor;
    (void)self;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")))
        return -1;
    if ((cursor = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1)) != -1)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, req->headers.entries[cursor].value.base,
                       req->headers.entries[cursor].value.len);
    if (h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-fail"), -1) != -1) {
        h2o_send_error_400(req, "Bad Request", "x-fail", H2O_SEND_ERROR_KEEP_HEADERS);
        return 0;
    }
    h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY, H2O_STRLIT("content-type"));
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = req->entity.len;
    h2o_start_response(req, &generator);
    h2o_send(req, &req->entity, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

static int on_misc(h2o_handler_t *self, h2o_req_t *req)
{
    char buf[64];
    socklen_t len;
    struct sockaddr_storage ss;
    h2o_iovec_t *env;
    (void)self;
    len = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    snprintf(buf, sizeof(buf), "%d %u %.*s %zu", req->version, (unsigned)len, (int)req->path_normalized.len, req->path_normalized.base,
             req->query_at);
    env = h2o_req_getenv(req, H2O_STRLIT("X"), 1);
    *env = h2o_strdup(&req->pool, buf, SIZE_MAX);
    if (req->scheme == &H2O_URL_SCHEME_HTTPS)
        h2o_send_redirect(req, 301, "Moved Permanently", H2O_STRLIT("http://example.com/"));
    else {
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_send_inline(req, buf, strlen(buf));
    }
    return 0;
}

static size_t num_connections;
static volatile sig_atomic_t stop_requested;

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

static void on_close(void *data)
{
    (void)data;
    --num_connections;
}

/* listener->data: the accept context of that listener (plain or TLS) */
static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL) {
        ++num_connections;
        sock->on_close.cb = on_close;
        sock->on_close.data = NULL;
        h2o_accept(listener->data, sock);
    }
}

static h2o_pathconf_t *register_handler(h2o_hostconf_t *hostconf, const char *path, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(hostconf, path, 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    return pathconf;
}

/* a listener on 127.0.0.1 (port 0) for `actx`; returns its port, 0 on error */
static unsigned short create_listener(h2o_accept_ctx_t *actx, h2o_socket_t **sock)
{
    struct sockaddr_in addr;
    socklen_t addrlen = sizeof(addr);
    int fd, on = 1;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000001);
    addr.sin_port = 0;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &addrlen) != 0) {
        fprintf(stderr, "listen: %s\n", strerror(errno));
        return 0;
    }
    *sock = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    (*sock)->data = actx;
    h2o_socket_read_start(*sock, on_accept);
    return ntohs(addr.sin_port);
}

int main(int argc, char **argv)
{
    unsigned short port, tls_port;
    h2o_hostconf_t *hostconf;
    h2o_access_log_filehandle_t *log;
    h2o_socket_t *sock, *tls_sock;
    h2o_loop_t *loop;
    uint64_t deadline;
    size_t i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DOCROOT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    alarm(120);
    h2o_config_init(&config);
    config.server_name = h2o_iovec_init(H2O_STRLIT("embedder"));
    config.max_request_entity_size = 1024 * 1024;
    config.http1.req_timeout = 5000;
    config.http2.idle_timeout = 5000;
    hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    register_handler(hostconf, "/stream", on_stream);
    register_handler(hostconf, "/echo", on_echo);
    h2o_reproxy_register(register_handler(hostconf, "/misc", on_misc));
    h2o_file_register(h2o_config_register_path(hostconf, "/", 0), argv[1], NULL, NULL, 0);
    if ((log = h2o_access_log_open_handle("/dev/stdout", NULL, H2O_LOGCONF_ESCAPE_APACHE)) != NULL) {
        for (i = 0; i != hostconf->paths.size; ++i)
            h2o_access_log_register(hostconf->paths.entries + i, log);
        h2o_access_log_register(&hostconf->fallback_path, log);
        h2o_mem_release_shared(log); /* the loggers hold their own references */
    }

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    accept_ctx.libmemcached_receiver = &receiver;

    /* the same hosts behind TLS (2.2.5's setup sequence; no certificate is loaded) */
    tls_accept_ctx = accept_ctx;
    tls_accept_ctx.ssl_ctx = SSL_CTX_new(SSLv23_server_method());
#if H2O_USE_NPN
    h2o_ssl_register_npn_protocols(tls_accept_ctx.ssl_ctx, h2o_http2_npn_protocols);
#endif
#if H2O_USE_ALPN
    h2o_ssl_register_alpn_protocols(tls_accept_ctx.ssl_ctx, h2o_http2_alpn_protocols);
#endif

    if ((port = create_listener(&accept_ctx, &sock)) == 0 || (tls_port = create_listener(&tls_accept_ctx, &tls_sock)) == 0)
        return 1;
    printf("listening on http://127.0.0.1:%u/ tls-port %u\n", port, tls_port);
    fflush(stdout);
    while (!stop_requested && !ctx.shutdown_requested)
        h2o_evloop_run(ctx.loop, 100);

    h2o_socket_read_stop(sock);
    h2o_socket_close(sock);
    h2o_socket_read_stop(tls_sock);
    h2o_socket_close(tls_sock);
    h2o_context_request_shutdown(&ctx);
    deadline = h2o_now(loop) + 10000;
    while (num_connections != 0 && h2o_now(loop) < deadline)
        h2o_evloop_run(loop, 100);
    while (!h2o_linklist_is_empty(&ctx.one_sec_timeout._entries) && h2o_now(loop) < deadline + 2000)
        h2o_evloop_run(loop, 100);
    if (num_connections != 0)
        return 1;
    h2o_context_dispose(&ctx);
    h2o_evloop_destroy(loop);
    h2o_config_dispose(&config);
    SSL_CTX_free(tls_accept_ctx.ssl_ctx);
    fprintf(stderr, "stopped\n");
    return 0;
}
