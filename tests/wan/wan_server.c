/*
 * wan_server: the WAN harness's HTTP server, a 2.2.5 embedder (h2o.h API only, so the same binary
 * runs on Debian's libh2o-evloop 2.2.5 and, through LD_LIBRARY_PATH, on ours).
 *
 *   wan_server ADDR PORT DOCROOT on|off MAX_SECONDS [CERT KEY]
 *
 * Serves DOCROOT with the file handler on ADDR:PORT, HTTP/1.1 and h2c (prior knowledge or
 * Upgrade) through h2o_accept; with CERT and KEY (PEM files), over TLS instead, set up as a 2.2.5
 * embedder does: an OpenSSL SSL_CTX (SSL_CTX_use_certificate_chain_file,
 * SSL_CTX_use_PrivateKey_file), h2o_ssl_register_alpn_protocols(ctx, h2o_http2_alpn_protocols)
 * and accept_ctx.ssl_ctx (Debian's 2.2.5 serves it with OpenSSL, ours through its SSL_CTX bridge). `on`: globalconf.http2.latency_optimization as h2o_config_init
 * leaves it (min_rtt 50 ms, max_additional_delay 10 %, max_cwnd 65535); `off`: min_rtt = UINT_MAX,
 * which disables the latency-optimized writes (2.2.5's documented switch). Prints "ready" on
 * WAN_TCP_CONGESTION=NAME: the listener's congestion control (TCP_CONGESTION, inherited by the
 * accepted connections; a namespace other than the host's cannot change its default to a
 * "restricted" one such as cubic when the host runs BBR). Prints "ready" on
 * stdout once listening, with the path of the library that serves h2o_config_init (and "103" when
 * it has h2o_send_informational, else "no103"); exits on SIGTERM / SIGINT or after MAX_SECONDS.
 *
 * /page?mode=M&think=T[&assets=small] (page_load.py's page, issue 11): a dynamic page from an
 * application that thinks T ms (a timer on the loop; default 200, at most 10000) before its final
 * response, an 8 KiB HTML whose assets, listed in `Link: <...>; rel=preload` headers, are DOCROOT's
 * page.css, page.js and hero.png (wan.sh makes them, 112 KiB: several initial congestion windows) or
 * with assets=small small.css and small.js (4 KiB: page and assets fit one initial window). M:
 *   nopush     final response after T, links marked `nopush` (the client fetches them itself)
 *   push       final response after T, links pushed (h2o_push_path_in_link_header, as 2.2.5 wants)
 *   103        `103 Early Hints` with the pushable links at once (h2o_send_informational: the
 *              pushes start then), final response after T
 *   103nopush  the same 103 with `nopush` links (a browser preloads them from the 103)
 * The 103 modes need h2o_send_informational, which Debian's 2.2.5 lacks: it is looked up with
 * dlsym at run time (so that this binary still loads on 2.2.5), and without it they answer 501.
 * WAN_NO_PUSH=1 (environment): hostconf http2.push_preload off, so the library pushes nothing (the
 * negative run of the wan-page-load ctest's checks).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <h2o.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static volatile sig_atomic_t stop;

/* --- /page: a page from a slow application, with push and 103 Early Hints ---------------------- */

/* H2O 2.3's / libh2o-rs's h2o_send_informational, NULL on Debian's 2.2.5 (found at run time) */
static void (*send_informational)(h2o_req_t *req);

static const char *const page_assets[2][3] = {{"/page.css", "/page.js", "/hero.png"}, {"/small.css", "/small.js", NULL}};
static const char *const page_as[3] = {"style", "script", "image"};
static char page_html[8192];
static size_t page_html_len;

/* one h2o_timeout_t per think time asked for (2.2.5's timeouts have one duration each) */
#define THINK_SLOTS 16
static struct {
    uint64_t ms;
    h2o_timeout_t timeout;
} think_slots[THINK_SLOTS];
static size_t think_slots_used;

enum page_mode { PAGE_NOPUSH, PAGE_PUSH, PAGE_103, PAGE_103_NOPUSH };

struct page_req {
    h2o_generator_t super;
    h2o_req_t *req;
    int push;  /* the final response's links are pushable */
    int small; /* the small asset set */
    h2o_timeout_entry_t timer; /* linked while the application "thinks" */
};

