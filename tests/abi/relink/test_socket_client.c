/*
 * Client sockets and the rest of h2o/socket.h on the evloop: h2o_socket_connect to a listener in the
 * same loop (and to a closed port: h2o_socket_error_conn_fail), h2o_socket_notify_write,
 * h2o_socket_export / _import moving an accepted socket with unread input to a second loop (and
 * _dispose_export), the address helpers (getnumerichost, getport, compare_address, setpeername with
 * the cached peer address), and h2o_socket_do_prepare_for_latency_optimized_write on a loopback
 * connection (min_rtt 0 forces the mode: state, suggested_write_size from TCP_INFO, TCP_NOTSENT_LOWAT),
 * then 4 MiB written in that mode arrive intact; a write to a reset connection reports
 * h2o_socket_error_io through its callback; the TLS getters on a plain socket. Bounded: every wait is at most 10 s of loop runs
 * (alarm(60) kills a hang); no timing is assumed.
 */
#include "abi_test.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <h2o/memory.h>
#include <h2o/string_.h>
#include <h2o/socket.h>
#include <h2o/socket/evloop.h>

#define BULK (4 * 1024 * 1024)

static h2o_evloop_t *loop_a, *loop_b;
static h2o_socket_t *server_sock, *client_sock;
static int accepted, connected, connect_failed, notified, server_closed, written;
static const char *connect_err = "(not called)";
static size_t server_got;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* runs both loops until *flag is set (10 s at most) */
static int run_until(int *flag)
{
    uint64_t deadline = mono_ms() + 10000;
    int rounds;
    for (rounds = 0; !*flag && rounds != 200000 && mono_ms() < deadline; ++rounds) {
        h2o_evloop_run(loop_a, 1);
        if (loop_b != NULL)
            h2o_evloop_run(loop_b, 0);
    }
    return *flag;
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    h2o_socket_t *sock;
    if ((sock = h2o_evloop_socket_accept(listener)) != NULL) {
        server_sock = sock;
        accepted = 1;
    }
}

static void on_connect(h2o_socket_t *sock, const char *err)
{
    connect_err = err;
    connected = 1;
}

static void on_connect_fail(h2o_socket_t *sock, const char *err)
{
    CHECK(err == h2o_socket_error_conn_fail, "a refused connection reports h2o_socket_error_conn_fail (%s)", err ? err : "NULL");
    h2o_socket_close(sock);
    connect_failed = 1;
}

static void on_notify(h2o_socket_t *sock, const char *err)
{
    CHECK(err == NULL, "notify_write without error");
    CHECK(!h2o_socket_is_writing(sock), "not writing inside the notification");
    notified = 1;
}

static void on_written(h2o_socket_t *sock, const char *err)
{
    CHECK(err == NULL, "write completed without error");
    written = 1;
}

static const char *write_err;
static void on_written_any(h2o_socket_t *sock, const char *err)
{
    write_err = err;
    written = 1;
}

static int got_hello;
static void on_server_read(h2o_socket_t *sock, const char *err)
{
    CHECK(err == NULL, "server read without error");
    if (sock->input->size >= 5)
        got_hello = 1;
}

static void on_server_close(void *data)
{
    ++server_closed;
}

static int got_all;
static void on_imported_read(h2o_socket_t *sock, const char *err)
{
    if (err != NULL) {
        got_all = -1;
        return;
    }
    if (sock->input->size >= 10)
        got_all = 1;
}

static int bulk_done, bulk_bad;
static void on_bulk_read(h2o_socket_t *sock, const char *err)
{
    size_t i;
    if (err != NULL) {
        bulk_done = 1;
        return;
    }
    for (i = 0; i != sock->input->size; ++i)
        if ((unsigned char)sock->input->bytes[i] != (unsigned char)((server_got + i) * 7 % 251))
            bulk_bad = 1;
    server_got += sock->input->size;
    h2o_buffer_consume(&sock->input, sock->input->size);
    if (server_got >= BULK)
        bulk_done = 1;
}

static int lowat_of(int fd)
{
    int v = -1;
    socklen_t l = sizeof(v);
    getsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &v, &l);
    return v;
}

