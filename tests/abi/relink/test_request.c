/*
 * The request's life through the 2.2.5 API, over HTTP/1.1 and without a protocol:
 * - internal redirects: h2o_reprocess_request (and _deferred, delegated), the reprocess and
 *   delegation limits (502), h2o_send_redirect_internal with h2o_get_redirect_method, and
 *   h2o_send_redirect of a delegated response followed internally;
 * - h2o_delegate_request (and _deferred) to the next handler;
 * - environments: h2o_config_create_envconf / _setenv / _unsetenv applied to req->env;
 * - h2o_req_log_error (stderr line and req->error_logs; float and stack arguments; long paths;
 *   a path with emit_request_errors off), h2o_req_fill_mime_attributes;
 * - h2o_init_request copying a request, h2o_build_destination, h2o_stringify_proxy_header,
 *   h2o_get_compressible_types, h2o_config_register_status_handler / _simple_status_handler;
 * - a request of the program's own (h2o_create_connection, h2o_init_request, its own final output
 *   stream, h2o_process_request, h2o_dispose_request running the loggers).
 * Bounded: alarm(20), at most 2000 loop turns, 8-second client timeouts.
 */
#include "abi_http.h"

static h2o_globalconf_t config;
static h2o_context_t ctx;
static int target_logs;
static unsigned last_logged_delegated;
static h2o_envconf_t *env_child;

static int path_is(h2o_req_t *req, const char *p)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, p, strlen(p));
}

static void reply(h2o_req_t *req, int status, const char *body)
{
    req->res.status = status;
    req->res.reason = "OK";
    h2o_send_inline(req, body, strlen(body));
}

/* --- /target: what the request looks like after its redirects ---------------------------------- */

static int on_target(h2o_handler_t *self, h2o_req_t *req)
{
    char *out = h2o_mem_alloc_pool(&req->pool, 256);
    snprintf(out, 256, "target %.*s %.*s q=%zu a=%.*s rep=%u del=%u d=%d", (int)req->method.len, req->method.base, (int)req->path.len,
             req->path.base, req->query_at, (int)req->authority.len, req->authority.base, req->num_reprocessed, req->num_delegated,
             req->res_is_delegated);
    reply(req, 200, out);
    return 0;
}

static void log_target(h2o_logger_t *self, h2o_req_t *req)
{
    ++target_logs;
    last_logged_delegated = req->num_delegated;
}

/* --- internal redirects -------------------------------------------------------------------------- */

static int on_redirects(h2o_handler_t *self, h2o_req_t *req)
{
    if (path_is(req, "/r/reprocess")) {
        h2o_reprocess_request(req, req->method, req->scheme, req->authority, h2o_iovec_init(H2O_STRLIT("/target?x=1")), NULL, 0);
    } else if (path_is(req, "/r/deferred")) {
        h2o_reprocess_request_deferred(req, req->method, req->scheme, req->authority, h2o_iovec_init(H2O_STRLIT("/target/deferred")),
                                       NULL, 1);
    } else if (path_is(req, "/r/loop")) {
        h2o_reprocess_request(req, req->method, req->scheme, req->authority, h2o_iovec_init(H2O_STRLIT("/r/loop")), NULL, 0);
    } else if (path_is(req, "/r/dloop")) {
        h2o_reprocess_request(req, req->method, req->scheme, req->authority, h2o_iovec_init(H2O_STRLIT("/r/dloop")), NULL, 1);
    } else if (path_is(req, "/r/internal")) {
        h2o_send_redirect_internal(req, h2o_get_redirect_method(req->method, 302), H2O_STRLIT("../target?from=internal"), 0);
    } else if (path_is(req, "/r/delegated-redirect")) {
        h2o_reprocess_request(req, req->method, req->scheme, req->authority, h2o_iovec_init(H2O_STRLIT("/r/redirector")), NULL, 1);
    } else if (path_is(req, "/r/redirector")) {
        h2o_send_redirect(req, 302, "Found", H2O_STRLIT("/target?via=redirect"));
    } else {
        return -1;
    }
    return 0;
}

/* --- delegation: handler A passes to B ------------------------------------------------------------- */

static int on_delegate_a(h2o_handler_t *self, h2o_req_t *req)
{
    if (path_is(req, "/delegate/deferred"))
        h2o_delegate_request_deferred(req, self);
    else if (path_is(req, "/delegate/now"))
        h2o_delegate_request(req, self);
    else
        return -1;
    return 0;
}

