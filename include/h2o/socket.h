/* h2o/socket.h: the socket API of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written: names and the x86_64 layouts are libh2o 2.2.5's (h2o_socket_t: 96 bytes). Present:
 * the socket buffer settings, the sliding counter, the event loop (h2o/socket/evloop.h), plain TCP /
 * Unix sockets (read into `input`, write iovec arrays, close, addresses), client connections
 * (h2o_socket_connect), h2o_socket_notify_write, export/import between loops, the address helpers
 * and latency-optimized writes (TCP_INFO + TCP_NOTSENT_LOWAT). Not yet: TLS.
 *
 * Ownership: a socket is owned by the caller from h2o_evloop_socket_create/_accept until
 * h2o_socket_close (which closes the descriptor and calls on_close.cb); it may be closed from inside
 * its own callbacks. `input` is owned by the socket (consume what you used with h2o_buffer_consume).
 * Callbacks run from h2o_evloop_run, never from inside the call that requested them.
 *
 * libh2o-rs has only the evloop backend: H2O_USE_LIBUV defaults to 0 here, and h2o_loop_t is
 * h2o_evloop_t. Defining H2O_USE_LIBUV to non-zero is an error. */
#ifndef h2o__socket_h
#define h2o__socket_h

#include <stdint.h>
#include <sys/socket.h>
#include <string.h>
#include "h2o/memory.h"
#include "h2o/string_.h"

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#if H2O_USE_LIBUV
#error "libh2o-rs has no libuv backend: build with H2O_USE_LIBUV=0 (pkg-config --cflags libh2o-evloop)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** A moving average of the last 8 measured periods (96 bytes), e.g. the loop's time spent running
 * callbacks. Zero-fill to initialize; start, then stop with the same clock (milliseconds). */
typedef struct st_h2o_sliding_counter_t {
    uint64_t average; /* 0: the mean of prev.slots */
    struct {
        uint64_t sum;      /* 8 */
        uint64_t slots[8]; /* 16 */
        size_t index;      /* 80: the slot the next period goes to */
    } prev;
    struct {
        uint64_t start_at; /* 88: 0 when not running */
    } cur;
} h2o_sliding_counter_t;

/** Non-zero between h2o_sliding_counter_start() and h2o_sliding_counter_stop(). */
static int h2o_sliding_counter_is_running(h2o_sliding_counter_t *counter);
/** Starts a period at `now` (non-zero). */
static void h2o_sliding_counter_start(h2o_sliding_counter_t *counter, uint64_t now);
/** Ends the running period at `now`, stores its length in the next slot and updates `average`. */
void h2o_sliding_counter_stop(h2o_sliding_counter_t *counter, uint64_t now);

/** Initial capacity of a socket's input buffer is twice this. */
#define H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE 4096

typedef struct st_h2o_socket_t h2o_socket_t;

/** Called when a read or a write completes; `err` is NULL on success, else one of the
 * h2o_socket_error_* strings. */
typedef void (*h2o_socket_cb)(h2o_socket_t *sock, const char *err);

