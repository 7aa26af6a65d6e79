/*
 * embedder: a small web server built on the libh2o 2.2.5 embedding API, and nothing else.
 *
 * It is written the way programs using Debian's libh2o-evloop are written, so the same source
 * builds against Debian's headers and runs on Debian's library or on libh2o-rs (tests/abi does
 * exactly that). What it serves on 127.0.0.1:
 *
 *   /            the files of a document root (h2o_file_register: MIME types, index.html, Range,
 *                ETag and Last-Modified with 304 answers, HEAD)
 *   /post-test   POST: the request body echoed back (Content-Length or chunked uploads,
 *                Expect: 100-continue); other methods: 405
 *   /chunked     a streamed response: eight pieces, one every 100 ms, each sent by a generator
 *                when the library asks for more (proceed) and a timer has fired
 *   /headers     the request as the server saw it: method, path, version, peer, every header
 *   /push        a page whose stylesheet and script are pushed over HTTP/2: its response has
 *                `Link: </style.css>; rel=preload, </app.js>; rel=preload` (given to
 *                h2o_push_path_in_link_header as 2.2.5 wants). With a library that has
 *                h2o_send_informational (libh2o-rs), the page first answers "103 Early Hints" with
 *                those links (the pushes start then), and the page follows 100 ms later, as from
 *                a slow application. `/push?nohints` skips the 103; `/push?nopush` too, and its
 *                links are ones that must not be pushed (`nopush`, another authority). CASPer is on
 *                (capacity 13 bits): the response's `Set-Cookie: h2o_casper=...` lists what was
 *                pushed, and a visit with that cookie gets no push of those. EMBEDDER_NO_PUSH=1
 *                (environment) turns push_preload and CASPer off (the tests' negative run),
 *                EMBEDDER_NO_CASPER=1 CASPer alone. `/push?nohints&v=V` (V: up to 20 letters and
 *                digits) pushes /style.css?v=V and /app.js?v=V instead: a path is pushed once per
 *                connection, so a load generator asking for pages on a kept connection varies V.
 *   /.well-known/h2/state
 *                over HTTP/2: the connection's state as JSON (h2o_http2_debug_state_register);
 *                over HTTP/1: 404
 *
 * HTTP/1.1 and HTTP/2 over cleartext (prior knowledge or Upgrade: h2c) on the same port: h2o_accept
 * tells them apart, and the handlers above serve both.
 *
 * and it writes an access log (Apache's combined format, or EMBEDDER_LOG_FORMAT) to standard output.
 *
 *   embedder [PORT [DOCROOT]]      PORT: default 8080, 0 picks a free one; DOCROOT: the demo site
 *
 * Built against libh2o-rs (h2o/rs_tls.h present) and given EMBEDDER_TLS_CERT and EMBEDDER_TLS_KEY
 * (PEM files), it also serves the same site over TLS (h2 by ALPN, else HTTP/1.1) on
 * EMBEDDER_TLS_PORT (default 8443; 0 picks a free one), configured through libh2o-rs' native TLS API.
 *
 * SIGINT / SIGTERM: stop accepting, ask the library to wind connections down
 * (h2o_context_request_shutdown) and exit once they are gone (at most 10 s later); a second signal
 * exits at once.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <h2o.h>
#if defined(__has_include)
#if __has_include(<h2o/rs_tls.h>)
#include <h2o/rs_tls.h> /* libh2o-rs' TLS extension: present when built against libh2o-rs */
#endif
#endif

#ifndef EMBEDDER_SITE_DIR
#define EMBEDDER_SITE_DIR "site"
#endif

#define CHUNKED_PIECES 8
#define CHUNKED_INTERVAL_MS 100
#define SHUTDOWN_GRACE_MS 10000

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static h2o_timeout_t chunked_timeout; /* the 100 ms pause between two pieces of /chunked */
static h2o_socket_t *listener;
static h2o_socket_t *tls_listener;
#ifdef H2O_RS_TLS
static h2o_accept_ctx_t tls_accept_ctx;
#endif
static size_t num_connections;
static volatile sig_atomic_t signals_received;

/* --- /post-test ------------------------------------------------------------------------------- */

