/*
 * What the end-to-end test servers (serve_http1.c, http1_server.c, file_serve.c, access_log_serve.c, h2c_serve.c)
 * share. 2.2.5 API only, so that each builds against Debian's headers and against ours.
 *
 *   usage: PROGRAM PORT_FILE MAX_SECONDS [more arguments of the program]
 *
 * The server listens on 127.0.0.1, port 0 (the kernel picks one; it is written to PORT_FILE for the
 * driving script), hands every accepted connection to h2o_accept, and serves until a handler sets
 * e2e_quit (the programs do it on /quit) or MAX_SECONDS have passed; the exit status is 1 in the
 * second case. A program:
 *
 *   e2e_init(argc, argv, n, "ARGS...")   checks the command line, ignores SIGPIPE, h2o_config_init
 *   ... registers its hosts and handlers on e2e_config ...
 *   loop = e2e_listen()                 loop, context (e2e_ctx), listener, port file; NULL on failure
 *   e2e_serve(loop, turns, until_idle)  serves, drains, closes the listener
 *   (e2e_stream_start(req, type): a /stream response, see below)
 *   ... disposes of what it created on the loop itself (timeouts) ...
 *   return e2e_finish(loop, "name")     context, configuration, loop; the exit status
 */
#ifndef E2E_SERVER_H
#define E2E_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <h2o.h>

static h2o_globalconf_t e2e_config;
static h2o_context_t e2e_ctx;
static h2o_accept_ctx_t e2e_accept_ctx;
static int e2e_quit; /* set by a handler: stop serving, exit 0 */
static const char *e2e_port_file;
static time_t e2e_deadline;
static h2o_socket_t *e2e_listener;

__attribute__((unused)) static int e2e_path_is(h2o_req_t *req, const char *p)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, p, strlen(p));
}

/* answers 200 with `len` bytes of `s` as text/plain (h2o_send_inline) */
__attribute__((unused)) static void e2e_send_text(h2o_req_t *req, const char *s, size_t len)
{
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    h2o_send_inline(req, s, len);
}

/* argv[1] is PORT_FILE, argv[2] MAX_SECONDS, then `nextra` arguments named by `extra_usage` for the
 * usage message; exits with status 2 when the count is wrong */
static void e2e_init(int argc, char **argv, int nextra, const char *extra_usage)
{
    if (argc != 3 + nextra) {
        fprintf(stderr, "usage: %s PORT_FILE MAX_SECONDS%s%s\n", argv[0], nextra != 0 ? " " : "", extra_usage);
        exit(2);
    }
    signal(SIGPIPE, SIG_IGN);
    e2e_port_file = argv[1];
    e2e_deadline = time(NULL) + atoi(argv[2]);
    h2o_config_init(&e2e_config);
}

static void e2e_on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&e2e_accept_ctx, sock);
}

/* A streamed response (the /stream of several servers): "part0;" .. "part3;", each piece sent 100 ms
 * after the previous one left (armed from proceed), so the response takes about 300 ms; a client
 * that goes away stops it. A program using it initializes e2e_stream_timeout on its loop (100 ms)
 * after e2e_listen and disposes of it before e2e_finish. */
struct e2e_stream {
    h2o_generator_t super;
    h2o_timeout_entry_t timer;
    h2o_req_t *req;
    int sent;
    char buf[32];
};
__attribute__((unused)) static h2o_timeout_t e2e_stream_timeout;

__attribute__((unused)) static void e2e_stream_send(struct e2e_stream *g)
{
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent));
    ++g->sent;
    h2o_send(g->req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

__attribute__((unused)) static void e2e_stream_on_timer(h2o_timeout_entry_t *entry)
{
    e2e_stream_send((struct e2e_stream *)((char *)entry - offsetof(struct e2e_stream, timer)));
}

__attribute__((unused)) static void e2e_stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    (void)req;
    h2o_timeout_link(e2e_ctx.loop, &e2e_stream_timeout, &((struct e2e_stream *)self)->timer);
}

__attribute__((unused)) static void e2e_stream_stop(h2o_generator_t *self, h2o_req_t *req)
{
    struct e2e_stream *g = (struct e2e_stream *)self;
    (void)req;
    if (h2o_timeout_is_linked(&g->timer))
        h2o_timeout_unlink(&g->timer);
}

/* starts the streamed response on `req` (with that content-type when not NULL) */
__attribute__((unused)) static void e2e_stream_start(h2o_req_t *req, const char *content_type)
{
    struct e2e_stream *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    memset(g, 0, sizeof(*g));
    g->super.proceed = e2e_stream_proceed;
    g->super.stop = e2e_stream_stop;
    g->timer.cb = e2e_stream_on_timer;
    g->req = req;
    if (content_type != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type, strlen(content_type));
    h2o_start_response(req, &g->super);
    e2e_stream_send(g);
}

/* creates the loop and e2e_ctx over e2e_config, listens on 127.0.0.1 (a port of the kernel's choice)
 * and writes that port to PORT_FILE; returns the loop, or NULL after saying what failed */
static h2o_evloop_t *e2e_listen(void)
{
    h2o_evloop_t *loop = h2o_evloop_create();
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd, reuse = 1;
    FILE *fp;

    h2o_context_init(&e2e_ctx, loop, &e2e_config);
    e2e_accept_ctx.ctx = &e2e_ctx;
    e2e_accept_ctx.hosts = e2e_config.hosts;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 64) != 0) {
        perror("listen");
        return NULL;
    }
    getsockname(fd, (struct sockaddr *)&sin, &slen);
    e2e_listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(e2e_listener, e2e_on_accept);
    if ((fp = fopen(e2e_port_file, "w")) == NULL) {
        perror(e2e_port_file);
        return NULL;
    }
    fprintf(fp, "%u\n", ntohs(sin.sin_port));
    fclose(fp);
    return loop;
}

/* serves until e2e_quit is set or the deadline passes, then runs the loop at most `drain_turns` more
 * turns of 10 ms so that the last response goes out and the clients' closes are seen (with
 * `until_idle`, only while HTTP/1 or HTTP/2 connections are left: 2.2.5 wants no timeout entry of a
 * connection linked when the context is disposed of), then closes the listener */
static void e2e_serve(h2o_evloop_t *loop, int drain_turns, int until_idle)
{
    int i;
    while (!e2e_quit && time(NULL) < e2e_deadline)
        h2o_evloop_run(loop, 100);
    for (i = 0; i < drain_turns; ++i) {
        if (until_idle && h2o_linklist_is_empty(&e2e_ctx.http1._conns) && h2o_linklist_is_empty(&e2e_ctx.http2._conns))
            break;
        h2o_evloop_run(loop, 10);
    }
    h2o_socket_read_stop(e2e_listener);
    h2o_socket_close(e2e_listener);
    h2o_evloop_run(loop, 0);
}

/* disposes of e2e_ctx, e2e_config and the loop; the exit status: 1 (with a message naming `name`)
 * when the deadline passed without e2e_quit */
static int e2e_finish(h2o_evloop_t *loop, const char *name)
{
    h2o_context_dispose(&e2e_ctx);
    h2o_config_dispose(&e2e_config);
    h2o_evloop_destroy(loop);
    if (!e2e_quit) {
        fprintf(stderr, "%s: timed out without /quit\n", name);
        return 1;
    }
    return 0;
}

#endif