static void build_page(void)
{
    size_t n = (size_t)snprintf(page_html, sizeof(page_html),
                                "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>wan page</title>\n"
                                "<link rel=\"stylesheet\" href=\"/page.css\">\n<script src=\"/page.js\" defer></script>\n"
                                "</head>\n<body>\n<img src=\"/hero.png\" alt=\"\">\n");
    static const char para[] = "<p>A dynamic page: the application thought before it answered, the assets may come first.</p>\n";
    static const char tail[] = "</body>\n</html>\n";
    while (n + sizeof(para) - 1 + sizeof(tail) - 1 < sizeof(page_html)) {
        memcpy(page_html + n, para, sizeof(para) - 1);
        n += sizeof(para) - 1;
    }
    memcpy(page_html + n, tail, sizeof(tail) - 1);
    page_html_len = n + sizeof(tail) - 1;
}

/* `</page.css>; rel=preload; as=style, ...` (with `; nopush` on each unless push) */
static h2o_iovec_t page_links(h2o_mem_pool_t *pool, int push, int small)
{
    char *buf = h2o_mem_alloc_pool(pool, 256);
    size_t n = 0;
    for (size_t i = 0; i != 3 && page_assets[small][i] != NULL; ++i)
        n += (size_t)snprintf(buf + n, 256 - n, "%s<%s>; rel=preload; as=%s%s", i == 0 ? "" : ", ", page_assets[small][i], page_as[i],
                              push ? "" : "; nopush");
    return h2o_iovec_init(buf, n);
}

static void page_send(h2o_req_t *req, int push, int small)
{
    h2o_iovec_t body = h2o_iovec_init(page_html, page_html_len), links = page_links(&req->pool, push, small);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LINK, NULL, links.base, links.len);
    /* 2.2.5 pushes a handler's links when asked to (libh2o-rs pushes each path once either way) */
    if (push)
        h2o_push_path_in_link_header(req, links.base, links.len);
    req->res.content_length = body.len;
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

static void page_on_think_done(h2o_timeout_entry_t *entry)
{
    struct page_req *p = H2O_STRUCT_FROM_MEMBER(struct page_req, timer, entry);
    h2o_start_response(p->req, &p->super);
    page_send(p->req, p->push, p->small);
}

/* the request is being freed (the client may have gone while the application thought) */
static void page_dispose(void *v)
{
    struct page_req *p = v;
    if (h2o_timeout_is_linked(&p->timer))
        h2o_timeout_unlink(&p->timer);
}

/* the value of NAME= in the query (name at its start or after '&'), or an empty iovec */
static h2o_iovec_t query_param(h2o_req_t *req, const char *name)
{
    if (req->query_at == SIZE_MAX)
        return h2o_iovec_init(NULL, 0);
    const char *q = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nlen = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop_at = amp != NULL ? amp : end;
        if ((size_t)(stop_at - q) > nlen && memcmp(q, name, nlen) == 0 && q[nlen] == '=')
            return h2o_iovec_init(q + nlen + 1, (size_t)(stop_at - q) - nlen - 1);
        q = stop_at + 1;
    }
    return h2o_iovec_init(NULL, 0);
}