static int on_post_test(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL}; /* nothing to proceed or stop: one h2o_send */
    ssize_t ct;
    (void)self;

    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"))) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, H2O_STRLIT("POST"));
        h2o_send_error_405(req, "Method Not Allowed", "POST a body here and it comes back\n", H2O_SEND_ERROR_KEEP_HEADERS);
        return 0;
    }
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = req->entity.len;
    if ((ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1)) != -1)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, req->headers.entries[ct].value.base,
                       req->headers.entries[ct].value.len);
    else
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/octet-stream"));
    h2o_start_response(req, &generator);
    h2o_send(req, &req->entity, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

/* --- /chunked: a generator paced by the library (proceed) and by a timer ------------------------- */

struct chunked_generator {
    h2o_generator_t super;
    h2o_req_t *req;
    h2o_timeout_entry_t timer; /* linked while waiting to send the next piece */
    uint64_t started_at;
    int sent;
    char piece[96];
};

static void chunked_send_piece(struct chunked_generator *g)
{
    h2o_iovec_t buf;
    int n;
    ++g->sent;
    n = snprintf(g->piece, sizeof(g->piece), "piece %d of %d, %3llu ms after the request\n", g->sent, CHUNKED_PIECES,
                 (unsigned long long)(h2o_now(ctx.loop) - g->started_at));
    buf = h2o_iovec_init(g->piece, (size_t)n);
    /* g->piece must stay untouched until proceed: the next piece is only written after it */
    h2o_send(g->req, &buf, 1, g->sent == CHUNKED_PIECES ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void chunked_on_timer(h2o_timeout_entry_t *entry)
{
    chunked_send_piece(H2O_STRUCT_FROM_MEMBER(struct chunked_generator, timer, entry));
}

/* the previous piece has left: wait a little, then send the next */
static void chunked_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct chunked_generator *g = (struct chunked_generator *)self;
    (void)req;
    h2o_timeout_link(ctx.loop, &chunked_timeout, &g->timer);
}

/* the client went away: the generator (in the request's pool) is about to be freed */
static void chunked_stop(h2o_generator_t *self, h2o_req_t *req)
{
    struct chunked_generator *g = (struct chunked_generator *)self;
    (void)req;
    if (h2o_timeout_is_linked(&g->timer))
        h2o_timeout_unlink(&g->timer);
}

static int on_chunked(h2o_handler_t *self, h2o_req_t *req)
{
    struct chunked_generator *g;
    (void)self;
    if (!(h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
          h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))))
        return -1;
    g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    memset(g, 0, sizeof(*g));
    g->super.proceed = chunked_proceed;
    g->super.stop = chunked_stop;
    g->req = req;
    g->timer.cb = chunked_on_timer;
    g->started_at = h2o_now(ctx.loop);
    req->res.status = 200;
    req->res.reason = "OK";
    /* no content_length: HTTP/1.1 clients get Transfer-Encoding: chunked */
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_start_response(req, &g->super);
    chunked_send_piece(g);
    return 0;
}

/* --- /push: server push from Link headers, after a 103 where the library has it ----------------- */

#define PUSH_LINKS "</style.css>; rel=preload; as=style, </app.js>; rel=preload; as=script"
#define NOPUSH_LINKS "</style.css>; rel=preload; nopush, <//other.example/app.js>; rel=preload"

/* the query is Q, or Q followed by "&v=" and a version (up to 20 letters and digits); the version,
 * if any, in *ver */
static int query_is_v(h2o_req_t *req, const char *q, size_t len, h2o_iovec_t *ver)
{
    const char *p;
    size_t n, i;
    *ver = h2o_iovec_init(NULL, 0);
    if (req->query_at == SIZE_MAX)
        return 0;
    p = req->path.base + req->query_at;
    n = req->path.len - req->query_at;
    if (n < len || memcmp(p, q, len) != 0)
        return 0;
    if (n == len)
        return 1;
    if (n - len < 4 || n - len > 3 + 20 || memcmp(p + len, "&v=", 3) != 0)
        return 0;
    for (i = len + 3; i != n; ++i)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
            return 0;
    *ver = h2o_iovec_init(p + len + 3, n - len - 3);
    return 1;
}

static int query_is(h2o_req_t *req, const char *q, size_t len)
{
    h2o_iovec_t ver;
    return query_is_v(req, q, len, &ver);
}

static const char push_page[] = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
                                "  <title>libh2o-rs \xc2\xb7 server push</title>\n"
                                "  <link rel=\"stylesheet\" href=\"/style.css\">\n  <script src=\"/app.js\" defer></script>\n"
                                "</head>\n<body>\n  <main>\n    <section class=\"card\">\n      <h2>Server push</h2>\n"
                                "      <p>Over HTTP/2 the stylesheet and the script of this page were pushed (PUSH_PROMISE) "
                                "before the page itself; a repeat visit with the <code>h2o_casper</code> cookie gets no "
                                "push.</p>\n    </section>\n  </main>\n</body>\n</html>\n";

