/*
 * What the 2.2.5-style server programs of tests/abi/programs share: the globals an embedder keeps, a
 * listener on 127.0.0.1 (port 0: the kernel picks one), the accept callback, and the run loop with
 * a graceful shutdown on SIGTERM / SIGINT. Written against the 2.2.5 API only, like the programs.
 *
 * A program registers its handlers on `serve_host` between serve_init() and serve_run(). serve_run
 * prints "listening on http://127.0.0.1:PORT/" on stdout, serves until a signal, then stops
 * accepting, calls h2o_context_request_shutdown, waits (bounded) for the connections to close,
 * disposes of everything and returns 0 (1 if connections were left). alarm(120) bounds a run.
 */
#ifndef SERVE_H
#define SERVE_H

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <h2o.h>

static h2o_globalconf_t serve_config;
static h2o_context_t serve_ctx;
static h2o_accept_ctx_t serve_accept_ctx;
static h2o_hostconf_t *serve_host;
static size_t serve_connections;
static volatile sig_atomic_t serve_stop;

static void serve_on_signal(int signo)
{
    (void)signo;
    serve_stop = 1;
}

static void serve_on_close(void *data)
{
    (void)data;
    --serve_connections;
}

static void serve_on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL) {
        ++serve_connections;
        sock->on_close.cb = serve_on_close;
        sock->on_close.data = NULL;
        h2o_accept((h2o_accept_ctx_t *)listener->data, sock);
    }
}

/* a listening socket on 127.0.0.1:0 serving `actx`; its port, or -1 */
static int serve_listen(h2o_accept_ctx_t *actx, h2o_socket_t **out)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    int fd, on = 1;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(fd, SOMAXCONN) != 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("listen");
        return -1;
    }
    *out = h2o_evloop_socket_create(serve_ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    (*out)->data = actx;
    h2o_socket_read_start(*out, serve_on_accept);
    return ntohs(addr.sin_port);
}

/* h2o_config_init and the host "default" */
static void serve_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = serve_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    alarm(120);
    h2o_config_init(&serve_config);
    serve_host = h2o_config_register_host(&serve_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
}

static h2o_pathconf_t *serve_register(const char *path, int (*on_req)(h2o_handler_t *, h2o_req_t *))
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(serve_host, path, 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    return pathconf;
}

/* context, listener(s), loop, shutdown. `extra` (may be NULL) runs after the context exists and
 * before "listening" is printed (e.g. to open more listeners). */
static int serve_run(void (*extra)(void))
{
    h2o_evloop_t *loop = h2o_evloop_create();
    h2o_socket_t *listener;
    uint64_t deadline;
    int port;

    h2o_context_init(&serve_ctx, loop, &serve_config);
    serve_accept_ctx.ctx = &serve_ctx;
    serve_accept_ctx.hosts = serve_config.hosts;
    if ((port = serve_listen(&serve_accept_ctx, &listener)) < 0)
        return 1;
    if (extra != NULL)
        extra();
    printf("listening on http://127.0.0.1:%d/\n", port);
    fflush(stdout);

    while (!serve_stop)
        h2o_evloop_run(loop, 100);

    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_context_request_shutdown(&serve_ctx);
    deadline = h2o_now(loop) + 10000;
    while (serve_connections != 0 && h2o_now(loop) < deadline)
        h2o_evloop_run(loop, 100);
    if (serve_connections != 0) {
        fprintf(stderr, "%zu connections still open 10 s after the shutdown request\n", serve_connections);
        return 1;
    }
    /* 2.2.5 arms a one-second timer for HTTP/2's graceful shutdown; h2o_context_dispose must not find it */
    while (!h2o_linklist_is_empty(&serve_ctx.one_sec_timeout._entries) && h2o_now(loop) < deadline + 2000)
        h2o_evloop_run(loop, 100);
    h2o_context_dispose(&serve_ctx);
    h2o_evloop_destroy(loop);
    h2o_config_dispose(&serve_config);
    printf("stopped\n");
    return 0;
}

__attribute__((unused)) static int serve_path_is(h2o_req_t *req, const char *p)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, p, strlen(p));
}

/* the value of query parameter `name` (digits only), or `def` */
__attribute__((unused)) static size_t serve_query_num(h2o_req_t *req, const char *name, size_t def)
{
    size_t nlen = strlen(name), i;
    const char *q, *end;
    if (req->query_at == SIZE_MAX)
        return def;
    q = req->path.base + req->query_at + 1;
    end = req->path.base + req->path.len;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp != NULL ? amp : end;
        if ((size_t)(stop - q) > nlen && memcmp(q, name, nlen) == 0 && q[nlen] == '=') {
            size_t v = 0;
            for (i = nlen + 1; q + i < stop && q[i] >= '0' && q[i] <= '9' && v < 100000000; ++i)
                v = v * 10 + (size_t)(q[i] - '0');
            return v;
        }
        q = stop + 1;
    }
    return def;
}

#endif
