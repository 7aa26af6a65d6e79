/*
 * A small 2.2.5-style embedder for the curl test (curl_http1.sh): serves on 127.0.0.1 (port 0; the
 * chosen port is written to argv[1]) until a request for /quit or argv[2] seconds have passed.
 * Handlers: /hello (h2o_send_inline), /stream (a generator, four h2o_send calls), /echo (the
 * request body), /redirect; anything else is 404.
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
    int sent;
    char buf[32];
};

static void stream_next(struct stream_gen *g, h2o_req_t *req)
{
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent));
    ++g->sent;
    h2o_send(req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    stream_next((struct stream_gen *)self, req);
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
        g->super.proceed = stream_proceed;
        g->super.stop = NULL;
        g->sent = 0;
        h2o_start_response(req, &g->super);
        stream_next(g, req);
    } else if (path_is(req, "/echo")) {
        h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (path_is(req, "/redirect")) {
        h2o_send_redirect(req, 301, "Moved Permanently", H2O_STRLIT("/hello"));
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

    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT_FILE MAX_SECONDS\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    deadline = time(NULL) + atoi(argv[2]);
    h2o_config_init(&config);
    config.max_request_entity_size = 1024 * 1024;
    pathconf = h2o_config_register_path(h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535), "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
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
    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    if (!quit) {
        fprintf(stderr, "serve_http1: timed out without /quit\n");
        return 1;
    }
    return 0;
}
