/*
 * A 2.2.5-style embedder for h2c_curl.sh: HTTP/1.1 and HTTP/2 over cleartext on one plain listener
 * (h2o_accept: HTTP/1 first, HTTP/2 by prior knowledge or Upgrade: h2c, as 2.2.5). Serves on
 * 127.0.0.1 (port 0; the port is written to argv[1]) until /quit or argv[2] seconds have passed,
 * logs every request to argv[3]/h2.log as
 * "%{http2.stream-id}x %H %s %b %m %U %{http2.priority.received}x %{http2.priority.actual}x".
 * Handlers:
 *   /hello      "hello\n" (h2o_send_inline)
 *   /echo       the request body
 *   /stream     e2e_stream_start (e2e_server.h): four pieces, 100 ms apart
 *   /big        1 MiB (byte i is i % 251) in 16 KiB pieces, each sent from proceed
 *   /shutdown   h2o_context_request_shutdown() from inside the handler, then "shutting down\n"
 *   /quit       stops the server
 *   /.well-known/h2/state   h2o_http2_debug_state_register(hostconf, 0)
 *   /debug-state-api        over HTTP/2: h2o_http2_get_debug_state(req, ?hpack), its JSON as the
 *                           body, its conn_flow_in / conn_flow_out as x-conn-flow-in / -out; over
 *                           HTTP/1 404, except with ?h1 (libh2o-rs only: 2.2.5 reads an HTTP/1
 *                           connection as HTTP/2): the call is made and "NULL" answered if it
 *                           returned NULL
 * anything else is 404. Request bodies over 1 MiB get 413 (max_request_entity_size).
 * A second listener hands its connections to h2o_http2_accept() directly (HTTP/2 only, prior
 * knowledge); its port is written to argv[3]/port2.
 */
#include "e2e_server.h"
#include <sys/time.h>
#include <h2o/http2.h>
#if defined(__has_include) && __has_include(<h2o/rs_tls.h>)
#include <h2o/http2_internal.h> /* libh2o-rs: declares h2o_http2_get_debug_state */
#else
/* Debian's h2o/http2_internal.h includes "khash.h", which is not installed: 2.2.5's declaration */
h2o_http2_debug_state_t *h2o_http2_get_debug_state(h2o_req_t *req, int hpack_enabled);
#endif

#define BIG_SIZE (1024 * 1024)
#define BIG_PIECE (16 * 1024)

static h2o_generator_t no_more_gen = {NULL, NULL};

struct big_gen {
    h2o_generator_t super;
    size_t off;
    char buf[BIG_PIECE];
};

static void big_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct big_gen *g = (struct big_gen *)self;
    size_t i, n = BIG_SIZE - g->off < BIG_PIECE ? BIG_SIZE - g->off : BIG_PIECE;
    h2o_iovec_t v;
    for (i = 0; i != n; ++i)
        g->buf[i] = (char)((g->off + i) % 251);
    g->off += n;
    v = h2o_iovec_init(g->buf, n);
    h2o_send(req, &v, 1, g->off == BIG_SIZE ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

/* /debug-state-api (see the top) */
static void debug_state_api(h2o_req_t *req)
{
    int on_h1 = req->version < 0x200, hpack = 0;
    h2o_http2_debug_state_t *st;
    char num[32];
    size_t i;
    if (req->query_at != SIZE_MAX) {
        h2o_iovec_t q = h2o_iovec_init(req->path.base + req->query_at, req->path.len - req->query_at);
        hpack = h2o_strstr(q.base, q.len, H2O_STRLIT("hpack")) != SIZE_MAX;
        if (on_h1 && h2o_strstr(q.base, q.len, H2O_STRLIT("h1")) == SIZE_MAX) {
            h2o_send_error_404(req, "Not Found", "not HTTP/2", 0);
            return;
        }
    } else if (on_h1) {
        h2o_send_error_404(req, "Not Found", "not HTTP/2", 0);
        return;
    }
    if ((st = h2o_http2_get_debug_state(req, hpack)) == NULL) {
        e2e_send_text(req, H2O_STRLIT("NULL"));
        return;
    }
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/json"));
    snprintf(num, sizeof(num), "%zd", st->conn_flow_in);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-conn-flow-in"), 0, NULL, h2o_strdup(&req->pool, num, SIZE_MAX).base,
                          strlen(num));
    snprintf(num, sizeof(num), "%zd", st->conn_flow_out);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-conn-flow-out"), 0, NULL, h2o_strdup(&req->pool, num, SIZE_MAX).base,
                          strlen(num));
    snprintf(num, sizeof(num), "%zu", st->json.size);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-json-iovecs"), 0, NULL, h2o_strdup(&req->pool, num, SIZE_MAX).base,
                          strlen(num));
    req->res.content_length = 0;
    for (i = 0; i != st->json.size; ++i)
        req->res.content_length += st->json.entries[i].len;
    h2o_start_response(req, &no_more_gen);
    h2o_send(req, st->json.entries, st->json.size, H2O_SEND_STATE_FINAL);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    if (e2e_path_is(req, "/hello")) {
        e2e_send_text(req, H2O_STRLIT("hello\n"));
    } else if (e2e_path_is(req, "/echo")) {
        h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (e2e_path_is(req, "/stream")) {
        e2e_stream_start(req, NULL);
    } else if (e2e_path_is(req, "/big")) {
        struct big_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
        memset(g, 0, sizeof(*g));
        g->super.proceed = big_proceed;
        req->res.content_length = BIG_SIZE;
        h2o_start_response(req, &g->super);
        big_proceed(&g->super, req);
    } else if (e2e_path_is(req, "/debug-state-api")) {
        debug_state_api(req);
    } else if (e2e_path_is(req, "/shutdown")) {
        h2o_context_request_shutdown(&e2e_ctx);
        h2o_send_inline(req, H2O_STRLIT("shutting down\n"));
    } else if (e2e_path_is(req, "/quit")) {
        e2e_quit = 1;
        h2o_send_inline(req, H2O_STRLIT("bye\n"));
    } else {
        return -1;
    }
    return 0;
}