/* What 2.2.5 decides for an idle connection, from our own TCP_INFO reading. */
static size_t expected_write_size(h2o_socket_t *sock, const h2o_socket_latency_optimization_conditions_t *c, int *mode)
{
    struct tcp_info ti;
    socklen_t l = sizeof(ti);
    uint64_t loop_time = h2o_evloop_get_execution_time(h2o_socket_get_loop(sock));
    if (getsockopt(h2o_socket_get_fd(sock), IPPROTO_TCP, TCP_INFO, &ti, &l) != 0) {
        *mode = H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DISABLED;
        return SIZE_MAX;
    }
    if ((uint64_t)ti.tcpi_rtt < (uint64_t)c->min_rtt * 1000 ||
        (uint64_t)ti.tcpi_rtt * c->max_additional_delay < loop_time * 1000 * 100) {
        *mode = H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DISABLED;
        return SIZE_MAX;
    }
    *mode = H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DETERMINED;
    if ((uint64_t)ti.tcpi_snd_mss * ti.tcpi_snd_cwnd >= c->max_cwnd)
        return SIZE_MAX;
    return (size_t)((ti.tcpi_snd_cwnd > ti.tcpi_unacked ? ti.tcpi_snd_cwnd - ti.tcpi_unacked : 0) + 2) * ti.tcpi_snd_mss;
}