static int on_delegate_b(h2o_handler_t *self, h2o_req_t *req)
{
    reply(req, 200, "handler B");
    return 0;
}

/* --- environment ----------------------------------------------------------------------------------- */

static int on_env(h2o_handler_t *self, h2o_req_t *req)
{
    char *out = h2o_mem_alloc_pool(&req->pool, 256), *p = out;
    size_t i;
    *p = '\0';
    for (i = 0; i + 1 < req->env.size; i += 2)
        p += snprintf(p, 256 - (p - out), "%s%.*s=%.*s", i == 0 ? "" : ",", (int)req->env.entries[i].len, req->env.entries[i].base,
                      (int)req->env.entries[i + 1].len, req->env.entries[i + 1].base);
    reply(req, 200, out);
    return 0;
}

/* --- error logs ------------------------------------------------------------------------------------ */

/* runs h2o_req_log_error with stderr sent to a temporary file; returns what was written */
static char *capture_log_error(h2o_req_t *req, int variant)
{
    char *out = h2o_mem_alloc_pool(&req->pool, 512);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    size_t n;
    fflush(stderr);
    dup2(fileno(tmp), 2);
    if (variant == 0)
        h2o_req_log_error(req, "test-module", "value=%d %s", 42, "text");
    else
        h2o_req_log_error(req, "args", "%d %d %d %d %d %d %d %d %.2f %s %.1f", 1, 2, 3, 4, 5, 6, 7, 8, 1.5, "nine", -2.25);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    n = fread(out, 1, 511, tmp);
    out[n] = '\0';
    fclose(tmp);
    return out;
}

static int on_log(h2o_handler_t *self, h2o_req_t *req)
{
    char *line = capture_log_error(req, path_is(req, "/log/args") ? 1 : 0);
    size_t n = req->error_logs.size;
    CHECK(n == 1, "one error log entry (%zu)", n);
    if (n == 1) {
        CHECK(strcmp(req->error_logs.entries[0].module, "test-module") == 0 || strcmp(req->error_logs.entries[0].module, "args") == 0,
              "the module is kept");
        if (path_is(req, "/log/args")) {
            CHECK_STR(req->error_logs.entries[0].msg.base, req->error_logs.entries[0].msg.len, "1 2 3 4 5 6 7 8 1.50 nine -2.2");
        } else {
            CHECK_STR(req->error_logs.entries[0].msg.base, req->error_logs.entries[0].msg.len, "value=42 text");
        }
    }
    reply(req, 200, line);
    return 0;
}

/* --- MIME attributes --------------------------------------------------------------------------------- */

static int on_mime(h2o_handler_t *self, h2o_req_t *req)
{
    int css_ok, as_is_ok;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/css; charset=utf-8"));
    h2o_req_fill_mime_attributes(req);
    css_ok = req->res.mime_attr != NULL && req->res.mime_attr->is_compressible &&
             req->res.mime_attr->priority == H2O_MIME_ATTRIBUTE_PRIORITY_HIGHEST;
    req->res.mime_attr = NULL;
    req->res.headers = (h2o_headers_t){NULL};
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/x-unknown"));
    h2o_req_fill_mime_attributes(req);
    as_is_ok = req->res.mime_attr == &h2o_mime_attributes_as_is;
    reply(req, 200, css_ok && as_is_ok ? "mime ok" : "mime wrong");
    return 0;
}

/* --- a copy of the request (h2o_init_request with a source) ----------------------------------------- */

static void noop_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
}

