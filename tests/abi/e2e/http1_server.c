/*
 * The embedder behind the raw-socket HTTP/1 tests (http1_wire.py), written against the 2.2.5 API
 * only, so it builds against our headers and against Debian's (and then runs on either library).
 *
 *   http1_server PORT_FILE MAX_SECONDS LOG_FILE
 *
 * Listens on 127.0.0.1 (port 0; the chosen port is written to PORT_FILE) until /quit or MAX_SECONDS.
 * globalconf: server_name "h2o-test", max_request_entity_size 4096, http1.req_timeout 1000 ms.
 * Hosts: "default" (first, so the fallback), "a.example", "b.example:8080"; on the last two every
 * path answers "host=<name> path=<path>". On "default":
 *   /hello     "hello\n" through h2o_send_inline
 *   /case      response headers added with an original-case name (h2o_add_header, _by_str)
 *   /stream    four parts, each sent from the generator's proceed
 *   /slow      five parts 100 ms apart (an h2o_timeout drives them; stop cancels it)
 *   /big       32 MiB (Content-Length) in 64 KiB pieces from proceed; stop is logged (more than the
 *              kernel's buffers can hold: tcp_wmem's 4 MiB maximum send buffer plus the client's)
 *   /echo      the request body
 *   /info      what the request carries (method, authority, path, version, flags, timestamps, ...)
 *   /shutdown  h2o_context_request_shutdown, then "shutting down\n"
 *   /upgrade   h2o_http1_upgrade to "echo": after the 101, the socket echoes what it reads
 *   /quit      ends the server after the response
 * A logger writes one line per request to LOG_FILE: status, bytes_sent, and checks of the four
 * timestamps ("ok" or what is wrong), the persistent flag, method and path.
 */
#include "e2e_server.h"
#include <h2o/http1.h>

static h2o_timeout_t tick_timeout;
static FILE *logfp;

/* --- /stream and /slow ------------------------------------------------------------------------- */

struct stream_gen {
    h2o_generator_t super;
    h2o_req_t *req;
    h2o_timeout_entry_t tick; /* /slow: the next part is due */
    int sent, total;
    char buf[32];
};

static void stream_next(struct stream_gen *g)
{
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent));
    ++g->sent;
    h2o_send(g->req, &v, 1, g->sent == g->total ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    stream_next((struct stream_gen *)self);
}

static void slow_on_tick(h2o_timeout_entry_t *entry)
{
    struct stream_gen *g = H2O_STRUCT_FROM_MEMBER(struct stream_gen, tick, entry);
    stream_next(g);
}

static void slow_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_gen *g = (struct stream_gen *)self;
    h2o_timeout_link(e2e_ctx.loop, &tick_timeout, &g->tick);
}

static void slow_stop(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_gen *g = (struct stream_gen *)self;
    if (h2o_timeout_is_linked(&g->tick))
        h2o_timeout_unlink(&g->tick);
}

static void start_stream(h2o_req_t *req, int slow)
{
    struct stream_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    memset(g, 0, sizeof(*g));
    g->super.proceed = slow ? slow_proceed : stream_proceed;
    g->super.stop = slow ? slow_stop : NULL;
    g->req = req;
    g->tick.cb = slow_on_tick;
    g->total = slow ? 5 : 4;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_start_response(req, &g->super);
    if (slow)
        slow_proceed(&g->super, req);
    else
        stream_next(g);
}

/* --- /big: 512 pieces of 64 KiB, each sent from proceed; stop logs how far it got --------------- */

#define BIG_PIECES 512
static char big_piece[65536];

struct big_gen {
    h2o_generator_t super;
    int sent;
};

