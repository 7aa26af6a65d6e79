/*
 * Sockets on the evloop (h2o/socket.h): an echo server on 127.0.0.1 built from
 * h2o_evloop_socket_create (a DONT_READ listener), h2o_evloop_socket_accept, h2o_socket_read_start /
 * _read_stop, reads into sock->input, h2o_socket_write of iovec arrays with a completion callback,
 * h2o_socket_close with on_close; clients in threads send 1 MiB each (two connections at once) and
 * check the echo byte for byte. Also the address and accessor functions. Bounded: 15 s and
 * 100000 loop iterations at most (alarm() kills a hang).
 */
#include "abi_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <h2o/memory.h>
#include <h2o/socket.h>
#include <h2o/socket/evloop.h>

#define PAYLOAD (1024 * 1024)
#define CLIENTS 2

static h2o_evloop_t *loop;
static int accepted, closed_conns, read_errors_closed;
static size_t echoed;

struct conn {
    h2o_socket_t *sock;
    char *wbuf;
};

static void on_read(h2o_socket_t *sock, const char *err);

static void on_close(void *data)
{
    struct conn *c = data;
    free(c->wbuf);
    free(c);
    ++closed_conns;
}

static void on_written(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    CHECK(err == NULL, "write completed without error (%s)", err != NULL ? err : "");
    CHECK(!h2o_socket_is_writing(sock), "not writing inside the write callback");
    free(c->wbuf);
    c->wbuf = NULL;
    if (err != NULL) {
        h2o_socket_close(sock);
        return;
    }
    h2o_socket_read_start(sock, on_read);
}

static void on_read(h2o_socket_t *sock, const char *err)
{
    struct conn *c = sock->data;
    h2o_iovec_t bufs[2];
    size_t n, half;
    if (err != NULL) {
        CHECK(err == h2o_socket_error_closed, "end of stream is h2o_socket_error_closed (%s)", err);
        if (err == h2o_socket_error_closed)
            ++read_errors_closed;
        h2o_socket_close(sock);
        return;
    }
    n = sock->input->size;
    CHECK(n != 0, "a read callback brings bytes");
    if (n == 0)
        return;
    /* echo what came, as two iovecs, with reading stopped until the write is done */
    c->wbuf = malloc(n);
    memcpy(c->wbuf, sock->input->bytes, n);
    h2o_buffer_consume(&sock->input, n);
    echoed += n;
    half = n / 2;
    bufs[0] = h2o_iovec_init(c->wbuf, half);
    bufs[1] = h2o_iovec_init(c->wbuf + half, n - half);
    h2o_socket_read_stop(sock);
    CHECK(!h2o_socket_is_reading(sock), "read_stop");
    h2o_socket_write(sock, bufs, 2, on_written);
    CHECK(h2o_socket_is_writing(sock), "writing until the callback");
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    struct sockaddr_storage ss;
    CHECK(err == NULL, "listener callback without error");
    while ((sock = h2o_evloop_socket_accept(listener)) != NULL) {
        struct conn *c = calloc(1, sizeof(*c));
        c->sock = sock;
        sock->data = c;
        sock->on_close.cb = on_close;
        sock->on_close.data = c;
        ++accepted;
        CHECK(h2o_socket_get_loop(sock) == loop, "h2o_socket_get_loop");
        CHECK(h2o_socket_get_fd(sock) >= 0, "h2o_socket_get_fd");
        CHECK(h2o_socket_getpeername(sock, (struct sockaddr *)&ss) == sizeof(struct sockaddr_in) && ss.ss_family == AF_INET &&
                  ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
              "the peer is 127.0.0.1");
        CHECK(sock->input != NULL && sock->input->size == 0, "a new socket has an empty input buffer");
        h2o_socket_read_start(sock, on_read);
    }
}

/* --- clients (threads with blocking sockets) ----------------------------------------------------- */

struct client {
    int fd;
    unsigned seed;
    int ok;
    pthread_t sender;
};

static unsigned char pattern(unsigned seed, size_t i)
{
    return (unsigned char)((i * 131 + seed * 7 + (i >> 9)) & 0xff);
}