struct push_generator {
    h2o_generator_t super;
    h2o_req_t *req;
    h2o_timeout_entry_t timer; /* linked while the "slow application" works */
};

static void push_send_page(h2o_req_t *req)
{
    h2o_iovec_t body = h2o_iovec_init(push_page, sizeof(push_page) - 1);
    h2o_iovec_t ver, links = query_is(req, H2O_STRLIT("?nopush")) ? h2o_iovec_init(H2O_STRLIT(NOPUSH_LINKS))
                                                                  : h2o_iovec_init(H2O_STRLIT(PUSH_LINKS));
    /* `?nohints&v=V`: the pushed paths carry `?v=V`, so that each version is pushed again on a
     * connection (both libraries push a path once per connection; benches/server/push.sh) */
    if (query_is_v(req, H2O_STRLIT("?nohints"), &ver) && ver.len != 0) {
        size_t cap = sizeof(PUSH_LINKS) + 2 * (3 + ver.len);
        links.base = h2o_mem_alloc_pool(&req->pool, cap);
        links.len = (size_t)snprintf(links.base, cap, "</style.css?v=%.*s>; rel=preload; as=style, </app.js?v=%.*s>; rel=preload; as=script",
                                     (int)ver.len, ver.base, (int)ver.len, ver.base);
    }
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    /* 2.2.5 pushes a handler's links only when asked to; libh2o-rs pushes each path once */
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LINK, NULL, links.base, links.len);
    h2o_push_path_in_link_header(req, links.base, links.len);
    req->res.content_length = body.len;
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

static void push_on_timer(h2o_timeout_entry_t *entry)
{
    struct push_generator *g = H2O_STRUCT_FROM_MEMBER(struct push_generator, timer, entry);
    h2o_start_response(g->req, &g->super);
    push_send_page(g->req);
}

/* the request is being freed (the client may have gone during the wait): the timer must not fire */
static void push_dispose(void *p)
{
    struct push_generator *g = p;
    if (h2o_timeout_is_linked(&g->timer))
        h2o_timeout_unlink(&g->timer);
}

static int on_push(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL};
    (void)self;
    if (!(h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
          h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))))
        return -1;
#ifdef H2O_HAS_SEND_INFORMATIONAL
    if (!query_is(req, H2O_STRLIT("?nohints")) && !query_is(req, H2O_STRLIT("?nopush"))) {
        struct push_generator *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), push_dispose);
        memset(g, 0, sizeof(*g));
        g->req = req;
        g->timer.cb = push_on_timer;
        req->res.status = 103;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LINK, NULL, H2O_STRLIT(PUSH_LINKS));
        h2o_send_informational(req); /* status and headers are cleared for the final response */
        h2o_timeout_link(ctx.loop, &chunked_timeout, &g->timer);
        return 0;
    }
#else
    (void)push_dispose;
    (void)push_on_timer;
#endif
    h2o_start_response(req, &generator);
    push_send_page(req);
    return 0;
}

/* --- /headers ----------------------------------------------------------------------------------- */

static int on_headers(h2o_handler_t *self, h2o_req_t *req)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    char host[NI_MAXHOST] = "?", *body;
    int32_t port = -1;
    const char *query = "(none)";
    int query_len = 6;
    size_t i, cap, len;
    (void)self;

    if (req->query_at != SIZE_MAX) {
        query = req->path.base + req->query_at;
        query_len = (int)(req->path.len - req->query_at);
    }

    if ((sslen = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss)) != 0) {
        if (h2o_socket_getnumerichost((struct sockaddr *)&ss, sslen, host) == SIZE_MAX)
            strcpy(host, "?");
        port = h2o_socket_getport((struct sockaddr *)&ss);
    }
    /* room for the fixed lines plus every header line */
    cap = 512 + req->method.len + req->path.len + req->authority.len + req->path_normalized.len;
    for (i = 0; i != req->headers.size; ++i)
        cap += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 4;
    body = h2o_mem_alloc_pool(&req->pool, cap);
    len = (size_t)snprintf(body, cap,
                           "%.*s %.*s HTTP/%d.%d\n"
                           "authority:       %.*s\n"
                           "path_normalized: %.*s\n"
                           "query:           %.*s\n"
                           "peer:            %s:%d\n"
                           "body bytes:      %zu\n"
                           "%zu headers:\n",
                           (int)req->method.len, req->method.base, (int)req->path.len, req->path.base, req->version >> 8,
                           req->version & 0xff, (int)req->authority.len, req->authority.base, (int)req->path_normalized.len,
                           req->path_normalized.base, query_len, query,
                           host, (int)port, req->entity.len, req->headers.size);
    for (i = 0; i != req->headers.size; ++i) {
        const h2o_header_t *h = req->headers.entries + i;
        len += (size_t)snprintf(body + len, cap - len, "  %.*s: %.*s\n", (int)h->name->len, h->name->base, (int)h->value.len,
                                h->value.base);
    }
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_send_inline(req, body, len);
    return 0;
}

