/*
 * libh2o-rs extension: TLS configured without OpenSSL (the engine is rustls). Not part of the
 * libh2o 2.2.5 API: 2.2.5 programs keep handing an OpenSSL SSL_CTX * in h2o_accept_ctx_t.ssl_ctx,
 * which libh2o-rs reads through its OpenSSL bridge. New code can use this instead:
 *
 *     char err[256];
 *     h2o_rs_tls_config_t *tls = h2o_rs_tls_config_new_from_pem("cert.pem", "key.pem", err, sizeof(err));
 *     if (tls == NULL) { fprintf(stderr, "%s\n", err); exit(1); }
 *     h2o_rs_tls_config_add_sni(tls, "other.example", "other.pem", "other.key", err, sizeof(err));
 *     h2o_rs_tls_accept_ctx_set(&accept_ctx, tls);      // then h2o_accept() as for plain HTTP
 *     ...
 *     h2o_rs_tls_config_free(tls);                       // after the listener is gone
 *
 * Connections negotiate TLS 1.3 or 1.2; ALPN selects "h2" (HTTP/2) or "http/1.1", and a client
 * offering neither (or no ALPN) gets HTTP/1.1. Sessions resume by tickets (keys rotated every
 * 6 hours) or by a session cache. 0-RTT is off. Records are 16 KiB, or MSS-sized while a socket is
 * in latency-optimized mode.
 */
#ifndef h2o__rs_tls_h
#define h2o__rs_tls_h

#include <stddef.h>
#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Present when this header is: `#ifdef H2O_RS_TLS` guards code that uses it. */
#define H2O_RS_TLS 1

struct st_h2o_accept_ctx_t;

/** A TLS listener configuration (opaque). */
typedef struct st_h2o_rs_tls_config_t h2o_rs_tls_config_t;

/** A configuration whose default certificate is the PEM chain in `cert_chain_file` (leaf first) with
 * the PEM private key in `key_file` (PKCS#8, PKCS#1 or SEC1), ALPN {"h2", "http/1.1"}. Owned by the
 * caller until h2o_rs_tls_config_free. NULL on error, with the reason NUL-terminated in `errbuf`
 * (truncated to `errbuf_len` bytes; `errbuf` may be NULL). Both files are read during the call. */
h2o_rs_tls_config_t *h2o_rs_tls_config_new_from_pem(const char *cert_chain_file, const char *key_file, char *errbuf,
                                                    size_t errbuf_len);
/** Serves this certificate to clients naming `server_name` by SNI (case-insensitive; "*.example.com"
 * matches one label); others get the default. 0, or -1 with the reason in `errbuf`. Affects connections
 * accepted afterwards; the strings are borrowed for the call only. */
int h2o_rs_tls_config_add_sni(h2o_rs_tls_config_t *config, const char *server_name, const char *cert_chain_file,
                              const char *key_file, char *errbuf, size_t errbuf_len);
/** The protocols ALPN selects from, in order of preference: a list ending with {NULL, 0} such as
 * h2o_alpn_protocols (copied). NULL or an empty list: no ALPN, every connection is HTTP/1.1.
 * 0, or -1 when `config` is not a configuration. */
int h2o_rs_tls_config_set_alpn(h2o_rs_tls_config_t *config, const h2o_iovec_t *protocols);
/** Makes `accept_ctx` a TLS listener with `config` (stored in accept_ctx->ssl_ctx, so the 40-byte
 * h2o_accept_ctx_t is unchanged; `config` is borrowed: keep it alive while the accept context is used).
 * NULL makes the accept context plain again. */
void h2o_rs_tls_accept_ctx_set(struct st_h2o_accept_ctx_t *accept_ctx, h2o_rs_tls_config_t *config);
/** Frees `config` (NULL: nothing). Connections already accepted keep what they need; no accept
 * context may still hold it. */
void h2o_rs_tls_config_free(h2o_rs_tls_config_t *config);

#ifdef __cplusplus
}
#endif

#endif
