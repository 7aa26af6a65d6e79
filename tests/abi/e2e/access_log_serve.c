/*
 * A 2.2.5-style embedder with access logs, for access_log_curl.sh: serves on 127.0.0.1 (port 0;
 * the port is written to argv[1]) until a request for /quit or argv[2] seconds have passed, and
 * logs every request under argv[3] as H2O's examples/libh2o/simple.c does
 * (h2o_access_log_register(pathconf, h2o_access_log_open_handle(path, fmt, escape))):
 *   default.log  the default format (fmt NULL)
 *   custom.log   the timings, status, bytes, user agent, content type and request fields
 *   json.log     a JSON line per request (H2O_LOGCONF_ESCAPE_JSON)
 *   piped.log    through "| cat >> piped.log"
 * Handlers: /hello (text/plain "hello\n"), /stream (a generator, four h2o_send calls, 100 ms apart),
 * /echo (the request body), /quit; anything else is 404. On exit the configuration and the
 * caller's handle references are released, so the piped command sees EOF.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <h2o.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static int quit;

static int path_is(h2o_req_t *req, const char *p)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, p, strlen(p));
}

struct stream_gen {
    h2o_generator_t super;
    h2o_timeout_entry_t timer;
    h2o_req_t *req;
    int sent;
    char buf[32];
};

static h2o_timeout_t stream_timeout; /* 100 ms */

static void stream_send(struct stream_gen *g)
{
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent));
    ++g->sent;
    h2o_send(g->req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_on_timer(h2o_timeout_entry_t *entry)
{
    struct stream_gen *g = (void *)((char *)entry - offsetof(struct stream_gen, timer));
    stream_send(g);
}

/* each part goes out 100 ms after the previous one left, so the response takes about 300 ms */
static void stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_gen *g = (struct stream_gen *)self;
    (void)req;
    h2o_timeout_link(ctx.loop, &stream_timeout, &g->timer);
}

static void stream_stop(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_gen *g = (struct stream_gen *)self;
    (void)req;
    if (h2o_timeout_is_linked(&g->timer))
        h2o_timeout_unlink(&g->timer);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    if (path_is(req, "/hello")) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
        h2o_send_inline(req, H2O_STRLIT("hello\n"));
    } else if (path_is(req, "/stream")) {
        struct stream_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
        memset(g, 0, sizeof(*g));
        g->super.proceed = stream_proceed;
        g->super.stop = stream_stop;
        g->timer.cb = stream_on_timer;
        g->req = req;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/octet-stream"));
        h2o_start_response(req, &g->super);
        stream_send(g);
    } else if (path_is(req, "/echo")) {
        h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (path_is(req, "/quit")) {
        quit = 1;
        h2o_send_inline(req, H2O_STRLIT("bye\n"));
    } else {
        return -1;
    }
    return 0;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&accept_ctx, sock);
}

static h2o_access_log_filehandle_t *open_log(const char *dir, const char *name, const char *fmt, int escape)
{
    char path[1024];
    snprintf(path, sizeof(path), name[0] == '|' ? "| cat >> %s/%s" : "%s/%s", dir, name[0] == '|' ? name + 1 : name);
    h2o_access_log_filehandle_t *fh = h2o_access_log_open_handle(path, fmt, escape);
    if (fh == NULL) {
        fprintf(stderr, "cannot open the access log %s\n", path);
        exit(1);
    }
    return fh;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_pathconf_t *pathconf;
    h2o_socket_t *listener;
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd, reuse = 1, i;
    time_t deadline;
    FILE *fp;
    h2o_access_log_filehandle_t *logs[4];

    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT_FILE MAX_SECONDS LOG_DIR\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    deadline = time(NULL) + atoi(argv[2]);
    h2o_config_init(&config);
    pathconf = h2o_config_register_path(h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535), "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    logs[0] = open_log(argv[3], "default.log", NULL, H2O_LOGCONF_ESCAPE_APACHE);
    logs[1] = open_log(argv[3], "custom.log",
                       "%{duration}x %{request-total-time}x %{request-header-time}x %{request-body-time}x %{process-time}x "
                       "%{response-time}x %{connect-time}x %s %>s %b \"%{user-agent}i\" \"%{content-type}o\" %m %U %q| %H "
                       "%{remote}p %p %A %{x-missing}i %{connection-id}x %{sec}t %{http1.request-index}x",
                       H2O_LOGCONF_ESCAPE_APACHE);
    logs[2] = open_log(argv[3], "json.log",
                       "{\"status\":%s,\"path\":\"%U\",\"ua\":\"%{user-agent}i\",\"referer\":\"%{referer}i\",\"ct\":\"%{content-type}o\"}",
                       H2O_LOGCONF_ESCAPE_JSON);
    logs[3] = open_log(argv[3], "|piped.log", "%h %r %s", H2O_LOGCONF_ESCAPE_APACHE);
    for (i = 0; i != 4; ++i)
        h2o_access_log_register(pathconf, logs[i]);
    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    h2o_timeout_init(loop, &stream_timeout, 100);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 16) != 0) {
        perror("listen");
        return 1;
    }
    getsockname(fd, (struct sockaddr *)&sin, &slen);
    listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, on_accept);
    if ((fp = fopen(argv[1], "w")) == NULL) {
        perror(argv[1]);
        return 1;
    }
    fprintf(fp, "%u\n", ntohs(sin.sin_port));
    fclose(fp);

    while (!quit && time(NULL) < deadline)
        h2o_evloop_run(loop, 100);
    for (i = 0; i < 10; ++i)
        h2o_evloop_run(loop, 10);
    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_evloop_run(loop, 0);
    h2o_timeout_dispose(loop, &stream_timeout);
    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    for (i = 0; i != 4; ++i)
        h2o_mem_release_shared(logs[i]);
    h2o_evloop_destroy(loop);
    if (!quit) {
        fprintf(stderr, "access_log_serve: timed out without /quit\n");
        return 1;
    }
    return 0;
}