static int on_page(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")))
        return -1;
    h2o_iovec_t m = query_param(req, "mode"), t = query_param(req, "think"), a = query_param(req, "assets");
    enum page_mode mode;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("nopush")))
        mode = PAGE_NOPUSH;
    else if (h2o_memis(m.base, m.len, H2O_STRLIT("push")))
        mode = PAGE_PUSH;
    else if (h2o_memis(m.base, m.len, H2O_STRLIT("103")))
        mode = PAGE_103;
    else if (h2o_memis(m.base, m.len, H2O_STRLIT("103nopush")))
        mode = PAGE_103_NOPUSH;
    else {
        h2o_send_error_generic(req, 400, "Bad Request", "mode: nopush, push, 103 or 103nopush\n", 0);
        return 0;
    }
    uint64_t think = 200;
    if (t.len != 0) {
        char buf[16];
        if (t.len >= sizeof(buf))
            t.len = sizeof(buf) - 1;
        memcpy(buf, t.base, t.len);
        buf[t.len] = '\0';
        think = strtoull(buf, NULL, 10);
        if (think > 10000)
            think = 10000;
    }
    if ((mode == PAGE_103 || mode == PAGE_103_NOPUSH) && send_informational == NULL) {
        h2o_send_error_generic(req, 501, "Not Implemented", "this library has no h2o_send_informational\n", 0);
        return 0;
    }
    size_t slot;
    for (slot = 0; slot != think_slots_used && think_slots[slot].ms != think; ++slot)
        ;
    if (slot == think_slots_used) {
        if (think_slots_used == THINK_SLOTS) {
            h2o_send_error_generic(req, 400, "Bad Request", "too many different think times\n", 0);
            return 0;
        }
        think_slots[slot].ms = think;
        h2o_timeout_init(ctx.loop, &think_slots[slot].timeout, think);
        ++think_slots_used;
    }
    struct page_req *p = h2o_mem_alloc_shared(&req->pool, sizeof(*p), page_dispose);
    memset(p, 0, sizeof(*p));
    p->req = req;
    p->push = mode == PAGE_PUSH;
    p->small = h2o_memis(a.base, a.len, H2O_STRLIT("small"));
    p->timer.cb = page_on_think_done;
    if (mode == PAGE_103 || mode == PAGE_103_NOPUSH) {
        h2o_iovec_t links = page_links(&req->pool, mode == PAGE_103, p->small);
        req->res.status = 103;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LINK, NULL, links.base, links.len);
        send_informational(req); /* pushes the links now; status and headers are cleared for the final response */
    }
    h2o_timeout_link(ctx.loop, &think_slots[slot].timeout, &p->timer);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&accept_ctx, sock);
}

int main(int argc, char **argv)
{
    struct sockaddr_in addr;
    struct sigaction sa;
    int fd, on = 1;

    if ((argc != 6 && argc != 8) || (strcmp(argv[4], "on") != 0 && strcmp(argv[4], "off") != 0)) {
        fprintf(stderr, "usage: %s ADDR PORT DOCROOT on|off MAX_SECONDS [CERT KEY]\n", argv[0]);
        return 2;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "wan_server: bad address %s\n", argv[1]);
        return 2;
    }
    time_t end = time(NULL) + atoi(argv[5]);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    h2o_config_init(&config);
    if (strcmp(argv[4], "off") == 0)
        config.http2.latency_optimization.min_rtt = UINT_MAX;
    h2o_hostconf_t *hostconf = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    if (getenv("WAN_NO_PUSH") != NULL && strcmp(getenv("WAN_NO_PUSH"), "1") == 0)
        hostconf->http2.push_preload = 0;
    build_page();
    h2o_handler_t *page = h2o_create_handler(h2o_config_register_path(hostconf, "/page", 0), sizeof(*page));
    page->on_req = on_page;
    h2o_file_register(h2o_config_register_path(hostconf, "/", 0), argv[3], NULL, NULL, 0);
    *(void **)&send_informational = dlsym(RTLD_DEFAULT, "h2o_send_informational");

    h2o_context_init(&ctx, h2o_evloop_create(), &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    if (argc == 8) {
        SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
        if (ssl_ctx == NULL || SSL_CTX_use_certificate_chain_file(ssl_ctx, argv[6]) != 1 ||
            SSL_CTX_use_PrivateKey_file(ssl_ctx, argv[7], SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ssl_ctx) != 1) {
            fprintf(stderr, "wan_server: cannot set up the SSL_CTX with %s and %s:\n", argv[6], argv[7]);
            ERR_print_errors_fp(stderr);
            return 1;
        }
        h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
        accept_ctx.ssl_ctx = ssl_ctx;
    }

    const char *cc = getenv("WAN_TCP_CONGESTION");
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0 ||
        (cc != NULL && *cc != '\0' && setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)) != 0)) {
        fprintf(stderr, "wan_server: cannot listen on %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    h2o_socket_t *listener = h2o_evloop_socket_create(ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, on_accept);
    Dl_info info;
    char ccname[32] = "?";
    socklen_t cclen = sizeof(ccname) - 1;
    getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, ccname, &cclen);
    printf("ready %s %s %s %s\n", dladdr((void *)h2o_config_init, &info) != 0 && info.dli_fname != NULL ? info.dli_fname : "?", ccname,
           accept_ctx.ssl_ctx != NULL ? "tls" : "h2c", send_informational != NULL ? "103" : "no103");
    fflush(stdout);

    while (!stop && time(NULL) < end)
        h2o_evloop_run(ctx.loop, 200);
    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    return 0;
}