static void big_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct big_gen *g = (struct big_gen *)self;
    h2o_iovec_t v = h2o_iovec_init(big_piece, sizeof(big_piece));
    ++g->sent;
    h2o_send(req, &v, 1, g->sent == BIG_PIECES ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void big_stop(h2o_generator_t *self, h2o_req_t *req)
{
    fprintf(logfp, "big stopped after %d pieces\n", ((struct big_gen *)self)->sent);
    fflush(logfp);
}

static void start_big(h2o_req_t *req)
{
    struct big_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    g->super.proceed = big_proceed;
    g->super.stop = big_stop;
    g->sent = 0;
    memset(big_piece, 'b', sizeof(big_piece));
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = BIG_PIECES * sizeof(big_piece);
    h2o_start_response(req, &g->super);
    big_proceed(&g->super, req);
}

/* --- /info ----------------------------------------------------------------------------------------- */

static int tv_set(struct timeval tv)
{
    return tv.tv_sec != 0;
}

static long long tv_us(struct timeval tv)
{
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void send_info(h2o_req_t *req)
{
    char *buf = h2o_mem_alloc_pool(&req->pool, 4096);
    size_t len = 0, i;
    len += snprintf(buf + len, 4096 - len,
                    "method=%.*s\nauthority=%.*s\npath=%.*s\npath_normalized=%.*s\nquery_at=%zd\nscheme=%.*s\nversion=%x\n"
                    "persistent=%d\nupgrade=%.*s\nentity=%zd\nhost=%.*s\n",
                    (int)req->method.len, req->method.base, (int)req->authority.len, req->authority.base, (int)req->path.len,
                    req->path.base, (int)req->path_normalized.len, req->path_normalized.base,
                    req->query_at == SIZE_MAX ? (ssize_t)-1 : (ssize_t)req->query_at, (int)req->scheme->name.len,
                    req->scheme->name.base, req->version, req->http1_is_persistent, (int)req->upgrade.len,
                    req->upgrade.base != NULL ? req->upgrade.base : "", req->entity.base == NULL ? (ssize_t)-1 : (ssize_t)req->entity.len,
                    (int)req->hostconf->authority.hostport.len, req->hostconf->authority.hostport.base);
    len += snprintf(buf + len, 4096 - len, "request_begin_at=%s\nrequest_body_begin_at=%s\nprocessed_at=%s\n",
                    !tv_set(req->timestamps.request_begin_at)
                        ? "unset"
                        : tv_us(req->timestamps.request_begin_at) <= tv_us(req->processed_at.at) ? "ok" : "after processed_at",
                    !tv_set(req->timestamps.request_body_begin_at)
                        ? "unset"
                        : tv_us(req->timestamps.request_begin_at) <= tv_us(req->timestamps.request_body_begin_at) ? "ok" : "before begin",
                    tv_set(req->processed_at.at) && req->processed_at.str != NULL ? "ok" : "unset");
    for (i = 0; i != req->headers.size; ++i) {
        const h2o_header_t *h = req->headers.entries + i;
        len += snprintf(buf + len, 4096 - len, "header: %.*s%s%.*s%s: %.*s\n", (int)h->name->len, h->name->base,
                        h->orig_name != NULL ? " (" : "", h->orig_name != NULL ? (int)h->name->len : 0,
                        h->orig_name != NULL ? h->orig_name : "", h->orig_name != NULL ? ")" : "", (int)h->value.len, h->value.base);
    }
    e2e_send_text(req, buf, len);
}

/* --- /upgrade ---------------------------------------------------------------------------------------- */

static void echo_on_written(h2o_socket_t *sock, const char *err)
{
    if (err != NULL)
        h2o_socket_close(sock);
}

static void echo_on_read(h2o_socket_t *sock, const char *err)
{
    h2o_iovec_t v;
    if (err != NULL) {
        h2o_socket_close(sock);
        return;
    }
    if (sock->input->size == 0)
        return;
    /* one write at a time: the bytes move to a malloc'd copy freed on the next read */
    static char *copy;
    free(copy);
    copy = malloc(sock->input->size);
    memcpy(copy, sock->input->bytes, sock->input->size);
    v = h2o_iovec_init(copy, sock->input->size);
    h2o_buffer_consume(&sock->input, sock->input->size);
    h2o_socket_write(sock, &v, 1, echo_on_written);
}

static void on_upgrade_complete(void *user_data, h2o_socket_t *sock, size_t reqsize)
{
    if (sock == NULL)
        return;
    fprintf(logfp, "upgraded %s\n", (const char *)user_data);
    fflush(logfp);
    h2o_buffer_consume(&sock->input, reqsize);
    sock->data = NULL;
    h2o_socket_read_start(sock, echo_on_read);
    if (sock->input->size != 0)
        echo_on_read(sock, NULL);
}

static void start_upgrade(h2o_req_t *req)
{
    req->res.status = 101;
    req->res.reason = "Switching Protocols";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_UPGRADE, NULL, H2O_STRLIT("echo"));
    h2o_http1_upgrade(req, NULL, 0, on_upgrade_complete, "echo");
}

/* --- handlers ------------------------------------------------------------------------------------------ */

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    if (e2e_path_is(req, "/hello")) {
        e2e_send_text(req, H2O_STRLIT("hello\n"));
    } else if (e2e_path_is(req, "/case")) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, "Cache-Control", H2O_STRLIT("no-cache"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-custom"), 0, "X-Custom", H2O_STRLIT("v"));
        e2e_send_text(req, H2O_STRLIT("case\n"));
    } else if (e2e_path_is(req, "/stream")) {
        start_stream(req, 0);
    } else if (e2e_path_is(req, "/slow")) {
        start_stream(req, 1);
    } else if (e2e_path_is(req, "/big")) {
        start_big(req);
    } else if (e2e_path_is(req, "/echo")) {
        e2e_send_text(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (e2e_path_is(req, "/info")) {
        send_info(req);
    } else if (e2e_path_is(req, "/shutdown")) {
        h2o_context_request_shutdown(&e2e_ctx);
        e2e_send_text(req, H2O_STRLIT("shutting down\n"));
    } else if (e2e_path_is(req, "/upgrade")) {
        start_upgrade(req);
    } else if (e2e_path_is(req, "/quit")) {
        e2e_quit = 1;
        e2e_send_text(req, H2O_STRLIT("bye\n"));
    } else {
        return -1;
    }
    return 0;
}

static int on_vhost_req(h2o_handler_t *self, h2o_req_t *req)
{
    char *buf = h2o_mem_alloc_pool(&req->pool, 512);
    int len = snprintf(buf, 512, "host=%.*s path=%.*s\n", (int)req->hostconf->authority.hostport.len,
                       req->hostconf->authority.hostport.base, (int)req->path.len, req->path.base);
    e2e_send_text(req, buf, (size_t)len);
    return 0;
}

static const char *tv_check(struct timeval tv, struct timeval after)
{
    if (!tv_set(tv))
        return "unset";
    return tv_us(tv) >= tv_us(after) ? "ok" : "early";
}

static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
    fprintf(logfp, "%d %zu begin=%s start=%s end=%s persistent=%d %.*s %.*s\n", req->res.status, req->bytes_sent,
            tv_set(req->timestamps.request_begin_at) ? "ok" : "unset", tv_check(req->timestamps.response_start_at, req->processed_at.at),
            tv_check(req->timestamps.response_end_at, req->timestamps.response_start_at), req->http1_is_persistent,
            (int)req->method.len, req->method.base, (int)req->path.len, req->path.base);
    fflush(logfp);
}

static void register_vhost(const char *name, uint16_t port)
{
    h2o_hostconf_t *host = h2o_config_register_host(&e2e_config, h2o_iovec_init(name, strlen(name)), port);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_vhost_req;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_pathconf_t *pathconf;
    int status;

    e2e_init(argc, argv, 1, "LOG_FILE");
    if ((logfp = fopen(argv[3], "w")) == NULL) {
        perror(argv[3]);
        return 1;
    }
    e2e_config.server_name = h2o_iovec_init(H2O_STRLIT("h2o-test"));
    e2e_config.max_request_entity_size = 4096;
    e2e_config.http1.req_timeout = 1000;
    pathconf = h2o_config_register_path(h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535), "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    h2o_create_logger(pathconf, sizeof(h2o_logger_t))->log_access = log_access;
    register_vhost("a.example", 65535);
    register_vhost("b.example", 8080);
    if ((loop = e2e_listen()) == NULL)
        return 1;
    h2o_timeout_init(loop, &tick_timeout, 100);
    /* after /quit: the loop runs until the connections still open end (by the client's close or
     * req_timeout), at most 3 s */
    e2e_serve(loop, 300, 1);
    h2o_timeout_dispose(loop, &tick_timeout);
    status = e2e_finish(loop, "http1_server");
    fclose(logfp);
    return status;
}