static int on_copy(h2o_handler_t *self, h2o_req_t *req)
{
    h2o_req_t copy;
    h2o_ostream_t final_ostr = {NULL, noop_send, NULL, NULL};
    ssize_t i;
    h2o_init_request(&copy, req->conn, req);
    CHECK(copy.conn == req->conn, "copy: the connection");
    CHECK_STR(copy.input.path.base, copy.input.path.len, "/copy?a=b");
    CHECK(copy.input.path.base != req->input.path.base, "copy: the path is copied");
    CHECK_STR(copy.input.method.base, copy.input.method.len, "POST");
    CHECK(copy.input.scheme == req->input.scheme && copy.version == req->version, "copy: scheme and version");
    CHECK(copy.entity.base == req->entity.base && copy.entity.len == 4, "copy: the body is shared");
    CHECK(copy.http1_is_persistent == req->http1_is_persistent, "copy: persistence");
    CHECK(copy.headers.size == req->headers.size, "copy: as many headers (%zu)", copy.headers.size);
    i = h2o_find_header_by_str(&copy.headers, H2O_STRLIT("x-custom"), -1);
    CHECK(i >= 0 && h2o_memis(copy.headers.entries[i].value.base, copy.headers.entries[i].value.len, H2O_STRLIT("c-value")),
          "copy: a non-token header and its value");
    CHECK(i >= 0 && copy.headers.entries[i].value.base != req->headers.entries[h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-custom"), -1)].value.base,
          "copy: the value is copied");
    CHECK(h2o_find_header(&copy.headers, H2O_TOKEN_ACCEPT, -1) >= 0, "copy: a token header");
    CHECK(copy.pathconf == NULL && copy.res.status == 0 && copy.res.content_length == SIZE_MAX, "copy: a fresh response");
    CHECK(copy.res.reason != NULL && strcmp(copy.res.reason, "OK") == 0, "copy: reason OK");
    CHECK(copy.preferred_chunk_size == SIZE_MAX, "copy: preferred_chunk_size");
    copy._ostr_top = &final_ostr;
    h2o_dispose_request(&copy);
    reply(req, 200, "copied");
    return 0;
}

/* --- util.c helpers ------------------------------------------------------------------------------------ */

static int on_util(h2o_handler_t *self, h2o_req_t *req)
{
    char *out = h2o_mem_alloc_pool(&req->pool, 512);
    if (path_is(req, "/util/proxy")) {
        char buf[H2O_PROXY_HEADER_MAX_LENGTH + 1];
        size_t n = h2o_stringify_proxy_header(req->conn, buf);
        snprintf(out, 512, "%.*s", (int)n, buf);
    } else if (path_is(req, "/util/compress")) {
        snprintf(out, 512, "%d", h2o_get_compressible_types(&req->headers));
    } else {
        h2o_iovec_t a = h2o_build_destination(req, H2O_STRLIT("http://up/x"), 1);
        h2o_iovec_t b = h2o_build_destination(req, H2O_STRLIT("http://up/x/"), 0);
        snprintf(out, 512, "%.*s|%.*s", (int)a.len, a.base, (int)b.len, b.base);
    }
    reply(req, 200, out);
    return 0;
}

static h2o_pathconf_t *add_path(h2o_hostconf_t *host, const char *path, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, path, 0);
    if (on_req != NULL)
        h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    return pathconf;
}

/* --- the client ----------------------------------------------------------------------------------------- */

static int get(const char *path, struct abi_response *res)
{
    char req[512];
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path);
    return abi_http_get(req, res);
}