static void test_addresses(void)
{
    struct sockaddr_in a, b;
    struct sockaddr_in6 s6;
    struct sockaddr_un u1, u2;
    struct sockaddr_storage ss;
    char buf[NI_MAXHOST];

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(0x7f000001);
    a.sin_port = htons(8080);
    b = a;
    CHECK(h2o_socket_getnumerichost((struct sockaddr *)&a, sizeof(a), buf) == 9 && strcmp(buf, "127.0.0.1") == 0,
          "getnumerichost 127.0.0.1 (%s)", buf);
    CHECK(h2o_socket_getport((struct sockaddr *)&a) == 8080, "getport AF_INET");
    CHECK(h2o_socket_compare_address((struct sockaddr *)&a, (struct sockaddr *)&b) == 0, "equal addresses compare 0");
    b.sin_port = htons(8081);
    CHECK(h2o_socket_compare_address((struct sockaddr *)&a, (struct sockaddr *)&b) < 0 &&
              h2o_socket_compare_address((struct sockaddr *)&b, (struct sockaddr *)&a) > 0,
          "ports order addresses");
    b.sin_addr.s_addr = htonl(0x7f000000);
    CHECK(h2o_socket_compare_address((struct sockaddr *)&a, (struct sockaddr *)&b) > 0, "the address comes before the port");

    memset(&s6, 0, sizeof(s6));
    s6.sin6_family = AF_INET6;
    s6.sin6_addr.s6_addr[15] = 1;
    s6.sin6_port = htons(443);
    CHECK(h2o_socket_getnumerichost((struct sockaddr *)&s6, sizeof(s6), buf) == 3 && strcmp(buf, "::1") == 0,
          "getnumerichost ::1 (%s)", buf);
    CHECK(h2o_socket_getport((struct sockaddr *)&s6) == 443, "getport AF_INET6");
    CHECK(h2o_socket_compare_address((struct sockaddr *)&a, (struct sockaddr *)&s6) < 0, "AF_INET before AF_INET6");

    memset(&u1, 0, sizeof(u1));
    u1.sun_family = AF_UNIX;
    strcpy(u1.sun_path, "/tmp/a");
    u2 = u1;
    CHECK(h2o_socket_getport((struct sockaddr *)&u1) == -1, "getport AF_UNIX is -1");
    CHECK(h2o_socket_compare_address((struct sockaddr *)&u1, (struct sockaddr *)&u2) == 0, "equal paths");
    strcpy(u2.sun_path, "/tmp/b");
    CHECK(h2o_socket_compare_address((struct sockaddr *)&u1, (struct sockaddr *)&u2) < 0, "paths order");

    /* a plain socket's TLS properties */
    CHECK(h2o_socket_get_ssl_protocol_version(server_sock) == NULL && h2o_socket_get_ssl_session_reused(server_sock) == -1 &&
              h2o_socket_get_ssl_cipher(server_sock) == NULL && h2o_socket_get_ssl_cipher_bits(server_sock) == 0 &&
              h2o_socket_get_ssl_session_id(server_sock).base == NULL,
          "TLS getters of a plain socket");
    CHECK(h2o_socket_log_ssl_protocol_version(server_sock, NULL).base == NULL &&
              h2o_socket_log_ssl_session_reused(server_sock, NULL).base == NULL &&
              h2o_socket_log_ssl_cipher(server_sock, NULL).base == NULL &&
              h2o_socket_log_ssl_cipher_bits(server_sock, NULL).base == NULL &&
              h2o_socket_log_ssl_session_id(server_sock, NULL).base == NULL,
          "TLS log values of a plain socket are empty");

    /* setpeername overrides (and is what getpeername returns from then on) */
    CHECK(h2o_socket_getpeername(server_sock, (struct sockaddr *)&ss) == sizeof(struct sockaddr_in), "getpeername");
    h2o_socket_setpeername(server_sock, (struct sockaddr *)&s6, sizeof(s6));
    memset(&ss, 0, sizeof(ss));
    CHECK(h2o_socket_getpeername(server_sock, (struct sockaddr *)&ss) == sizeof(s6) && ss.ss_family == AF_INET6 &&
              memcmp(&ss, &s6, sizeof(s6)) == 0,
          "getpeername returns what setpeername set");
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_socket_connect), ABI_FN(h2o_socket_notify_write), ABI_FN(h2o_socket_export),
                                        ABI_FN(h2o_socket_import), ABI_FN(h2o_socket_do_prepare_for_latency_optimized_write),
                                        ABI_FN(h2o_socket_getnumerichost)};
    struct sockaddr_in addr, dead;
    socklen_t len = sizeof(addr);
    h2o_socket_t *listener, *imported, *s;
    h2o_socket_export_t info;
    int lfd, dfd, mode;
    h2o_iovec_t iov;
    char *bulk;
    size_t i, want, got;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    alarm(60);

    loop_a = h2o_evloop_create();
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) == 0 && listen(lfd, 16) == 0, "bind/listen");
    getsockname(lfd, (struct sockaddr *)&addr, &len);
    listener = h2o_evloop_socket_create(loop_a, lfd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, on_accept);

    /* --- connect within the loop ------------------------------------------------------------------ */
    client_sock = h2o_socket_connect(loop_a, (struct sockaddr *)&addr, sizeof(addr), on_connect);
    CHECK(client_sock != NULL, "h2o_socket_connect");
    CHECK(h2o_socket_is_writing(client_sock), "a connecting socket waits for its connect callback");
    CHECK(run_until(&connected) && connect_err == NULL, "connect callback with err NULL (%s)", connect_err ? connect_err : "NULL");
    CHECK(run_until(&accepted), "the listener accepted the connection");
    if (server_sock == NULL)
        return abi_report("test_socket_client");
    server_sock->on_close.cb = on_server_close;

    /* --- notify_write ------------------------------------------------------------------------------ */
    h2o_socket_notify_write(client_sock, on_notify);
    CHECK(h2o_socket_is_writing(client_sock), "notify_write sets the write callback");
    CHECK(run_until(&notified), "notify_write callback on a writable socket");

    test_addresses();

    /* --- export an accepted socket with unread input, import it into a second loop ------------------- */
    h2o_socket_read_start(server_sock, on_server_read);
    iov = h2o_iovec_init(H2O_STRLIT("hello"));
    written = 0;
    h2o_socket_write(client_sock, &iov, 1, on_written);
    CHECK(run_until(&written) && run_until(&got_hello), "the server read the first bytes");
    h2o_socket_read_stop(server_sock);
    CHECK(h2o_socket_export(server_sock, &info) == 0, "h2o_socket_export");
    server_sock = NULL;
    CHECK(server_closed == 1, "export closes the socket (on_close called once)");
    CHECK(info.fd >= 0 && info.input != NULL && info.input->size == 5 && memcmp(info.input->bytes, "hello", 5) == 0,
          "the export carries the descriptor and the unread input");
    loop_b = h2o_evloop_create();
    imported = h2o_socket_import(loop_b, &info);
    CHECK(imported != NULL && h2o_socket_get_loop(imported) == loop_b, "h2o_socket_import into another loop");
    CHECK(imported->input->size == 5 && memcmp(imported->input->bytes, "hello", 5) == 0, "the imported socket has the input");
    h2o_socket_read_start(imported, on_imported_read);
    iov = h2o_iovec_init(H2O_STRLIT("world"));
    written = 0;
    h2o_socket_write(client_sock, &iov, 1, on_written);
    CHECK(run_until(&written) && run_until(&got_all) && got_all == 1, "the imported socket reads on its new loop");
    CHECK(imported->input->size == 10 && memcmp(imported->input->bytes, "helloworld", 10) == 0, "old and new input in order");

    /* export again and dispose of it */
    h2o_socket_read_stop(imported);
    CHECK(h2o_socket_export(imported, &info) == 0, "export of an imported socket");
    h2o_socket_dispose_export(&info);
    CHECK(info.fd == -1, "dispose_export closes the descriptor");

    /* --- latency optimization on the client socket (idle, loopback) ---------------------------------- */
    {
        h2o_socket_latency_optimization_conditions_t force = {0, 100000, UINT_MAX}, bulky = {0, 100000, 1},
                                                     off = {UINT_MAX, 10, 65535};
        size_t r;
        CHECK(client_sock->_latency_optimization.state == H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_TBD, "a new socket is TBD");
        want = expected_write_size(client_sock, &force, &mode);
        r = h2o_socket_do_prepare_for_latency_optimized_write(client_sock, &force);
        CHECK(client_sock->_latency_optimization.state == mode, "state %d, expected %d", client_sock->_latency_optimization.state,
              mode);
        CHECK(r == want && client_sock->_latency_optimization.suggested_write_size == want,
              "suggested_write_size (cwnd - unacked + 2) * mss: %zu, expected %zu", r, want);
        if (mode == H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DETERMINED) {
            CHECK(lowat_of(h2o_socket_get_fd(client_sock)) == 1, "TCP_NOTSENT_LOWAT is 1 in the mode");
            CHECK(h2o_socket_prepare_for_latency_optimized_write(client_sock, &off) == want, "the inline returns the decision");
        }
        r = h2o_socket_do_prepare_for_latency_optimized_write(client_sock, &bulky);
        CHECK(r == SIZE_MAX, "a window above max_cwnd writes in bulk");
        CHECK(lowat_of(h2o_socket_get_fd(client_sock)) == 0, "TCP_NOTSENT_LOWAT back to the default");
        r = h2o_socket_do_prepare_for_latency_optimized_write(client_sock, &off);
        CHECK(r == SIZE_MAX && client_sock->_latency_optimization.state == H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DISABLED,
              "an RTT below min_rtt disables the mode");
    }

    /* --- a connection refused ------------------------------------------------------------------------ */
    dfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&dead, 0, sizeof(dead));
    dead.sin_family = AF_INET;
    dead.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(dead);
    bind(dfd, (struct sockaddr *)&dead, sizeof(dead));
    getsockname(dfd, (struct sockaddr *)&dead, &len);
    close(dfd); /* bound, never listened, closed: the port refuses */
    s = h2o_socket_connect(loop_a, (struct sockaddr *)&dead, sizeof(dead), on_connect_fail);
    if (s == NULL)
        connect_failed = 1; /* refused at once: 2.2.5 returns NULL then too */
    CHECK(run_until(&connect_failed), "the refused connection is reported");

    /* --- bulk transfer in latency-optimized mode -------------------------------------------------------- */
    h2o_socket_close(client_sock);
    connected = 0;
    accepted = 0;
    server_sock = NULL;
    client_sock = h2o_socket_connect(loop_a, (struct sockaddr *)&addr, sizeof(addr), on_connect);
    CHECK(client_sock != NULL && run_until(&connected) && connect_err == NULL, "second connection");
    CHECK(run_until(&accepted), "second accept");
    if (server_sock != NULL && client_sock != NULL) {
        h2o_socket_latency_optimization_conditions_t force = {0, 100000, UINT_MAX};
        h2o_socket_do_prepare_for_latency_optimized_write(client_sock, &force);
        bulk = malloc(BULK);
        for (i = 0; i != BULK; ++i)
            bulk[i] = (char)(i * 7 % 251);
        h2o_socket_read_start(server_sock, on_bulk_read);
        iov = h2o_iovec_init(bulk, BULK);
        written = 0;
        h2o_socket_write(client_sock, &iov, 1, on_written);
        CHECK(run_until(&written) && run_until(&bulk_done), "4 MiB written in latency-optimized mode");
        got = server_got;
        CHECK(got == BULK && !bulk_bad, "all bytes arrived intact (%zu)", got);
        free(bulk);

        /* the peer resets the connection: a write fails and says so through its callback */
        {
            struct linger lg = {1, 0};
            int tries;
            static char small[64];
            setsockopt(h2o_socket_get_fd(client_sock), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            h2o_socket_close(client_sock);
            client_sock = NULL;
            h2o_socket_read_stop(server_sock);
            write_err = NULL;
            for (tries = 0; tries != 100 && write_err == NULL; ++tries) {
                iov = h2o_iovec_init(small, sizeof(small));
                written = 0;
                h2o_socket_write(server_sock, &iov, 1, on_written_any);
                if (!run_until(&written))
                    break;
            }
            CHECK(write_err == h2o_socket_error_io, "a write to a reset connection reports h2o_socket_error_io (%s)",
                  write_err ? write_err : "NULL");
            CHECK(!h2o_socket_is_writing(server_sock), "no write in progress after the failed write's callback");
        }
        h2o_socket_close(server_sock);
    }
    if (client_sock != NULL)
        h2o_socket_close(client_sock);

    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    h2o_evloop_run(loop_a, 0);
    h2o_evloop_run(loop_b, 0);
    h2o_evloop_destroy(loop_a);
    h2o_evloop_destroy(loop_b);
    while (h2o_socket_buffer_prototype.allocator.cnt != 0)
        free(h2o_mem_alloc_recycle(&h2o_socket_buffer_prototype.allocator, 1));
    return abi_report("test_socket_client");
}
