/*
 * Source compatibility (COMPAT.md level 1): a program written for the libh2o 2.2.5 embedding API,
 * the way libh2o's own example and dnsdist use it (handlers, generator, response headers, error
 * helpers, file and access-log handlers, context, accept, TLS registration when the headers offer
 * it, an evloop listener), must compile against our installed headers alone, with -Wall -Wextra
 * -Werror. Compile only: it calls functions libh2o-rs does not provide yet, so it is not linked.
 * (When those land, move it to relink/ and run it.)
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
static h2o_accept_ctx_t accept_ctx;

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
    else
        h2o_send_inline(req, buf, strlen(buf));
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    if ((sock = h2o_evloop_socket_accept(listener)) == NULL)
        return;
    h2o_accept(&accept_ctx, sock);
}

static h2o_pathconf_t *register_handler(h2o_hostconf_t *hostconf, const char *path, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(hostconf, path, 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    return pathconf;
}

int main(void)
{
    struct sockaddr_in addr;
    int fd, on = 1;
    h2o_hostconf_t *hostconf;
    h2o_access_log_filehandle_t *log;
    h2o_socket_t *sock;

    signal(SIGPIPE, SIG_IGN);
    h2o_config_init(&config);
    config.server_name = h2o_iovec_init(H2O_STRLIT("embedder"));
    config.max_request_entity_size = 1024 * 1024;
    config.http1.req_timeout = 5000;
    config.http2.idle_timeout = 5000;
    hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    register_handler(hostconf, "/stream", on_stream);
    register_handler(hostconf, "/echo", on_echo);
    h2o_reproxy_register(register_handler(hostconf, "/misc", on_misc));
    h2o_file_register(h2o_config_register_path(hostconf, "/", 0), "htdocs", NULL, NULL, 0);
    if ((log = h2o_access_log_open_handle("/dev/stdout", NULL, H2O_LOGCONF_ESCAPE_APACHE)) != NULL)
        h2o_access_log_register(&hostconf->fallback_path, log);

    h2o_context_init(&ctx, h2o_evloop_create(), &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    accept_ctx.libmemcached_receiver = &receiver;
    accept_ctx.ssl_ctx = SSL_CTX_new(SSLv23_server_method());
#if H2O_USE_NPN
    h2o_ssl_register_npn_protocols(accept_ctx.ssl_ctx, h2o_http2_npn_protocols);
#endif
#if H2O_USE_ALPN
    h2o_ssl_register_alpn_protocols(accept_ctx.ssl_ctx, h2o_http2_alpn_protocols);
#endif

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(0x7f000001);
    addr.sin_port = htons(7890);
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
        fprintf(stderr, "listen: %s\n", strerror(errno));
        return 1;
    }
    sock = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(sock, on_accept);
    while (h2o_evloop_run(ctx.loop, INT32_MAX) == 0 && !ctx.shutdown_requested)
        ;
    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    return 0;
}