static void *client_main(void *arg)
{
    struct abi_response res;
    char want[256];

    CHECK(get("/r/reprocess", &res), "reprocess");
    ABI_BODY_IS(res, "target GET /target?x=1 q=7 a=localhost rep=1 del=0 d=0");
    CHECK(get("/r/deferred", &res), "deferred delegated reprocess");
    ABI_BODY_IS(res, "target GET /target/deferred q=18446744073709551615 a=localhost rep=0 del=1 d=1");
    CHECK(get("/r/loop", &res), "reprocess loop");
    CHECK(res.status == 502, "502 after 5 reprocesses (%d)", res.status);
    ABI_BODY_IS(res, "too many internal reprocesses");
    CHECK(get("/r/dloop", &res), "delegation loop");
    CHECK(res.status == 502, "502 after max_delegations (%d)", res.status);
    ABI_BODY_IS(res, "too many internal delegations");
    CHECK(abi_http_get("POST /r/internal HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi", &res),
          "redirect internal");
    ABI_BODY_IS(res, "target GET /target?from=internal q=7 a=localhost rep=0 del=1 d=1");
    CHECK(get("/r/delegated-redirect", &res), "redirect of a delegated response");
    ABI_BODY_IS(res, "target GET /target?via=redirect q=7 a=localhost rep=0 del=2 d=1");

    CHECK(get("/delegate/now", &res), "delegate");
    ABI_BODY_IS(res, "handler B");
    CHECK(get("/delegate/deferred", &res), "delegate deferred");
    ABI_BODY_IS(res, "handler B");

    CHECK(get("/env", &res), "env");
    ABI_BODY_IS(res, "B=3,C=9,D=4,E=5,F=6");

    CHECK(get("/log", &res), "log");
    ABI_BODY_IS(res, "[test-module] in request:/log:value=42 text\n");
    CHECK(get("/log/args", &res), "log with float and stack arguments");
    ABI_BODY_IS(res, "[args] in request:/log/args:1 2 3 4 5 6 7 8 1.50 nine -2.2\n");
    CHECK(get("/log/a-path-of-32-or-more-bytes-gets-cut", &res), "log, long path");
    ABI_BODY_IS(res, "[test-module] in request:/log/a-path-of-32-or-more-byt...:value=42 text\n");
    CHECK(get("/quiet", &res), "log, quiet");
    ABI_BODY_IS(res, "");

    CHECK(get("/mime", &res), "mime");
    ABI_BODY_IS(res, "mime ok");

    CHECK(abi_http_get("POST /copy?a=b HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\nX-Custom: c-value\r\nContent-Length: 4\r\n"
                       "Connection: close\r\n\r\nbody",
                       &res),
          "copy");
    ABI_BODY_IS(res, "copied");

    CHECK(get("/util/a%20b/../c?q=1", &res), "build_destination");
    ABI_BODY_IS(res, "http://up/x/c?q=1|http://up/x/a%20b/../c?q=1");
    CHECK(get("/util/proxy", &res), "proxy header");
    snprintf(want, sizeof(want), " %u\r\n", (unsigned)abi_http_port);
    CHECK(strncmp(res.body, "PROXY TCP4 127.0.0.1 127.0.0.1 ", 31) == 0 && res.body_len > strlen(want) &&
              memcmp(res.body + res.body_len - strlen(want), want, strlen(want)) == 0,
          "PROXY TCP4 line: %.*s", (int)res.body_len, res.body);
    CHECK(abi_http_get("GET /util/compress HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: deflate, gzip\r\n"
                       "Accept-Encoding: BR\r\nConnection: close\r\n\r\n",
                       &res),
          "compressible types");
    ABI_BODY_IS(res, "3");
    CHECK(abi_http_get("GET /util/compress HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: br;q=1, identity\r\nConnection: close\r\n\r\n",
                       &res),
          "compressible types, a parameter");
    ABI_BODY_IS(res, "0");

    abi_http_client_done = 1;
    return NULL;
}

/* --- a request without a protocol ------------------------------------------------------------------------ */

struct capture_ostream {
    h2o_ostream_t super;
    char body[256];
    size_t len;
    int finals;
};

static void capture_send(h2o_ostream_t *_self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    struct capture_ostream *self = (void *)_self;
    size_t i;
    for (i = 0; i != bufcnt; ++i) {
        if (self->len + bufs[i].len < sizeof(self->body)) {
            memcpy(self->body + self->len, bufs[i].base, bufs[i].len);
            self->len += bufs[i].len;
        }
    }
    if (state != H2O_SEND_STATE_IN_PROGRESS)
        ++self->finals;
}

