/*
 * What the relink programs that serve HTTP/1.x share (2.2.5 API only, so they build against both
 * header sets): a listener on 127.0.0.1 (port 0) whose accept callback calls h2o_accept, a loop
 * runner that serves while a client thread talks to it, and a small blocking HTTP/1.x client
 * (raw sockets, 8-second timeouts) that reads responses framed by Content-Length, chunked encoding
 * or the end of the connection.
 *
 * Everything is bounded: the loop runs at most `max_turns` turns of 10 ms, client reads time out.
 */
#ifndef ABI_HTTP_H
#define ABI_HTTP_H

#include "abi_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <h2o.h>

/* --- the server side -------------------------------------------------------------------------- */

static h2o_accept_ctx_t abi_http_accept_ctx;
static unsigned short abi_http_port;
static volatile int abi_http_client_done;

static void abi_http_on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if (err != NULL)
        return;
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL)
        h2o_accept(&abi_http_accept_ctx, sock);
}

/* listens on 127.0.0.1 (a free port, in abi_http_port) for `ctx`; returns the listener or NULL */
static h2o_socket_t *abi_http_listen(h2o_context_t *ctx)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), reuse = 1;
    h2o_socket_t *listener;

    abi_http_accept_ctx.ctx = ctx;
    abi_http_accept_ctx.hosts = ctx->globalconf->hosts;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 16) != 0) {
        fprintf(stderr, "FAIL: cannot listen on 127.0.0.1\n");
        close(fd);
        return NULL;
    }
    getsockname(fd, (struct sockaddr *)&sin, &slen);
    abi_http_port = ntohs(sin.sin_port);
    listener = h2o_evloop_socket_create(ctx->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, abi_http_on_accept);
    return listener;
}

/* runs `client` on a thread while the loop serves (at most max_turns turns of 10 ms), then lets the
 * server see the client's closes and closes the listener */
static void abi_http_serve(h2o_evloop_t *loop, h2o_socket_t *listener, void *(*client)(void *), int max_turns)
{
    pthread_t th;
    int i;
    abi_http_client_done = 0;
    pthread_create(&th, NULL, client, NULL);
    for (i = 0; i < max_turns && !abi_http_client_done; ++i)
        h2o_evloop_run(loop, 10);
    pthread_join(th, NULL);
    for (i = 0; i < 20; ++i)
        h2o_evloop_run(loop, 5);
    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_evloop_run(loop, 0);
}

/* --- the client side -------------------------------------------------------------------------- */

struct abi_client {
    int fd;
    char buf[65536];
    size_t len;
    int eof;
    int timed_out; /* the end came from the 8-second read timeout, not from the server */
};

/* a socket connected to 127.0.0.1:abi_http_port with 8-second read and write timeouts (generous: the server may run under valgrind on a loaded machine), or -1 */
static int abi_http_dial(void)
{
    struct sockaddr_in sin;
    struct timeval tv = {8, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = htons(abi_http_port);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* writes all of `s` (stops early on an error or a timeout: the response check then fails) */
static void abi_send_all(int fd, const char *s)
{
    size_t off = 0, n = strlen(s);
    while (off < n) {
        ssize_t r = write(fd, s + off, n - off);
        if (r <= 0)
            return;
        off += (size_t)r;
    }
}

/* 0 when connected */
static int abi_client_connect(struct abi_client *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = abi_http_dial();
    return c->fd >= 0 ? 0 : -1;
}

static void abi_client_send(struct abi_client *c, const char *s)
{
    abi_send_all(c->fd, s);
}

/* reads more; 0 at end of stream or timeout */
static int abi_client_fill(struct abi_client *c)
{
    ssize_t r;
    if (c->eof || c->len == sizeof(c->buf))
        return 0;
    r = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
    if (r <= 0) {
        c->eof = 1;
        c->timed_out = r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        return 0;
    }
    c->len += (size_t)r;
    return 1;
}

static void abi_client_consume(struct abi_client *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
}

/* reads until the end of the stream; whether the server closed the connection with nothing more
 * sent (unread bytes or the client's read timeout make it 0) */
__attribute__((unused)) static int abi_client_closed_by_server(struct abi_client *c)
{
    while (abi_client_fill(c))
        ;
    return c->eof && !c->timed_out && c->len == 0;
}

struct abi_response {
    int status;
    char head[4096];
    char body[16384];
    size_t body_len;
    int chunked, has_length;
};

/* the value of header `name` (case-insensitive) copied to out, or NULL */
static const char *abi_header(const struct abi_response *res, const char *name, char *out, size_t outsz)
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

/* reads one response (HEAD: no body); 0 on failure */
static int abi_read_response(struct abi_client *c, struct abi_response *res, int is_head)
{
    char *end, v[64];
    size_t head_len;
    memset(res, 0, sizeof(*res));
    while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4)) == NULL)
        if (!abi_client_fill(c))
            return 0;
    head_len = (size_t)(end - c->buf) + 4;
    if (head_len >= sizeof(res->head))
        return 0;
    memcpy(res->head, c->buf, head_len);
    res->head[head_len] = '\0';
    if (getenv("ABI_HTTP_DUMP") != NULL)
        fprintf(stderr, "--- response head:\n%s", res->head);
    abi_client_consume(c, head_len);
    if (sscanf(res->head, "HTTP/1.%*d %d", &res->status) != 1)
        return 0;
    if (res->status / 100 == 1)
        return 1;
    if (abi_header(res, "content-length", v, sizeof(v)) != NULL) {
        size_t n = strtoul(v, NULL, 10);
        res->has_length = 1;
        if (is_head || res->status == 304 || res->status == 204)
            return 1;
        if (n >= sizeof(res->body))
            return 0;
        while (c->len < n)
            if (!abi_client_fill(c))
                return 0;
        memcpy(res->body, c->buf, n);
        res->body_len = n;
        abi_client_consume(c, n);
    } else if (abi_header(res, "transfer-encoding", v, sizeof(v)) != NULL && strcasecmp(v, "chunked") == 0) {
        res->chunked = 1;
        if (is_head)
            return 1;
        for (;;) {
            char *crlf;
            size_t n;
            while ((crlf = memmem(c->buf, c->len, "\r\n", 2)) == NULL)
                if (!abi_client_fill(c))
                    return 0;
            n = strtoul(c->buf, NULL, 16);
            abi_client_consume(c, (size_t)(crlf - c->buf) + 2);
            while (c->len < n + 2)
                if (!abi_client_fill(c))
                    return 0;
            if (n == 0) {
                abi_client_consume(c, 2);
                return 1;
            }
            if (res->body_len + n >= sizeof(res->body))
                return 0;
            memcpy(res->body + res->body_len, c->buf, n);
            res->body_len += n;
            abi_client_consume(c, n + 2);
        }
    } else if (!is_head) {
        while (abi_client_fill(c))
            ;
        if (c->len >= sizeof(res->body))
            return 0;
        memcpy(res->body, c->buf, c->len);
        res->body_len = c->len;
        abi_client_consume(c, c->len);
    }
    return 1;
}

/* one request on a fresh connection, its response read (the connection is closed afterwards) */
__attribute__((unused)) static int abi_http_get(const char *request, struct abi_response *res)
{
    struct abi_client c;
    int ok;
    if (abi_client_connect(&c) != 0)
        return 0;
    abi_client_send(&c, request);
    ok = abi_read_response(&c, res, strncmp(request, "HEAD ", 5) == 0);
    close(c.fd);
    return ok;
}

#define ABI_BODY_IS(res, want) CHECK_STR((res).body, (res).body_len, want)

#endif
