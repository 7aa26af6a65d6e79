/*
 * The redirect handler and the reproxy filter over HTTP/1.1, as a 2.2.5 embedder registers them:
 * h2o_redirect_register (a 301 with Location built from the prefix and the rest of the path, query
 * kept; an internal redirect with GET, and with the method kept for 307), h2o_reproxy_register (a
 * response with X-Reproxy-URL replaced by what that URL answers on a host this server serves; the
 * header never reaches the client; 307 keeps the method). Same results on Debian's 2.2.5; on ours
 * a URL of a host not served here gets 502 (2.2.5 would proxy it).
 * Bounded: alarm(20), at most 2000 loop turns, 8-second client timeouts.
 */
#include "abi_http.h"

static h2o_globalconf_t config;
static h2o_context_t ctx;
static int on_ours; /* 2.2.5 would proxy the request below to another server: not tried on it */

/* answers "<method> <path> <body>" (what a request reached after a redirect) */
static int echo_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    char *buf = h2o_mem_alloc_pool(&req->pool, 256);
    int n;
    (void)self;
    n = snprintf(buf, 256, "%.*s %.*s %.*s", (int)req->method.len, req->method.base, (int)req->path.len, req->path.base,
                 (int)req->entity.len, req->entity.base != NULL ? req->entity.base : "");
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, buf, (size_t)n);
    return 0;
}

/* answers with X-Reproxy-URL (taken from the query string after '?') and a body that must never
 * be seen; "/rp/307..." answers 307 */
static int reproxy_origin_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (req->query_at == SIZE_MAX)
        return -1;
    req->res.status = req->path.len >= 7 && memcmp(req->path.base, "/rp/307", 7) == 0 ? 307 : 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_X_REPROXY_URL, NULL, req->path.base + req->query_at + 1,
                   req->path.len - req->query_at - 1);
    h2o_send_inline(req, H2O_STRLIT("the original body, never sent"));
    return 0;
}

static h2o_pathconf_t *register_path(h2o_hostconf_t *host, const char *path)
{
    return h2o_config_register_path(host, path, 0);
}

static void *client_main(void *arg)
{
    struct abi_response res;
    char v[256];
    (void)arg;

    /* external redirect: prefix + the rest of the path, query kept */
    CHECK(abi_http_get("GET /old/a/b?x=1 HTTP/1.1\r\nHost: default\r\nConnection: close\r\n\r\n", &res), "GET /old/a/b");
    CHECK(res.status == 301, "301 (%d)", res.status);
    CHECK(abi_header(&res, "location", v, sizeof(v)) != NULL && strcmp(v, "/new/a/b?x=1") == 0, "Location /new/a/b?x=1 (%s)",
          abi_header(&res, "location", v, sizeof(v)) ? v : "none");

    /* internal redirect: the client sees what /target answers */
    CHECK(abi_http_get("GET /int/c HTTP/1.1\r\nHost: default\r\nConnection: close\r\n\r\n", &res), "GET /int/c");
    CHECK(res.status == 200, "200 (%d)", res.status);
    ABI_BODY_IS(res, "GET /target/c ");
    /* 302 turns a POST into a GET without body; 307 keeps both */
    CHECK(abi_http_get("POST /int/d HTTP/1.1\r\nHost: default\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", &res),
          "POST /int/d");
    ABI_BODY_IS(res, "GET /target/d ");
    CHECK(abi_http_get("POST /int307/e HTTP/1.1\r\nHost: default\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", &res),
          "POST /int307/e");
    ABI_BODY_IS(res, "POST /target/e abc");

    /* reproxy: the answer of the URL on the other host, without the X-Reproxy-URL header */
    CHECK(abi_http_get("GET /rp?http://backend.example/target/x HTTP/1.1\r\nHost: default\r\nConnection: close\r\n\r\n", &res),
          "GET /rp");
    CHECK(res.status == 200, "200 (%d)", res.status);
    ABI_BODY_IS(res, "GET /target/x ");
    CHECK(abi_header(&res, "x-reproxy-url", v, sizeof(v)) == NULL, "no X-Reproxy-URL header reaches the client");
    CHECK(abi_http_get("POST /rp?http://backend.example/target/y HTTP/1.1\r\nHost: default\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\nhi",
                       &res),
          "POST /rp");
    ABI_BODY_IS(res, "GET /target/y ");
    CHECK(abi_http_get("POST /rp/307?http://backend.example/target/z HTTP/1.1\r\nHost: default\r\nContent-Length: 2\r\n"
                       "Connection: close\r\n\r\nhi",
                       &res),
          "POST /rp/307");
    ABI_BODY_IS(res, "POST /target/z hi");
    /* a response without the header passes unchanged */
    CHECK(abi_http_get("GET /rp HTTP/1.1\r\nHost: default\r\nConnection: close\r\n\r\n", &res), "GET /rp without query");
    CHECK(res.status == 404, "no handler answered: 404 (%d)", res.status);

    /* ours has no reverse proxy: a URL on a host this server does not serve gets 502 */
    if (on_ours) {
        CHECK(abi_http_get("GET /rp?http://elsewhere.invalid/x HTTP/1.1\r\nHost: default\r\nConnection: close\r\n\r\n", &res),
              "GET /rp to another host");
        CHECK(res.status == 502, "502 (%d)", res.status);
    }

    abi_http_client_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_redirect_register), ABI_FN(h2o_reproxy_register)};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host, *backend;
    h2o_pathconf_t *pathconf;
    h2o_socket_t *listener;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    on_ours = strcmp(argv[1], "--expect-dir") == 0;
    alarm(20);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_redirect_register(register_path(host, "/old"), 0, 301, "/new");
    h2o_redirect_register(register_path(host, "/int307"), 1, 307, "/target");
    h2o_redirect_register(register_path(host, "/int"), 1, 302, "/target");
    pathconf = register_path(host, "/rp");
    h2o_reproxy_register(pathconf);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = reproxy_origin_on_req;
    h2o_create_handler(register_path(host, "/target"), sizeof(h2o_handler_t))->on_req = echo_on_req;
    backend = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("backend.example")), 65535);
    h2o_create_handler(register_path(backend, "/target"), sizeof(h2o_handler_t))->on_req = echo_on_req;

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    listener = abi_http_listen(&ctx);
    if (listener != NULL)
        abi_http_serve(loop, listener, client_main, 2000);

    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    return abi_report("test_redirect");
}
