/*
 * The HTTP/1.1 server end to end, as a 2.2.5 embedder uses it: h2o_config_init, a host with
 * handlers on "/" (hello via h2o_send_inline, a streaming generator over several h2o_send calls with
 * proceed, a POST echo of req->entity, a redirect, a request inspector), h2o_context_init, a
 * listener on 127.0.0.1 port 0 whose accept callback calls h2o_accept. A client thread speaks raw
 * HTTP/1.x over sockets: keep-alive, a pipelined pair, HEAD, a 404, a request body, 413, a redirect,
 * HTTP/1.0, a malformed request (400 and close). Bounded: alarm(20), a few thousand loop turns,
 * 3-second socket timeouts on the client side.
 */
#include "abi_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <h2o.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static volatile int client_done;
static unsigned short port;
static int stream_sends, stream_proceeds, stream_stops, inspected_requests;

static int count_request(h2o_req_t *req, void *cbdata)
{
    ++*(int *)cbdata;
    return 0;
}

/* --- handlers ------------------------------------------------------------------------------------ */

static int on_hello(h2o_handler_t *self, h2o_req_t *req)
{
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/hello")))
        return -1;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    h2o_send_inline(req, H2O_STRLIT("hello\n"));
    return 0;
}

struct stream_gen {
    h2o_generator_t super;
    int sent;
    char buf[32];
};