static void own_request(void)
{
    static const h2o_conn_callbacks_t callbacks; /* no socket behind this connection */
    struct timeval now;
    struct capture_ostream capture;
    h2o_conn_t *conn;
    h2o_req_t req;

    gettimeofday(&now, NULL);
    conn = h2o_create_connection(sizeof(*conn), &ctx, config.hosts, now, &callbacks);
    memset(&capture, 0, sizeof(capture));
    capture.super.do_send = capture_send;
    h2o_init_request(&req, conn, NULL);
    req.input.method = h2o_iovec_init(H2O_STRLIT("GET"));
    req.input.path = h2o_iovec_init(H2O_STRLIT("/target?own=1"));
    req.input.scheme = &H2O_URL_SCHEME_HTTP;
    req.input.authority = h2o_iovec_init(NULL, 0);
    req.version = 0x200; /* no chunked encoding of the body (2.2.5 chunks HTTP/1.1 ones in a filter) */
    req._ostr_top = &capture.super;
    h2o_process_request(&req);
    CHECK(req.hostconf == config.hosts[0], "own request: the first host");
    CHECK_STR(req.authority.base, req.authority.len, "localhost");
    CHECK(req.pathconf != NULL && h2o_memis(req.pathconf->path.base, req.pathconf->path.len, H2O_STRLIT("/target")),
          "own request: the /target path");
    CHECK(req.query_at == 7 && req.input.query_at == 7, "own request: query_at %zu", req.query_at);
    CHECK(req.processed_at.str != NULL, "own request: processed_at");
    CHECK(req.res.status == 200 && capture.finals == 1, "own request: answered (%d, %d finals)", req.res.status, capture.finals);
    CHECK_STR(capture.body, capture.len, "target GET /target?own=1 q=7 a=localhost rep=0 del=0 d=0");
    CHECK(req.bytes_sent == 0, "own request: bytes_sent is counted by the protocol's stream (%zu)", req.bytes_sent);
    h2o_dispose_request(&req);
    CHECK(target_logs == 1, "own request: logged when disposed of (%d)", target_logs);
    free(conn);
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_init_request), ABI_FN(h2o_process_request), ABI_FN(h2o_reprocess_request),
                                        ABI_FN(h2o_req_log_error), ABI_FN(h2o_config_setenv), ABI_FN(h2o_build_destination)};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_pathconf_t *pathconf;
    h2o_socket_t *listener;
    h2o_envconf_t *parent;
    h2o_status_handler_t sh;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    alarm(20);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&config);
    config.max_delegations = 2;
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("localhost")), 65535);
    pathconf = add_path(host, "/target", on_target);
    h2o_create_logger(pathconf, sizeof(h2o_logger_t))->log_access = log_target;
    add_path(host, "/r", on_redirects);
    pathconf = add_path(host, "/delegate", on_delegate_a);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_delegate_b;

    /* environments: a parent and a child (the path holds the child, the child the parent). The
     * variable the child unsets is the parent's last one: 2.2.5's inline h2o_req_unsetenv moves
     * bytes, not entries (it omits the sizeof), which garbles the list when another pair follows */
    pathconf = add_path(host, "/env", on_env);
    parent = h2o_config_create_envconf(NULL);
    h2o_config_setenv(parent, "B", "2");
    h2o_config_setenv(parent, "C", "9");
    h2o_config_setenv(parent, "A", "1");
    env_child = h2o_config_create_envconf(parent);
    h2o_mem_release_shared(parent);
    h2o_config_unsetenv(env_child, "A");
    h2o_config_setenv(env_child, "B", "3");
    h2o_config_setenv(env_child, "D", "4");
    h2o_config_setenv(env_child, "E", "5");
    h2o_config_unsetenv(env_child, "E"); /* 2.2.5: the set stays, and applies after the unsets */
    h2o_config_unsetenv(env_child, "F");
    h2o_config_setenv(env_child, "F", "6"); /* drops the unset */
    h2o_config_unsetenv(env_child, "A");    /* already there: no second entry */
    CHECK(env_child->parent == parent, "the child's parent");
    CHECK(env_child->unsets.size == 2 && env_child->sets.size == 8, "unsets %zu, sets %zu", env_child->unsets.size, env_child->sets.size);
    CHECK(env_child->sets.size == 8 && h2o_memis(env_child->sets.entries[1].base, env_child->sets.entries[1].len, H2O_STRLIT("3")),
          "B's value replaced in place");
    pathconf->env = env_child;

    add_path(host, "/log", on_log);
    add_path(host, "/quiet", on_log)->error_log.emit_request_errors = 0;
    add_path(host, "/mime", on_mime);
    add_path(host, "/copy", on_copy);
    add_path(host, "/util", on_util);

    /* status handlers: data only */
    memset(&sh, 0, sizeof(sh));
    sh.name = h2o_iovec_init(H2O_STRLIT("mine"));
    h2o_config_register_status_handler(&config, sh);
    h2o_config_register_simple_status_handler(&config, h2o_iovec_init(H2O_STRLIT("simple")), NULL);
    CHECK(config.statuses.size == 2, "two status handlers (%zu)", config.statuses.size);
    if (config.statuses.size == 2) {
        CHECK(config.statuses.entries[0].name.base == sh.name.base, "the first is a copy of the struct");
        CHECK(h2o_memis(config.statuses.entries[1].name.base, config.statuses.entries[1].name.len, H2O_STRLIT("simple")) &&
                  config.statuses.entries[1].name.base[6] == '\0',
              "the simple one's name is a NUL-terminated copy");
        /* h2o_config_dispose frees neither (2.2.5): the program does */
        free(config.statuses.entries[1].name.base);
    }
    free(config.statuses.entries);
    memset(&config.statuses, 0, sizeof(config.statuses));

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    own_request();

    listener = abi_http_listen(&ctx);
    if (listener != NULL)
        abi_http_serve(loop, listener, client_main, 2000);
    CHECK(target_logs == 5, "the requests served by /target were logged (%d)", target_logs);
    CHECK(last_logged_delegated == 2, "the last one with num_delegated 2 (%u)", last_logged_delegated);

    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    return abi_report("test_request");
}