#ifdef __cplusplus
}
#endif
#include "h2o/socket/evloop.h"
#ifdef __cplusplus
extern "C" {
#endif

/** A peer address as 2.2.5 caches it (`addr` is followed by the rest of the address). */
struct st_h2o_socket_peername_t {
    socklen_t len;
    struct sockaddr addr;
};

enum {
    H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_TBD = 0,
    H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_NEEDS_UPDATE,
    H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DISABLED,
    H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_DETERMINED
};

/** A socket (96 bytes as seen by C; the library allocates more behind it). */
struct st_h2o_socket_t {
    void *data;                      /* 0: the caller's */
    struct st_h2o_socket_ssl_t *ssl; /* 8: NULL (no TLS yet) */
    h2o_buffer_t *input;             /* 16: bytes read and not consumed yet */
    size_t bytes_read;               /* 24: total bytes read */
    size_t bytes_written;            /* 32: total bytes written */
    struct {
        void (*cb)(void *data);
        void *data;
    } on_close;                      /* 40: called once the socket is closed */
    struct {
        h2o_socket_cb read;
        h2o_socket_cb write;
    } _cb;                           /* 56: private; see h2o_socket_is_reading / _is_writing */
    struct st_h2o_socket_peername_t *_peername; /* 72: private */
    struct {
        uint8_t state; /* one of H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_* */
        uint8_t notsent_is_minimized : 1;
        uint16_t suggested_tls_payload_size;
        size_t suggested_write_size; /* SIZE_MAX: no limit */
    } _latency_optimization;         /* 80: private */
};

/** A socket detached from its loop by h2o_socket_export (24 bytes): the caller owns `fd` and
 * `input` until h2o_socket_import or h2o_socket_dispose_export. */
typedef struct st_h2o_socket_export_t {
    int fd;
    struct st_h2o_socket_ssl_t *ssl;
    h2o_buffer_t *input;
} h2o_socket_export_t;

/** When a socket writes in latency-optimized mode (12 bytes; the HTTP/2 defaults are 50, 10, 65535). */
typedef struct st_h2o_socket_latency_optimization_conditions_t {
    unsigned min_rtt;              /* milliseconds: no optimization below this RTT */
    unsigned max_additional_delay; /* percent of the RTT the loop may add per iteration */
    unsigned max_cwnd;             /* bytes: no write-size limit when mss * cwnd reaches this */
} h2o_socket_latency_optimization_conditions_t;

/** The `err` strings given to callbacks (compare by pointer). */
extern const char *h2o_socket_error_out_of_memory;
extern const char *h2o_socket_error_io;
extern const char *h2o_socket_error_closed;
extern const char *h2o_socket_error_conn_fail;
extern const char *h2o_socket_error_ssl_no_cert;
extern const char *h2o_socket_error_ssl_cert_invalid;
extern const char *h2o_socket_error_ssl_cert_name_mismatch;
extern const char *h2o_socket_error_ssl_decode;

/** The loop the socket belongs to. */
h2o_loop_t *h2o_socket_get_loop(h2o_socket_t *sock);
/** Closes the socket: the descriptor is closed, pending callbacks are dropped, `input` is freed,
 * then on_close.cb(on_close.data) is called. `sock` is invalid afterwards. */
void h2o_socket_close(h2o_socket_t *sock);
/** The descriptor (owned by the socket). */
int h2o_socket_get_fd(h2o_socket_t *sock);
/** With non-zero `dont_read`, readiness calls the read callback without reading (listeners). */
void h2o_socket_dont_read(h2o_socket_t *sock, int dont_read);
/** Writes `bufcnt` buffers in order, then calls `cb` (err NULL, or h2o_socket_error_io). The array is
 * copied; the bytes must stay valid until `cb`. One write at a time per socket. */
void h2o_socket_write(h2o_socket_t *sock, h2o_iovec_t *bufs, size_t bufcnt, h2o_socket_cb cb);
/** Calls `cb` whenever bytes were appended to `input` (err NULL), or with h2o_socket_error_closed at
 * end of stream / h2o_socket_error_io on error. */
void h2o_socket_read_start(h2o_socket_t *sock, h2o_socket_cb cb);
/** Stops calling the read callback. */
void h2o_socket_read_stop(h2o_socket_t *sock);
/** Non-zero while a write is in progress (its callback not called yet). */
static int h2o_socket_is_writing(h2o_socket_t *sock);
/** Non-zero between h2o_socket_read_start and h2o_socket_read_stop. */
static int h2o_socket_is_reading(h2o_socket_t *sock);
/** Local / peer address into `sa` (room for a struct sockaddr_storage); returns its length, 0 on error.
 * The peer address is cached on first use. */
socklen_t h2o_socket_getsockname(h2o_socket_t *sock, struct sockaddr *sa);
socklen_t h2o_socket_getpeername(h2o_socket_t *sock, struct sockaddr *sa);
/** Overrides the peer address (a copy of `len` bytes of `sa`), e.g. with the one a proxy reported. */
void h2o_socket_setpeername(h2o_socket_t *sock, struct sockaddr *sa, socklen_t len);
/** Calls `cb` (err NULL) once the socket is writable; in latency-optimized mode, once what was written
 * has been sent. One write or notification at a time. */
void h2o_socket_notify_write(h2o_socket_t *sock, h2o_socket_cb cb);
/** Starts a non-blocking TCP (or Unix) connection to `addr`; `cb` is called with err NULL once connected,
 * or h2o_socket_error_conn_fail. The socket is the caller's. NULL when connecting fails at once. */
h2o_socket_t *h2o_socket_connect(h2o_loop_t *loop, struct sockaddr *addr, socklen_t addrlen, h2o_socket_cb cb);
/** Detaches the socket into `info` (descriptor and unread input) and closes it (on_close is called,
 * the descriptor stays open). No write may be in progress. Returns 0. */
int h2o_socket_export(h2o_socket_t *sock, h2o_socket_export_t *info);
/** A new socket of `loop` from an export (it takes the descriptor and the input; `info->fd` becomes -1).
 * Any thread's loop may import. NULL (info unchanged) when the descriptor cannot be polled. */
h2o_socket_t *h2o_socket_import(h2o_loop_t *loop, h2o_socket_export_t *info);
/** Closes the descriptor and frees the input of an export that is not imported. */
void h2o_socket_dispose_export(h2o_socket_export_t *info);
/** Reads TCP_INFO and decides how this socket writes (sets TCP_NOTSENT_LOWAT to 1 in latency-optimized
 * mode); returns how many bytes to write now, SIZE_MAX for no limit. The socket's own writer honours it too:
 * in the mode, h2o_socket_write hands the kernel at most that many bytes per writable event. */
size_t h2o_socket_do_prepare_for_latency_optimized_write(h2o_socket_t *sock,
                                                         const h2o_socket_latency_optimization_conditions_t *conditions);
/** The cached decision, or h2o_socket_do_prepare_for_latency_optimized_write when it must be (re)made. */
static size_t h2o_socket_prepare_for_latency_optimized_write(h2o_socket_t *sock,
                                                             const h2o_socket_latency_optimization_conditions_t *conditions);
/** TLS properties: the version ("TLSv1.3" / "TLSv1.2"), whether the session was resumed (1 / 0), the cipher
 * suite by OpenSSL's name ("TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES256-GCM-SHA384", ...), its key bits; for a
 * plain socket NULL, -1, NULL, 0. The session id is always {NULL, 0}: the engine (rustls) does not expose it.
 * Strings are static. */
const char *h2o_socket_get_ssl_protocol_version(h2o_socket_t *sock);
int h2o_socket_get_ssl_session_reused(h2o_socket_t *sock);
const char *h2o_socket_get_ssl_cipher(h2o_socket_t *sock);
int h2o_socket_get_ssl_cipher_bits(h2o_socket_t *sock);
h2o_iovec_t h2o_socket_get_ssl_session_id(h2o_socket_t *sock);
/** The same as text for the access log ({NULL, 0}: nothing to log); allocated from `pool` (or malloc'd
 * when `pool` is NULL) where text is made. */
static h2o_iovec_t h2o_socket_log_ssl_protocol_version(h2o_socket_t *sock, h2o_mem_pool_t *pool);
static h2o_iovec_t h2o_socket_log_ssl_session_reused(h2o_socket_t *sock, h2o_mem_pool_t *pool);
static h2o_iovec_t h2o_socket_log_ssl_cipher(h2o_socket_t *sock, h2o_mem_pool_t *pool);
h2o_iovec_t h2o_socket_log_ssl_cipher_bits(h2o_socket_t *sock, h2o_mem_pool_t *pool);
h2o_iovec_t h2o_socket_log_ssl_session_id(h2o_socket_t *sock, h2o_mem_pool_t *pool);

/* TLS protocol negotiation (2.2.5 enables both with OpenSSL >= 1.0.2, as Debian builds it). SSL_CTX is
 * OpenSSL's `struct ssl_ctx_st`, declared here so that this header needs no OpenSSL headers. */
#ifndef H2O_USE_ALPN
#define H2O_USE_ALPN 1
#endif
#ifndef H2O_USE_NPN
#define H2O_USE_NPN 1
#endif
struct ssl_ctx_st;
/** Record `protocols` on `ctx` as the protocols TLS connections accepted with this `ctx` negotiate:
 * by ALPN (a NULL-terminated list such as h2o_alpn_protocols) / NPN (wire form, such as
 * h2o_npn_protocols). The list is copied (2.2.5 borrowed it for the life of `ctx`) and forgotten
 * when OpenSSL frees `ctx`. libh2o-rs serves TLS with rustls, reading the certificate chain and key
 * out of `ctx`, and installs no OpenSSL callbacks on it; rustls has no NPN, so an NPN list serves as
 * the ALPN preference order only when no ALPN list is registered on `ctx`. A client offering none
 * of the protocols gets HTTP/1.1. NULL `ctx`: nothing happens. */
void h2o_ssl_register_alpn_protocols(struct ssl_ctx_st *ctx, const h2o_iovec_t *protocols);
void h2o_ssl_register_npn_protocols(struct ssl_ctx_st *ctx, const char *protocols);
/** Makes `sock` (a plain socket not reading) a TLS socket and runs the server-side handshake with `ssl_ctx`
 * (an OpenSSL SSL_CTX, or a h2o_rs_tls_config_t of h2o/rs_tls.h); `handshake_cb(sock, NULL)` from the loop
 * once it is established, `handshake_cb(sock, err)` when it failed (close the socket then). Client mode
 * (`server_name` not NULL) is not supported by libh2o-rs: the handshake fails. h2o_accept does this itself. */
void h2o_socket_ssl_handshake(h2o_socket_t *sock, struct ssl_ctx_st *ssl_ctx, const char *server_name,
                              h2o_socket_cb handshake_cb);
/** The protocol ALPN selected (borrowed until the socket is closed); {NULL, 0} when none was. */
h2o_iovec_t h2o_socket_ssl_get_selected_protocol(h2o_socket_t *sock);

/** Orders two addresses (family, address, port; AF_UNIX by path): negative, 0 or positive. */
int h2o_socket_compare_address(struct sockaddr *x, struct sockaddr *y);
/** The numeric host of `sa` into `buf` (NI_MAXHOST bytes, NUL-terminated); its length, SIZE_MAX on error. */
size_t h2o_socket_getnumerichost(struct sockaddr *sa, socklen_t salen, char *buf);
/** The port (host order) of an AF_INET / AF_INET6 address, -1 for other families. */
int32_t h2o_socket_getport(struct sockaddr *sa);

/** mmap settings of socket buffers: threshold 32 MiB, template "/tmp/h2o.b.XXXXXX". Process-wide;
 * change it before sockets are created. */
extern h2o_buffer_mmap_settings_t h2o_socket_buffer_mmap_settings;
/** Prototype of socket buffers: one per thread (recycles up to 16 buffers of
 * 2 * H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE bytes; uses h2o_socket_buffer_mmap_settings). */
extern __thread h2o_buffer_prototype_t h2o_socket_buffer_prototype;

/* ---- inline definitions ------------------------------------------------------------------------ */

inline int h2o_sliding_counter_is_running(h2o_sliding_counter_t *counter)
{
    return counter->cur.start_at != 0;
}

inline void h2o_sliding_counter_start(h2o_sliding_counter_t *counter, uint64_t now)
{
    counter->cur.start_at = now;
}

inline int h2o_socket_is_writing(h2o_socket_t *sock)
{
    return sock->_cb.write != NULL;
}

inline int h2o_socket_is_reading(h2o_socket_t *sock)
{
    return sock->_cb.read != NULL;
}

inline h2o_iovec_t h2o_socket_log_ssl_protocol_version(h2o_socket_t *sock, h2o_mem_pool_t *pool)
{
    const char *s = h2o_socket_get_ssl_protocol_version(sock);
    (void)pool;
    return s != NULL ? h2o_iovec_init(s, strlen(s)) : h2o_iovec_init(NULL, 0);
}

inline h2o_iovec_t h2o_socket_log_ssl_session_reused(h2o_socket_t *sock, h2o_mem_pool_t *pool)
{
    (void)pool;
    switch (h2o_socket_get_ssl_session_reused(sock)) {
    case 0:
        return h2o_iovec_init(H2O_STRLIT("0"));
    case 1:
        return h2o_iovec_init(H2O_STRLIT("1"));
    default:
        return h2o_iovec_init(NULL, 0);
    }
}

inline h2o_iovec_t h2o_socket_log_ssl_cipher(h2o_socket_t *sock, h2o_mem_pool_t *pool)
{
    const char *s = h2o_socket_get_ssl_cipher(sock);
    (void)pool;
    return s != NULL ? h2o_iovec_init(s, strlen(s)) : h2o_iovec_init(NULL, 0);
}

inline size_t h2o_socket_prepare_for_latency_optimized_write(h2o_socket_t *sock,
                                                             const h2o_socket_latency_optimization_conditions_t *conditions)
{
    if (sock->_latency_optimization.state == H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_TBD ||
        sock->_latency_optimization.state == H2O_SOCKET_LATENCY_OPTIMIZATION_STATE_NEEDS_UPDATE)
        return h2o_socket_do_prepare_for_latency_optimized_write(sock, conditions);
    return sock->_latency_optimization.suggested_write_size;
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__socket_h */
