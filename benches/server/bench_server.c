/*
 * The server side of the HTTP/1.1 server benchmark (benches/server/run.sh): a 2.2.5-style embedder
 * built against Debian's libh2o-evloop headers and library, so the same binary runs on Debian's
 * library and, through LD_LIBRARY_PATH, on ours.
 *
 *   bench_server PORT DOCROOT [ACCESS_LOG]
 *
 * Listens on 127.0.0.1:PORT (prints "ready PID" on stdout once listening). "/" serves DOCROOT with the
 * file handler; "/inline" answers 100 bytes with h2o_send_inline. With ACCESS_LOG, every request is
 * logged there in 2.2.5's default format. SIGTERM/SIGINT end it.
 *
 * With BENCH_TLS_CERT and BENCH_TLS_KEY (PEM files) in the environment it serves TLS the way 2.2.5
 * embedders set it up: an OpenSSL SSL_CTX in accept_ctx.ssl_ctx and h2o_ssl_register_alpn_protocols
 * with h2o_alpn_protocols (h2, then http/1.1). On Debian's library OpenSSL serves it; on ours rustls,
 * with the chain and key read out of that SSL_CTX.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include <h2o.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static h2o_accept_ctx_t accept_ctx;
static volatile sig_atomic_t stop_requested;

static const char body100[] = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456\n";

static int on_inline(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    h2o_send_inline(req, body100, sizeof(body100) - 1);
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

static void on_signal(int signo)
{
    (void)signo;
    stop_requested = 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT DOCROOT [ACCESS_LOG]\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);

    h2o_config_init(&config);
    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *inl = h2o_config_register_path(host, "/inline", 0);
    h2o_create_handler(inl, sizeof(h2o_handler_t))->on_req = on_inline;
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    h2o_file_register(root, argv[2], NULL, NULL, 0);
    if (argc > 3) {
        h2o_access_log_filehandle_t *log = h2o_access_log_open_handle(argv[3], NULL, H2O_LOGCONF_ESCAPE_APACHE);
        if (log == NULL)
            return 1;
        h2o_access_log_register(inl, log);
        h2o_access_log_register(root, log);
    }

    h2o_loop_t *loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    accept_ctx.ctx = &ctx;
    accept_ctx.hosts = config.hosts;
    const char *cert = getenv("BENCH_TLS_CERT"), *key = getenv("BENCH_TLS_KEY");
    if (cert != NULL && key != NULL) {
        SSL_CTX *ssl_ctx = SSL_CTX_new(TLS_server_method());
        if (ssl_ctx == NULL || SSL_CTX_use_certificate_chain_file(ssl_ctx, cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(ssl_ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ssl_ctx) != 1) {
            fprintf(stderr, "bench_server: cannot set up TLS with %s and %s\n", cert, key);
            return 1;
        }
        SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3);
        h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_alpn_protocols);
        accept_ctx.ssl_ctx = ssl_ctx;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)atoi(argv[1]));
    int fd, on = 1;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
        perror("listen");
        return 1;
    }
    h2o_socket_t *listener = h2o_evloop_socket_create(loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    h2o_socket_read_start(listener, on_accept);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);

    while (!stop_requested)
        h2o_evloop_run(loop, 1000);
    return 0;
}
