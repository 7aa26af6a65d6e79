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
 * stdout once listening, with the path of the library that serves h2o_config_init; exits on SIGTERM / SIGINT or after MAX_SECONDS.
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
    h2o_file_register(h2o_config_register_path(hostconf, "/", 0), argv[3], NULL, NULL, 0);

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
    printf("ready %s %s %s\n", dladdr((void *)h2o_config_init, &info) != 0 && info.dli_fname != NULL ? info.dli_fname : "?", ccname,
           accept_ctx.ssl_ctx != NULL ? "tls" : "h2c");
    fflush(stdout);

    while (!stop && time(NULL) < end)
        h2o_evloop_run(ctx.loop, 200);
    h2o_socket_read_stop(listener);
    h2o_socket_close(listener);
    return 0;
}