static void stream_send_next(struct stream_gen *g, h2o_req_t *req)
{
    h2o_iovec_t v;
    v.base = g->buf;
    v.len = (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent);
    ++g->sent;
    ++stream_sends;
    h2o_send(req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    ++stream_proceeds;
    stream_send_next((struct stream_gen *)self, req);
}

static void stream_stop(h2o_generator_t *self, h2o_req_t *req)
{
    ++stream_stops;
}

static int on_stream(h2o_handler_t *self, h2o_req_t *req)
{
    struct stream_gen *g;
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/stream")))
        return -1;
    g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    g->super.proceed = stream_proceed;
    g->super.stop = stream_stop;
    g->sent = 0;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_start_response(req, &g->super);
    stream_send_next(g, req);
    return 0;
}

static int on_echo(h2o_handler_t *self, h2o_req_t *req)
{
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/echo")))
        return -1;
    CHECK(h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST")), "echo is a POST");
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    return 0;
}

static int on_redirect(h2o_handler_t *self, h2o_req_t *req)
{
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/redirect")))
        return -1;
    h2o_send_redirect(req, 302, "Found", H2O_STRLIT("/hello"));
    return 0;
}

/* /inspect?x=1 with "X-Test: Value": answers what the request looks like */
static int on_inspect(h2o_handler_t *self, h2o_req_t *req)
{
    char *out;
    ssize_t i;
    if (!h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/inspect")))
        return -1;
    out = h2o_mem_alloc_pool(&req->pool, 512);
    i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-test"), -1);
    snprintf(out, 512, "method=%.*s path=%.*s query_at=%zu authority=%.*s version=%x scheme=%.*s x-test=%.*s ua=%s",
             (int)req->method.len, req->method.base, (int)req->path.len, req->path.base, req->query_at, (int)req->authority.len,
             req->authority.base, req->version, (int)req->scheme->name.len, req->scheme->name.base,
             i >= 0 ? (int)req->headers.entries[i].value.len : 0, i >= 0 ? req->headers.entries[i].value.base : "",
             h2o_find_header(&req->headers, H2O_TOKEN_USER_AGENT, -1) >= 0 ? "yes" : "no");
    CHECK(req->conn != NULL && req->conn->ctx == &ctx, "req->conn->ctx is the context");
    CHECK(req->hostconf == config.hosts[0], "the request is bound to the host");
    CHECK(req->pathconf != NULL && req->pathconf->path.len == 1, "the request is bound to the path \"/\"");
    /* the HTTP/1 layer's callbacks, as h2o_config_init set them: this request is in progress */
    CHECK(config.http1.callbacks.foreach_request != NULL, "http1.callbacks.foreach_request is set");
    if (config.http1.callbacks.foreach_request != NULL) {
        int n = 0;
        config.http1.callbacks.foreach_request(&ctx, count_request, &n);
        CHECK(n == 1, "foreach_request sees the request in progress (%d)", n);
    }
    ++inspected_requests;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, out, SIZE_MAX);
    return 0;
}

static void add_handler(h2o_pathconf_t *pathconf, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_handler_t *h = h2o_create_handler(pathconf, sizeof(*h));
    h->on_req = on_req;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&accept_ctx, sock);
}

/* --- the client ---------------------------------------------------------------------------------- */

struct client {
    int fd;
    char buf[65536];
    size_t len;
    int eof;
};

static int client_connect(struct client *c)
{
    struct sockaddr_in sin;
    struct timeval tv = {3, 0};
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(port);
    return connect(c->fd, (struct sockaddr *)&sin, sizeof(sin));
}

static void client_send(struct client *c, const char *s)
{
    size_t off = 0, n = strlen(s);
    while (off < n) {
        ssize_t r = write(c->fd, s + off, n - off);
        if (r <= 0)
            return;
        off += (size_t)r;
    }
}

/* reads more; 0 at end of stream or timeout */
static int client_fill(struct client *c)
{
    ssize_t r;
    if (c->eof || c->len == sizeof(c->buf))
        return 0;
    r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
    if (r <= 0) {
        c->eof = 1;
        return 0;
    }
    c->len += (size_t)r;
    return 1;
}

struct response {
    int status;
    char head[4096];
    char body[8192];
    size_t body_len;
    int chunked, has_length;
};

/* the value of header `name` in head (case-insensitive), or NULL */
static const char *header_value(struct response *res, const char *name, char *out, size_t outsz)
{
    const char *p = strstr(res->head, "\r\n");
    size_t nl = strlen(name);
    while (p != NULL && p[2] != '\0') {
        const char *line = p + 2, *end = strstr(line, "\r\n");
        if (end == NULL)
            break;
        if ((size_t)(end - line) > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                ++v;
            snprintf(out, outsz, "%.*s", (int)(end - v), v);
            return out;
        }
        p = end;
    }
    return NULL;
}

static void consume(struct client *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* reads one response (HEAD: no body); 0 on failure */
static int read_response(struct client *c, struct response *res, int is_head)
{
    char *end, v[64];
    size_t head_len;
    memset(res, 0, sizeof(*res));
    while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
        if (!client_fill(c))
            return 0;
    head_len = (size_t)(end - c->buf) + 4;
    if (head_len >= sizeof(res->head))
        return 0;
    memcpy(res->head, c->buf, head_len);
    res->head[head_len] = '\0';
    if (getenv("HTTP1_TEST_DUMP") != NULL)
        fprintf(stderr, "--- response head:\n%s", res->head);
    consume(c, head_len);
    if (sscanf(res->head, "HTTP/1.%*d %d", &res->status) != 1)
        return 0;
    if (res->status / 100 == 1)
        return 1; /* an informational response: no body */
    if (header_value(res, "content-length", v, sizeof(v)) != NULL) {
        size_t n = strtoul(v, NULL, 10);
        res->has_length = 1;
        if (is_head || res->status == 304 || res->status == 204)
            return 1;
        if (n >= sizeof(res->body))
            return 0;
        while (c->len < n)
            if (!client_fill(c))
                return 0;
        memcpy(res->body, c->buf, n);
        res->body_len = n;
        consume(c, n);
    } else if (header_value(res, "transfer-encoding", v, sizeof(v)) != NULL && strcasecmp(v, "chunked") == 0) {
        res->chunked = 1;
        if (is_head)
            return 1;
        for (;;) {
            char *crlf;
            size_t n;
            while ((crlf = memmem(c->buf, c->len, "\r\n", 2)) == NULL)
                if (!client_fill(c))
                    return 0;
            n = strtoul(c->buf, NULL, 16);
            consume(c, (size_t)(crlf - c->buf) + 2);
            while (c->len < n + 2)
                if (!client_fill(c))
                    return 0;
            if (n == 0) {
                consume(c, 2);
                return 1;
            }
            if (res->body_len + n >= sizeof(res->body))
                return 0;
            memcpy(res->body + res->body_len, c->buf, n);
            res->body_len += n;
            consume(c, n + 2);
        }
    } else if (!is_head) {
        while (client_fill(c))
            ;
        if (c->len >= sizeof(res->body))
            return 0;
        memcpy(res->body, c->buf, c->len);
        res->body_len = c->len;
        consume(c, c->len);
    }
    return 1;
}

static int closed_by_server(struct client *c)
{
    while (client_fill(c))
        ;
    return c->eof && c->len == 0;
}

#define BODY_IS(res, want) CHECK_STR((res).body, (res).body_len, want)

static void *client_main(void *arg)
{
    struct client c;
    struct response res;
    char v[128];

    /* keep-alive: three requests on one connection */
    CHECK(client_connect(&c) == 0, "connect");
    client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "hello response");
    CHECK(res.status == 200, "status %d", res.status);
    BODY_IS(res, "hello\n");
    /* (2.2.5 sends an inline body chunked; this library with Content-Length: both are checked as HTTP) */
    CHECK(header_value(&res, "date", v, sizeof(v)) != NULL && strlen(v) == 29, "a Date header");
    CHECK(header_value(&res, "server", v, sizeof(v)) != NULL, "a Server header");
    CHECK(header_value(&res, "content-type", v, sizeof(v)) != NULL && strcmp(v, "text/plain") == 0, "content-type as set");

    client_send(&c, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "stream response");
    CHECK(res.status == 200 && res.chunked, "streamed: 200, chunked (%d)", res.status);
    BODY_IS(res, "part0;part1;part2;part3;");

    client_send(&c, "HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 1), "HEAD response");
    CHECK(res.status == 200, "HEAD status %d", res.status);
    CHECK(header_value(&res, "content-length", v, sizeof(v)) == NULL || strcmp(v, "6") == 0, "HEAD: the length, if any, is the GET's");

    /* a pipelined pair, then a 404 on the same connection */
    client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\nGET /inspect?x=1 HTTP/1.1\r\nHost: localhost\r\nX-Test: Value\r\n"
                    "User-Agent: t\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "pipelined 1");
    BODY_IS(res, "hello\n");
    CHECK(read_response(&c, &res, 0), "pipelined 2");
    BODY_IS(res, "method=GET path=/inspect?x=1 query_at=8 authority=localhost version=101 scheme=http x-test=Value ua=yes");
    client_send(&c, "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "404 response");
    CHECK(res.status == 404, "status %d", res.status);
    BODY_IS(res, "not found");
    client_send(&c, "GET /a/../inspect?y HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "normalized path");
    BODY_IS(res, "method=GET path=/a/../inspect?y query_at=13 authority=localhost version=101 scheme=http x-test= ua=no");

    /* a request body, a redirect, then Connection: close */
    client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nping=pong");
    CHECK(read_response(&c, &res, 0), "echo response");
    BODY_IS(res, "ping=pong");
    /* a chunked request body, in two writes, then a request pipelined right after it */
    client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nping\r\n");
    usleep(50000);
    client_send(&c, "5\r\n=pong\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "chunked echo response");
    BODY_IS(res, "ping=pong");
    CHECK(read_response(&c, &res, 0), "response after the chunked body");
    BODY_IS(res, "hello\n");
    /* Expect: 100-continue: the interim response comes before the body is sent */
    client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "100 Continue");
    CHECK(res.status == 100, "status %d", res.status);
    client_send(&c, "abcd");
    CHECK(read_response(&c, &res, 0), "echo after 100 Continue");
    BODY_IS(res, "abcd");
    client_send(&c, "GET /redirect HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "redirect response");
    CHECK(res.status == 302, "status %d", res.status);
    CHECK(header_value(&res, "location", v, sizeof(v)) != NULL && strcmp(v, "/hello") == 0, "location");
    client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "last response");
    BODY_IS(res, "hello\n");
    CHECK(closed_by_server(&c), "closed after Connection: close");
    close(c.fd);

    /* HTTP/1.0: no keep-alive unless asked; a streamed body ends with the connection */
    CHECK(client_connect(&c) == 0, "connect");
    client_send(&c, "GET /stream HTTP/1.0\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "1.0 stream response");
    CHECK(res.status == 200 && !res.chunked, "1.0: not chunked");
    BODY_IS(res, "part0;part1;part2;part3;");
    CHECK(c.eof, "1.0: closed");
    close(c.fd);

    /* too large a body: 413 */
    CHECK(client_connect(&c) == 0, "connect");
    client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "413 response");
    CHECK(res.status == 413, "status %d", res.status);
    close(c.fd);

    /* malformed: 400, then the connection closes */
    CHECK(client_connect(&c) == 0, "connect");
    client_send(&c, "GET /hello HTTP/1.1\r\nHost localhost\r\n\r\n");
    CHECK(read_response(&c, &res, 0), "400 response");
    CHECK(res.status == 400, "status %d", res.status);
    CHECK(closed_by_server(&c), "closed after 400");
    close(c.fd);

    /* a slow client (half a request head, then nothing): closed by http1.req_timeout (300 ms here) */
    CHECK(client_connect(&c) == 0, "connect");
    client_send(&c, "GET /hello HTTP/1.1\r\nHost: loc");
    CHECK(closed_by_server(&c), "a stalled request head is closed by the request timeout");
    close(c.fd);

    client_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_accept), ABI_FN(h2o_send), ABI_FN(h2o_send_inline), ABI_FN(h2o_start_response),
                                        ABI_FN(h2o_send_redirect), ABI_FN(h2o_send_error_generic)};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_pathconf_t *pathconf;
    h2o_socket_t *listener;
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    pthread_t th;
    int fd, reuse = 1, i;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    alarm(20);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&config);
    config.max_request_entity_size = 1024;
    config.http1.req_timeout = 300;
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    pathconf = h2o_config_register_path(host, "/", 0);
    add_handler(pathconf, on_hello);
    add_handler(pathconf, on_stream);
    add_handler(pathconf, on_echo);
    add_handler(pathconf, on_redirect);
    add_handler(pathconf, on_inspect);

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 && listen(fd, 16) == 0, "listen on 127.0.0.1");
    getsockname(fd, (struct sockaddr *)&sin, &slen);
    port = ntohs(sin.sin_port);
    listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, on_accept);

    pthread_create(&th, NULL, client_main, NULL);
    for (i = 0; i < 5000 && !client_done; ++i)
        h2o_evloop_run(loop, 10);
    pthread_join(th, NULL);
    for (i = 0; i < 20; ++i) /* let the server see the clients' closes */
        h2o_evloop_run(loop, 5);

    CHECK(stream_sends == 8 && stream_proceeds == 6, "each streamed response: 4 sends, 3 proceeds (%d sends, %d proceeds)", stream_sends,
          stream_proceeds);
    CHECK(stream_stops == 0, "no generator stopped");
    CHECK(ctx.emitted_error_status[H2O_STATUS_ERROR_404] == 1, "one 404 counted");

    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_evloop_run(loop, 0);
    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    return abi_report("test_http1");
}