static void *send_main(void *arg)
{
    struct client *cl = arg;
    unsigned char buf[7777];
    size_t off = 0;
    while (off < PAYLOAD) {
        size_t n = PAYLOAD - off < sizeof(buf) ? PAYLOAD - off : sizeof(buf), i;
        ssize_t w;
        for (i = 0; i != n; ++i)
            buf[i] = pattern(cl->seed, off + i);
        for (i = 0; i < n; i += (size_t)w)
            if ((w = send(cl->fd, buf + i, n - i, MSG_NOSIGNAL)) <= 0)
                return NULL;
        off += n;
    }
    shutdown(cl->fd, SHUT_WR);
    return NULL;
}

static void *client_main(void *arg)
{
    struct client *cl = arg;
    unsigned char buf[65536];
    size_t got = 0;
    int good = 1;
    pthread_create(&cl->sender, NULL, send_main, cl);
    for (;;) {
        ssize_t r = recv(cl->fd, buf, sizeof(buf), 0), i;
        if (r <= 0)
            break;
        for (i = 0; i != r; ++i)
            if (buf[i] != pattern(cl->seed, got + (size_t)i))
                good = 0;
        got += (size_t)r;
    }
    pthread_join(cl->sender, NULL);
    cl->ok = good && got == PAYLOAD;
    if (!cl->ok)
        fprintf(stderr, "client %u: got %zu bytes back, %s\n", cl->seed, got, good ? "matching" : "NOT matching");
    close(cl->fd);
    return NULL;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_evloop_socket_create), ABI_FN(h2o_socket_write), ABI_FN(h2o_socket_read_start),
                                        ABI_FN(h2o_evloop_socket_accept), ABI_FN(h2o_socket_close)};
    struct sockaddr_in addr;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(addr);
    h2o_socket_t *listener;
    struct client clients[CLIENTS];
    pthread_t th[CLIENTS];
    int lfd, i, rounds;
    uint64_t deadline;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    alarm(30);

    loop = h2o_evloop_create();
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(lfd, 16) == 0, "bind/listen");
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    getsockname(lfd, (struct sockaddr *)&addr, &len);
    listener = h2o_evloop_socket_create(loop, lfd, H2O_SOCKET_FLAG_DONT_READ);
    CHECK(listener != NULL, "h2o_evloop_socket_create");
    CHECK(h2o_socket_getsockname(listener, (struct sockaddr *)&ss) == sizeof(struct sockaddr_in) &&
              ((struct sockaddr_in *)&ss)->sin_port == addr.sin_port,
          "h2o_socket_getsockname gives the bound port");
    CHECK(h2o_socket_get_fd(listener) == lfd, "the listener keeps its descriptor");
    h2o_socket_read_start(listener, on_accept);

    for (i = 0; i != CLIENTS; ++i) {
        clients[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        clients[i].seed = (unsigned)i + 1;
        clients[i].ok = 0;
        CHECK(connect(clients[i].fd, (struct sockaddr *)&addr, sizeof(addr)) == 0, "connect");
        pthread_create(&th[i], NULL, client_main, &clients[i]);
    }
    deadline = mono_ms() + 15000;
    for (rounds = 0; rounds != 100000 && closed_conns < CLIENTS && mono_ms() < deadline; ++rounds)
        CHECK(h2o_evloop_run(loop, 100) == 0, "h2o_evloop_run");
    CHECK(closed_conns == CLIENTS, "both connections served and closed (%d) in %d iterations", closed_conns, rounds);
    for (i = 0; i != CLIENTS; ++i) {
        pthread_join(th[i], NULL);
        CHECK(clients[i].ok, "client %d got its 1 MiB back intact", i);
    }
    CHECK(accepted == CLIENTS, "accepted %d", accepted);
    CHECK(read_errors_closed == CLIENTS, "end of stream seen %d times", read_errors_closed);
    CHECK(echoed == (size_t)CLIENTS * PAYLOAD, "echoed %zu bytes", echoed);

    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_evloop_run(loop, 0); /* closed sockets are freed by the loop */
    h2o_evloop_destroy(loop);
    while (h2o_socket_buffer_prototype.allocator.cnt != 0)
        free(h2o_mem_alloc_recycle(&h2o_socket_buffer_prototype.allocator, 1));
    return abi_report("test_socket");
}
