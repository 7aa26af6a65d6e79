/*
 * The HTTP/1.1 server end to end, as a 2.2.5 embedder uses it: h2o_config_init, a host with
 * handlers on "/" (hello via h2o_send_inline, a streaming generator over several h2o_send calls with
 * proceed, a POST echo of req->entity, a redirect, a request inspector), h2o_context_init, a
 * listener on 127.0.0.1 port 0 whose accept callback calls h2o_accept. A client thread speaks raw
 * HTTP/1.x over sockets: keep-alive, a pipelined pair, HEAD, a 404, a request body, 413, a redirect,
 * HTTP/1.0, a malformed request (400 and close). Bounded: alarm(20), a few thousand loop turns,
 * 8-second socket timeouts on the client side.
 */
#include "abi_http.h"

static h2o_globalconf_t config;
static h2o_context_t ctx;
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

static void *client_main(void *arg)
{
    struct abi_client c;
    struct abi_response res;
    char v[128];

    /* keep-alive: three requests on one connection */
    CHECK(abi_client_connect(&c) == 0, "connect");
    abi_client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "hello response");
    CHECK(res.status == 200, "status %d", res.status);
    ABI_BODY_IS(res, "hello\n");
    /* (2.2.5 sends an inline body chunked; this library with Content-Length: both are checked as HTTP) */
    CHECK(abi_header(&res, "date", v, sizeof(v)) != NULL && strlen(v) == 29, "a Date header");
    CHECK(abi_header(&res, "server", v, sizeof(v)) != NULL, "a Server header");
    CHECK(abi_header(&res, "content-type", v, sizeof(v)) != NULL && strcmp(v, "text/plain") == 0, "content-type as set");

    abi_client_send(&c, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "stream response");
    CHECK(res.status == 200 && res.chunked, "streamed: 200, chunked (%d)", res.status);
    ABI_BODY_IS(res, "part0;part1;part2;part3;");

    abi_client_send(&c, "HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 1), "HEAD response");
    CHECK(res.status == 200, "HEAD status %d", res.status);
    CHECK(abi_header(&res, "content-length", v, sizeof(v)) == NULL || strcmp(v, "6") == 0, "HEAD: the length, if any, is the GET's");

    /* a pipelined pair, then a 404 on the same connection */
    abi_client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\nGET /inspect?x=1 HTTP/1.1\r\nHost: localhost\r\nX-Test: Value\r\n"
                    "User-Agent: t\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "pipelined 1");
    ABI_BODY_IS(res, "hello\n");
    CHECK(abi_read_response(&c, &res, 0), "pipelined 2");
    ABI_BODY_IS(res, "method=GET path=/inspect?x=1 query_at=8 authority=localhost version=101 scheme=http x-test=Value ua=yes");
    abi_client_send(&c, "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "404 response");
    CHECK(res.status == 404, "status %d", res.status);
    ABI_BODY_IS(res, "not found");
    abi_client_send(&c, "GET /a/../inspect?y HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "normalized path");
    ABI_BODY_IS(res, "method=GET path=/a/../inspect?y query_at=13 authority=localhost version=101 scheme=http x-test= ua=no");

    /* a request body, a redirect, then Connection: close */
    abi_client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nping=pong");
    CHECK(abi_read_response(&c, &res, 0), "echo response");
    ABI_BODY_IS(res, "ping=pong");
    /* a chunked request body, in two writes, then a request pipelined right after it */
    abi_client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nping\r\n");
    usleep(50000);
    abi_client_send(&c, "5\r\n=pong\r\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "chunked echo response");
    ABI_BODY_IS(res, "ping=pong");
    CHECK(abi_read_response(&c, &res, 0), "response after the chunked body");
    ABI_BODY_IS(res, "hello\n");
    /* Expect: 100-continue: the interim response comes before the body is sent */
    abi_client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "100 Continue");
    CHECK(res.status == 100, "status %d", res.status);
    abi_client_send(&c, "abcd");
    CHECK(abi_read_response(&c, &res, 0), "echo after 100 Continue");
    ABI_BODY_IS(res, "abcd");
    abi_client_send(&c, "GET /redirect HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "redirect response");
    CHECK(res.status == 302, "status %d", res.status);
    CHECK(abi_header(&res, "location", v, sizeof(v)) != NULL && strcmp(v, "/hello") == 0, "location");
    abi_client_send(&c, "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "last response");
    ABI_BODY_IS(res, "hello\n");
    CHECK(abi_client_closed_by_server(&c), "closed after Connection: close");
    close(c.fd);

    /* HTTP/1.0: no keep-alive unless asked; a streamed body ends with the connection */
    CHECK(abi_client_connect(&c) == 0, "connect");
    abi_client_send(&c, "GET /stream HTTP/1.0\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "1.0 stream response");
    CHECK(res.status == 200 && !res.chunked, "1.0: not chunked");
    ABI_BODY_IS(res, "part0;part1;part2;part3;");
    CHECK(c.eof, "1.0: closed");
    close(c.fd);

    /* too large a body: 413 */
    CHECK(abi_client_connect(&c) == 0, "connect");
    abi_client_send(&c, "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "413 response");
    CHECK(res.status == 413, "status %d", res.status);
    close(c.fd);

    /* malformed: 400, then the connection closes */
    CHECK(abi_client_connect(&c) == 0, "connect");
    abi_client_send(&c, "GET /hello HTTP/1.1\r\nHost localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "400 response");
    CHECK(res.status == 400, "status %d", res.status);
    CHECK(abi_client_closed_by_server(&c), "closed after 400");
    close(c.fd);

    /* a slow client (half a request head, then nothing): closed by http1.req_timeout (1.5 s here: shorter than the client's 8-second read timeout, long enough that the keep-alive gaps between this thread's requests never reach it, even under valgrind on a loaded machine) */
    CHECK(abi_client_connect(&c) == 0, "connect");
    abi_client_send(&c, "GET /hello HTTP/1.1\r\nHost: loc");
    CHECK(abi_client_closed_by_server(&c), "a stalled request head is closed by the request timeout");
    close(c.fd);

    abi_http_client_done = 1;
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

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    alarm(20);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&config);
    config.max_request_entity_size = 1024;
    config.http1.req_timeout = 1500;
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    pathconf = h2o_config_register_path(host, "/", 0);
    add_handler(pathconf, on_hello);
    add_handler(pathconf, on_stream);
    add_handler(pathconf, on_echo);
    add_handler(pathconf, on_redirect);
    add_handler(pathconf, on_inspect);

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    listener = abi_http_listen(&ctx);
    CHECK(listener != NULL, "listen on 127.0.0.1");
    if (listener != NULL)
        abi_http_serve(loop, listener, client_main, 5000);

    CHECK(stream_sends == 8 && stream_proceeds == 6, "each streamed response: 4 sends, 3 proceeds (%d sends, %d proceeds)", stream_sends,
          stream_proceeds);
    CHECK(stream_stops == 0, "no generator stopped");
    CHECK(ctx.emitted_error_status[H2O_STATUS_ERROR_404] == 1, "one 404 counted");

    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    return abi_report("test_http1");
}
