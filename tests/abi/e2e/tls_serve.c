/*
 * A 2.2.5-style TLS embedder for tls_curl.sh and tls_chromium.sh, configured the way 2.2.5 programs
 * do it: an OpenSSL SSL_CTX (SSL_CTX_new(TLS_server_method()), SSL_CTX_use_certificate_chain_file,
 * SSL_CTX_use_PrivateKey_file, SSL_CTX_check_private_key), h2o_ssl_register_alpn_protocols (and
 * h2o_ssl_register_npn_protocols, as h2o's own server does) and accept_ctx.ssl_ctx = that context.
 * Serves on 127.0.0.1 (port 0; the port is written to PORT_FILE) until /quit or MAX_SECONDS.
 *
 *   usage: tls_serve PORT_FILE MAX_SECONDS CHAIN_PEM KEY_PEM DOCROOT PROTOCOLS
 *     PROTOCOLS: "all" registers h2o_alpn_protocols (h2, drafts, http/1.1), "h2" registers
 *     h2o_http2_alpn_protocols (no http/1.1: a client offering only http/1.1 gets no ALPN answer
 *     and speaks HTTP/1.1, as with 2.2.5)
 *
 * Handlers: /            an HTML page (the browser test loads it)
 *           /hello       "hello\n" (h2o_send_inline)
 *           /files/...   DOCROOT (h2o_file_register)
 *           /quit        stops the server
 * Which library served is written to PORT_FILE.origin (dladdr of h2o_accept), so that the script
 * can tell Debian's 2.2.5 from ours.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "e2e_server.h"

static const char page[] = "<!DOCTYPE html>\n<html><head><title>libh2o TLS test</title></head>\n"
                           "<body><p id=\"msg\">served over TLS by a 2.2.5 embedder</p></body></html>\n";

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (e2e_path_is(req, "/hello")) {
        e2e_send_text(req, H2O_STRLIT("hello\n"));
    } else if (e2e_path_is(req, "/quit")) {
        e2e_quit = 1;
        e2e_send_text(req, H2O_STRLIT("bye\n"));
    } else if (e2e_path_is(req, "/")) {
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html; charset=utf-8"));
        h2o_send_inline(req, page, sizeof(page) - 1);
    } else {
        return -1;
    }
    return 0;
}

static int write_origin(const char *port_file)
{
    char path[4096];
    Dl_info info;
    FILE *fp;
    snprintf(path, sizeof(path), "%s.origin", port_file);
    if (dladdr((void *)h2o_accept, &info) == 0 || info.dli_fname == NULL)
        return -1;
    if ((fp = fopen(path, "w")) == NULL)
        return -1;
    fprintf(fp, "%s\n", info.dli_fname);
    return fclose(fp);
}

int main(int argc, char **argv)
{
    h2o_hostconf_t *host;
    h2o_evloop_t *loop;
    SSL_CTX *ssl_ctx;
    int status;

    e2e_init(argc, argv, 4, "CHAIN_PEM KEY_PEM DOCROOT all|h2");

    ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (ssl_ctx == NULL || SSL_CTX_use_certificate_chain_file(ssl_ctx, argv[3]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ssl_ctx, argv[4], SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ssl_ctx) != 1) {
        fprintf(stderr, "tls_serve: cannot set up the SSL_CTX with %s and %s:\n", argv[3], argv[4]);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (strcmp(argv[6], "h2") == 0) {
        h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
        h2o_ssl_register_npn_protocols(ssl_ctx, h2o_http2_npn_protocols);
    } else {
        h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_alpn_protocols);
        h2o_ssl_register_npn_protocols(ssl_ctx, h2o_npn_protocols);
    }

    host = h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_file_register(h2o_config_register_path(host, "/files", 0), argv[5], NULL, NULL, 0);
    h2o_create_handler(h2o_config_register_path(host, "/", 0), sizeof(h2o_handler_t))->on_req = on_req;

    /* before the port file appears: the script reads it once the port is there */
    if (write_origin(argv[1]) != 0) {
        fprintf(stderr, "tls_serve: cannot tell which library holds h2o_accept\n");
        return 1;
    }
    if ((loop = e2e_listen()) == NULL)
        return 1;
    e2e_accept_ctx.ssl_ctx = ssl_ctx;
    e2e_serve(loop, 50, 1);
    status = e2e_finish(loop, "tls_serve");
    SSL_CTX_free(ssl_ctx);
    return status;
}