static h2o_socket_t *direct_listener;

static void on_direct_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    struct timeval now;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL) {
        gettimeofday(&now, NULL);
        h2o_http2_accept(&e2e_accept_ctx, sock, now);
    }
}

/* the second listener (127.0.0.1, a port of the kernel's choice written to `port_file`) */
static int listen_direct(h2o_evloop_t *loop, const char *port_file)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), reuse = 1;
    FILE *fp;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 64) != 0 || getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
        perror("listen");
        return -1;
    }
    direct_listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(direct_listener, on_direct_accept);
    if ((fp = fopen(port_file, "w")) == NULL) {
        perror(port_file);
        return -1;
    }
    fprintf(fp, "%u\n", ntohs(sin.sin_port));
    fclose(fp);
    return 0;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_hostconf_t *hostconf;
    h2o_pathconf_t *pathconf;
    h2o_access_log_filehandle_t *log;
    char path[1024];
    int status;

    e2e_init(argc, argv, 1, "LOG_DIR");
    e2e_config.max_request_entity_size = 1024 * 1024;
    hostconf = h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_http2_debug_state_register(hostconf, 0);
    pathconf = h2o_config_register_path(hostconf, "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    snprintf(path, sizeof(path), "%s/h2.log", argv[3]);
    log = h2o_access_log_open_handle(path, "%{http2.stream-id}x %H %s %b %m %U %{http2.priority.received}x %{http2.priority.actual}x",
                                     H2O_LOGCONF_ESCAPE_APACHE);
    if (log == NULL) {
        fprintf(stderr, "cannot open the access log %s\n", path);
        return 1;
    }
    h2o_access_log_register(pathconf, log);
    h2o_access_log_register(&hostconf->fallback_path, log);
    if ((loop = e2e_listen()) == NULL)
        return 1;
    snprintf(path, sizeof(path), "%s/port2", argv[3]);
    if (listen_direct(loop, path) != 0)
        return 1;
    h2o_timeout_init(loop, &e2e_stream_timeout, 100);
    e2e_serve(loop, 300, 1);
    h2o_socket_read_stop(direct_listener);
    h2o_socket_close(direct_listener);
    /* 2.2.5's graceful shutdown leaves a one-second timer linked: let it fire (bounded) */
    for (status = 0; status < 300 && !h2o_linklist_is_empty(&e2e_ctx.one_sec_timeout._entries); ++status)
        h2o_evloop_run(loop, 10);
    h2o_timeout_dispose(loop, &e2e_stream_timeout);
    status = e2e_finish(loop, "h2c_serve");
    h2o_mem_release_shared(log);
    return status;
}