/* --- connections --------------------------------------------------------------------------------- */

static void on_connection_close(void *data)
{
    (void)data;
    --num_connections;
}

static void on_accept(h2o_socket_t *listen_sock, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listen_sock)) != NULL) {
        ++num_connections;
        sock->on_close.cb = on_connection_close; /* the library leaves on_close to the embedder */
        sock->on_close.data = NULL;
        h2o_accept(listen_sock->data, sock);
    }
}

static int create_listener(unsigned short port, h2o_accept_ctx_t *actx, h2o_socket_t **out)
{
    struct sockaddr_in addr;
    socklen_t addrlen = sizeof(addr);
    int fd, on = 1;

    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(fd, SOMAXCONN) != 0 || getsockname(fd, (struct sockaddr *)&addr, &addrlen) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    *out = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    (*out)->data = actx;
    h2o_socket_read_start(*out, on_accept);
    return ntohs(addr.sin_port);
}

static void on_signal(int signo)
{
    (void)signo;
    if (++signals_received >= 2)
        _exit(1);
}

/* --- configuration -------------------------------------------------------------------------------- */

static void register_handler(h2o_hostconf_t *hostconf, const char *path, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(hostconf, path, 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
}

static int parse_port(const char *s, unsigned short *port)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
        return -1;
    *port = (unsigned short)v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned short port = 8080;
    const char *docroot = argc > 2 ? argv[2] : EMBEDDER_SITE_DIR;
    h2o_hostconf_t *hostconf;
    h2o_access_log_filehandle_t *logfh;
    h2o_evloop_t *loop;
    struct sigaction sa;
    struct stat st;
    uint64_t deadline;
    size_t i;
    int bound;

    if (argc > 3 || (argc > 1 && parse_port(argv[1], &port) != 0)) {
        fprintf(stderr, "usage: %s [PORT [DOCROOT]]   (PORT 0..65535, default 8080; 0 picks a free port)\n", argv[0]);
        return 2;
    }
    if (stat(docroot, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "embedder: document root %s is not a directory\n", docroot);
        return 1;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_signal; /* no SA_RESTART: the signal also cuts the loop's wait short */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    h2o_config_init(&config);
    hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    register_handler(hostconf, "/post-test", on_post_test);
    register_handler(hostconf, "/chunked", on_chunked);
    register_handler(hostconf, "/headers", on_headers);
    register_handler(hostconf, "/push", on_push);
    /* CASPer: the client's cache fingerprint in the h2o_casper cookie; what it has is not pushed */
    hostconf->http2.casper.capacity_bits = 13;
    if (getenv("EMBEDDER_NO_CASPER") != NULL && strcmp(getenv("EMBEDDER_NO_CASPER"), "1") == 0)
        hostconf->http2.casper.capacity_bits = 0; /* push without CASPer (benches/server/push.sh) */
    if (getenv("EMBEDDER_NO_PUSH") != NULL && strcmp(getenv("EMBEDDER_NO_PUSH"), "1") == 0) {
        hostconf->http2.push_preload = 0;
        hostconf->http2.casper.capacity_bits = 0;
    }
    h2o_http2_debug_state_register(hostconf, 0); /* /.well-known/h2/state, without the HPACK tables */
    h2o_file_register(h2o_config_register_path(hostconf, "/", 0), docroot, NULL, NULL, 0);

    /* one access log for every path, and for requests no path matched (hostconf->fallback_path);
     * registered after the paths because registering a path may move the earlier pathconfs */
    if ((logfh = h2o_access_log_open_handle("/dev/stdout", getenv("EMBEDDER_LOG_FORMAT"), H2O_LOGCONF_ESCAPE_APACHE)) == NULL) {
        fprintf(stderr, "embedder: cannot open the access log on /dev/stdout\n");
        return 1;
    }
    for (i = 0; i != hostconf->paths.size; ++i)
        h2o_access_log_register(hostconf->paths.entries + i, logfh);
    h2o_access_log_register(&hostconf->fallback_path, logfh);
    h2o_mem_release_shared(logfh); /* each logger holds its own reference; this one was ours */

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    h2o_timeout_init(ctx.loop, &chunked_timeout, CHUNKED_INTERVAL_MS);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;

    if ((bound = create_listener(port, &accept_ctx, &listener)) < 0) {
        fprintf(stderr, "embedder: cannot listen on 127.0.0.1:%u: %s\n", port, strerror(errno));
        return 1;
    }
    fprintf(stderr, "embedder: serving %s on http://127.0.0.1:%d/ (Ctrl-C stops)\n", docroot, bound);
#ifdef H2O_RS_TLS
    h2o_rs_tls_config_t *tls = NULL;
    if (getenv("EMBEDDER_TLS_CERT") != NULL && getenv("EMBEDDER_TLS_KEY") != NULL) {
        char err[512];
        unsigned short tls_port = 8443;
        if (getenv("EMBEDDER_TLS_PORT") != NULL && parse_port(getenv("EMBEDDER_TLS_PORT"), &tls_port) != 0) {
            fprintf(stderr, "embedder: EMBEDDER_TLS_PORT is not a port\n");
            return 2;
        }
        if ((tls = h2o_rs_tls_config_new_from_pem(getenv("EMBEDDER_TLS_CERT"), getenv("EMBEDDER_TLS_KEY"), err, sizeof(err))) == NULL) {
            fprintf(stderr, "embedder: TLS: %s\n", err);
            return 1;
        }
        /* EMBEDDER_TLS_SNI="name:cert:key": one more certificate, chosen by SNI */
        if (getenv("EMBEDDER_TLS_SNI") != NULL) {
            char sni[1024], *name = sni, *cert, *key;
            snprintf(sni, sizeof(sni), "%s", getenv("EMBEDDER_TLS_SNI"));
            if ((cert = strchr(name, ':')) == NULL || (key = strchr(cert + 1, ':')) == NULL) {
                fprintf(stderr, "embedder: EMBEDDER_TLS_SNI is name:cert:key\n");
                return 2;
            }
            *cert++ = '\0';
            *key++ = '\0';
            if (h2o_rs_tls_config_add_sni(tls, name, cert, key, err, sizeof(err)) != 0) {
                fprintf(stderr, "embedder: TLS SNI: %s\n", err);
                return 1;
            }
        }
        tls_accept_ctx = accept_ctx;
        h2o_rs_tls_accept_ctx_set(&tls_accept_ctx, tls);
        if ((bound = create_listener(tls_port, &tls_accept_ctx, &tls_listener)) < 0) {
            fprintf(stderr, "embedder: cannot listen on 127.0.0.1:%u: %s\n", tls_port, strerror(errno));
            return 1;
        }
        fprintf(stderr, "embedder: serving %s on https://127.0.0.1:%d/ (TLS: h2 and http/1.1)\n", docroot, bound);
    }
#endif

    while (!signals_received)
        h2o_evloop_run(ctx.loop, 1000);

    /* graceful shutdown: no new connections; the library finishes or closes the open ones */
    fprintf(stderr, "embedder: shutting down (%zu connection%s open)\n", num_connections, num_connections == 1 ? "" : "s");
    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    if (tls_listener != NULL) {
        h2o_socket_read_stop(tls_listener);
        h2o_socket_close(tls_listener);
    }
    h2o_context_request_shutdown(&ctx);
    deadline = h2o_now(ctx.loop) + SHUTDOWN_GRACE_MS;
    while (num_connections != 0 && h2o_now(ctx.loop) < deadline)
        h2o_evloop_run(ctx.loop, 100);
    if (num_connections != 0) {
        fprintf(stderr, "embedder: %zu connection%s still open after %d ms; exiting anyway\n", num_connections,
                num_connections == 1 ? "" : "s", SHUTDOWN_GRACE_MS);
        return 1;
    }
    /* 2.2.5's HTTP/2 layer answers the shutdown request with a one-second timer even when it has no
     * connection, and h2o_context_dispose must not find it pending: let it fire (bounded) */
    while (!h2o_linklist_is_empty(&ctx.one_sec_timeout._entries) && h2o_now(ctx.loop) < deadline + 2000)
        h2o_evloop_run(ctx.loop, 100);
    h2o_timeout_dispose(loop, &chunked_timeout);
    h2o_context_dispose(&ctx);
    h2o_evloop_destroy(loop);
    h2o_config_dispose(&config);
#ifdef H2O_RS_TLS
    h2o_rs_tls_config_free(tls);
#endif
    fprintf(stderr, "embedder: stopped\n");
    return 0;
}
