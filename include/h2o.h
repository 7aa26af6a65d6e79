/* h2o.h: the embedding API of libh2o-rs, a drop-in for libh2o-evloop 2.2.5.
 *
 * Hand-written. Names, signatures, constants and the x86_64 layout of every type below are libh2o
 * 2.2.5's (with -DH2O_USE_LIBUV=0; tests/abi/layouts.txt holds the numbers and the ABI tests check
 * them against this header and against Debian's), so that programs written for 2.2.5 compile here
 * unchanged and binaries built against Debian's headers run on this library.
 *
 * The usual shape of an embedder:
 *
 *     static h2o_globalconf_t config;                 // caller-allocated, zero or not
 *     h2o_config_init(&config);                       // defaults (see h2o_config_init)
 *     h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
 *     h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
 *     h2o_handler_t *h = h2o_create_handler(path, sizeof(*h));   // zero-filled, owned by `path`
 *     h->on_req = my_on_req;
 *     ...
 *     h2o_config_dispose(&config);                    // frees hosts, paths and handlers
 *
 * Ownership: the globalconf is the caller's; everything registered to it (hosts, paths, handlers,
 * filters, loggers) is owned by it and freed by h2o_config_dispose, which first calls each
 * handler's `dispose` callback (if set). Header lists (h2o_headers_t) and what they point to live in
 * the h2o_mem_pool_t given to the h2o_*_header functions.
 *
 * Not everything declared here is implemented yet: declarations inside blocks marked
 * "not yet provided by libh2o-rs" name functions and data objects of 2.2.5 that this library does
 * not export yet (a program using them fails to link, rather than misbehaving). */
#ifndef h2o_h
#define h2o_h

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include "h2o/filecache.h"
#include "h2o/memcached.h"
#include "h2o/linklist.h"
#include "h2o/http1client.h"
#include "h2o/memory.h"
#include "h2o/multithread.h"
#include "h2o/socket.h"
#include "h2o/socketpool.h"
#include "h2o/string_.h"
#include "h2o/time_.h"
#include "h2o/timeout.h"
#include "h2o/token.h"
#include "h2o/url.h"
#include "h2o/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef H2O_USE_BROTLI
#define H2O_USE_BROTLI 0
#endif

/* Most header lines accepted in one request. */
#ifndef H2O_MAX_HEADERS
#define H2O_MAX_HEADERS 100
#endif
/* Longest request head accepted (request line and headers). */
#ifndef H2O_MAX_REQLEN
#define H2O_MAX_REQLEN (8192 + 4096 * (H2O_MAX_HEADERS))
#endif
/* listen(2) backlog; the kernel lowers it to its own maximum. */
#ifndef H2O_SOMAXCONN
#define H2O_SOMAXCONN 65535
#endif

/* The values h2o_config_init() stores (timeouts in milliseconds). */
#define H2O_DEFAULT_MAX_REQUEST_ENTITY_SIZE (1024 * 1024 * 1024)
#define H2O_DEFAULT_MAX_DELEGATIONS 5
#define H2O_DEFAULT_HANDSHAKE_TIMEOUT_IN_SECS 10
#define H2O_DEFAULT_HANDSHAKE_TIMEOUT (H2O_DEFAULT_HANDSHAKE_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_HTTP1_REQ_TIMEOUT_IN_SECS 10
#define H2O_DEFAULT_HTTP1_REQ_TIMEOUT (H2O_DEFAULT_HTTP1_REQ_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_HTTP1_UPGRADE_TO_HTTP2 1
#define H2O_DEFAULT_HTTP2_IDLE_TIMEOUT_IN_SECS 10
#define H2O_DEFAULT_HTTP2_IDLE_TIMEOUT (H2O_DEFAULT_HTTP2_IDLE_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT_IN_SECS 0 /* 0: wait as long as it takes */
#define H2O_DEFAULT_HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT (H2O_DEFAULT_HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_PROXY_IO_TIMEOUT_IN_SECS 30
#define H2O_DEFAULT_PROXY_IO_TIMEOUT (H2O_DEFAULT_PROXY_IO_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_PROXY_WEBSOCKET_TIMEOUT_IN_SECS 300
#define H2O_DEFAULT_PROXY_WEBSOCKET_TIMEOUT (H2O_DEFAULT_PROXY_WEBSOCKET_TIMEOUT_IN_SECS * 1000)
#define H2O_DEFAULT_PROXY_SSL_SESSION_CACHE_CAPACITY 4096
#define H2O_DEFAULT_PROXY_SSL_SESSION_CACHE_DURATION 86400000 /* one day */

typedef struct st_h2o_conn_t h2o_conn_t;
typedef struct st_h2o_context_t h2o_context_t;
typedef struct st_h2o_req_t h2o_req_t;
typedef struct st_h2o_ostream_t h2o_ostream_t;
typedef struct st_h2o_configurator_command_t h2o_configurator_command_t;
typedef struct st_h2o_configurator_t h2o_configurator_t;
typedef struct st_h2o_hostconf_t h2o_hostconf_t;
typedef struct st_h2o_globalconf_t h2o_globalconf_t;
typedef struct st_h2o_mimemap_t h2o_mimemap_t;       /* opaque */
typedef struct st_h2o_logconf_t h2o_logconf_t;       /* opaque */
typedef struct st_h2o_headers_command_t h2o_headers_command_t;

/* --- handlers, filters, loggers ----------------------------------------------------------------- */

/** A handler (40 bytes at least): asked, in registration order, to answer a request. Allocate it
 * with h2o_create_handler() (which may allocate a larger struct that starts with this one). on_req
 * returns 0 when it takes the request (and then must answer it), -1 to pass it on. */
typedef struct st_h2o_handler_t {
    size_t _config_slot;                                                          /* 0: private */
    void (*on_context_init)(struct st_h2o_handler_t *self, h2o_context_t *ctx);    /* 8: may be NULL */
    void (*on_context_dispose)(struct st_h2o_handler_t *self, h2o_context_t *ctx); /* 16: may be NULL */
    void (*dispose)(struct st_h2o_handler_t *self);                                /* 24: may be NULL */
    int (*on_req)(struct st_h2o_handler_t *self, h2o_req_t *req);                  /* 32 */
} h2o_handler_t;

/** A filter (40 bytes at least): may insert an output stream in front of a response. */
typedef struct st_h2o_filter_t {
    size_t _config_slot;
    void (*on_context_init)(struct st_h2o_filter_t *self, h2o_context_t *ctx);
    void (*on_context_dispose)(struct st_h2o_filter_t *self, h2o_context_t *ctx);
    void (*dispose)(struct st_h2o_filter_t *self);
    void (*on_setup_ostream)(struct st_h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot); /* 32 */
} h2o_filter_t;

/** A logger (40 bytes at least): told about each request once it is done. */
typedef struct st_h2o_logger_t {
    size_t _config_slot;
    void (*on_context_init)(struct st_h2o_logger_t *self, h2o_context_t *ctx);
    void (*on_context_dispose)(struct st_h2o_logger_t *self, h2o_context_t *ctx);
    void (*dispose)(struct st_h2o_logger_t *self);
    void (*log_access)(struct st_h2o_logger_t *self, h2o_req_t *req); /* 32 */
} h2o_logger_t;

/* --- timestamps ---------------------------------------------------------------------------------- */

/** A moment as the two strings responses and logs need, NUL-terminated (57 bytes). */
typedef struct st_h2o_timestamp_string_t {
    char rfc1123[H2O_TIMESTR_RFC1123_LEN + 1]; /* 0: for the Date header */
    char log[H2O_TIMESTR_LOG_LEN + 1];         /* 30: for access logs */
} h2o_timestamp_string_t;

/** A moment (24 bytes); fill it with h2o_get_timestamp(). `str` is a shared pool allocation. */
typedef struct st_h2o_timestamp_t {
    struct timeval at;           /* 0 */
    h2o_timestamp_string_t *str; /* 16 */
} h2o_timestamp_t;

/* --- configuration ------------------------------------------------------------------------------- */

/** HTTP/2 "cache-aware server push" settings of a host (8 bytes). */
typedef struct st_h2o_casper_conf_t {
    unsigned capacity_bits; /* 0: disabled */
    int track_all_types;
} h2o_casper_conf_t;

/** Environment variables to set or unset for requests under a path (56 bytes). */
typedef struct st_h2o_envconf_t {
    struct st_h2o_envconf_t *parent; /* 0 */
    h2o_iovec_vector_t unsets;       /* 8: names */
    h2o_iovec_vector_t sets;         /* 32: name, value, name, value, ... */
} h2o_envconf_t;

/** The configuration of one path of a host (120 bytes); owned by its hostconf. */
typedef struct st_h2o_pathconf_t {
    h2o_globalconf_t *global;            /* 0 */
    h2o_iovec_t path;                    /* 8: NUL-terminated; {NULL, 0} for a host's fallback path */
    H2O_VECTOR(h2o_handler_t *) handlers; /* 24: in the order they are asked */
    H2O_VECTOR(h2o_filter_t *) filters;   /* 48 */
    H2O_VECTOR(h2o_logger_t *) loggers;   /* 72 */
    h2o_mimemap_t *mimemap;              /* 96 */
    h2o_envconf_t *env;                  /* 104 */
    struct {
        unsigned emit_request_errors : 1; /* log h2o_req_log_error() messages to stderr */
    } error_log;                         /* 112 */
} h2o_pathconf_t;

/** The configuration of one virtual host (216 bytes); owned by the globalconf. */
struct st_h2o_hostconf_t {
    h2o_globalconf_t *global; /* 0 */
    struct {
        h2o_iovec_t hostport; /* 8: "host" or "host:port", lower case, NUL-terminated */
        h2o_iovec_t host;     /* 24: lower case, NUL-terminated */
        uint16_t port;        /* 40: 65535 when no port was given */
    } authority;
    H2O_VECTOR(h2o_pathconf_t) paths; /* 48: in registration order */
    h2o_pathconf_t fallback_path;     /* 72: used when no path matches */
    h2o_mimemap_t *mimemap;           /* 192 */
    struct {
        unsigned reprioritize_blocking_assets : 1;
        unsigned push_preload : 1;
        h2o_casper_conf_t casper; /* 204 */
    } http2;                      /* 200 */
};

/** Hooks a protocol implementation gives the server (16 bytes). */
typedef struct st_h2o_protocol_callbacks_t {
    void (*request_shutdown)(h2o_context_t *ctx);
    int (*foreach_request)(h2o_context_t *ctx, int (*cb)(h2o_req_t *req, void *cbdata), void *cbdata);
} h2o_protocol_callbacks_t;

typedef h2o_iovec_t (*final_status_handler_cb)(void *ctx, h2o_globalconf_t *gconf, h2o_req_t *req);

/** A section of the status page (40 bytes). */
typedef struct st_h2o_status_handler_t {
    h2o_iovec_t name;
    void *(*init)(void);
    void (*per_thread)(void *priv, h2o_context_t *ctx);
    h2o_iovec_t (*final)(void *ctx, h2o_globalconf_t *gconf, h2o_req_t *req);
} h2o_status_handler_t;

typedef H2O_VECTOR(h2o_status_handler_t) h2o_status_callbacks_t;

/** The server-wide configuration (240 bytes); caller-allocated, filled by h2o_config_init(). */
struct st_h2o_globalconf_t {
    h2o_hostconf_t **hosts;         /* 0: NULL-terminated, in registration order */
    h2o_linklist_t configurators;   /* 8 */
    h2o_iovec_t server_name;        /* 24: the Server header value */
    size_t max_request_entity_size; /* 40: larger bodies get 413 */
    unsigned max_delegations;       /* 48 */
    char *user;                     /* 56 */
    uint64_t handshake_timeout;     /* 64: TLS handshake, ms */
    struct {
        uint64_t req_timeout; /* 72: ms */
        int upgrade_to_http2; /* 80 */
        h2o_protocol_callbacks_t callbacks; /* 88 */
    } http1;
    struct {
        uint64_t idle_timeout;                         /* 104: ms */
        uint64_t graceful_shutdown_timeout;            /* 112: ms; 0 waits forever */
        size_t max_concurrent_requests_per_connection; /* 120 */
        size_t max_streams_for_priority;               /* 128 */
        h2o_socket_latency_optimization_conditions_t latency_optimization; /* 136 */
        h2o_protocol_callbacks_t callbacks; /* 152 */
    } http2;
    struct {
        uint64_t io_timeout; /* 168: ms */
        SSL_CTX *ssl_ctx;    /* 176 */
        unsigned preserve_x_forwarded_proto : 1;
        unsigned preserve_server_header : 1;
        unsigned emit_x_forwarded_headers : 1;
        unsigned emit_via_header : 1;
    } proxy;
    h2o_mimemap_t *mimemap; /* 192 */
    struct {
        size_t capacity;
    } filecache;                     /* 200 */
    h2o_status_callbacks_t statuses; /* 208 */
    size_t _num_config_slots;        /* 232: private */
};

enum {
    H2O_COMPRESS_HINT_AUTO = 0,
    H2O_COMPRESS_HINT_DISABLE,
    H2O_COMPRESS_HINT_ENABLE
};

/** What is known about a MIME type (8 bytes). */
typedef struct st_h2o_mime_attributes_t {
    char is_compressible;
    enum { H2O_MIME_ATTRIBUTE_PRIORITY_NORMAL = 0, H2O_MIME_ATTRIBUTE_PRIORITY_HIGHEST } priority;
} h2o_mime_attributes_t;

/** A MIME map entry: a type, or a dynamic handler configuration (128 bytes). */
typedef struct st_h2o_mimemap_type_t {
    enum { H2O_MIMEMAP_TYPE_MIMETYPE = 0, H2O_MIMEMAP_TYPE_DYNAMIC = 1 } type;
    union {
        struct {
            h2o_iovec_t mimetype;
            h2o_mime_attributes_t attr;
        };
        struct {
            h2o_pathconf_t pathconf;
        } dynamic;
    } data;
} h2o_mimemap_type_t;

/* HTTP/2 error codes (RFC 7540 section 7), negated; and internal ones. */
#define H2O_HTTP2_ERROR_NONE 0
#define H2O_HTTP2_ERROR_PROTOCOL -1
#define H2O_HTTP2_ERROR_INTERNAL -2
#define H2O_HTTP2_ERROR_FLOW_CONTROL -3
#define H2O_HTTP2_ERROR_SETTINGS_TIMEOUT -4
#define H2O_HTTP2_ERROR_STREAM_CLOSED -5
#define H2O_HTTP2_ERROR_FRAME_SIZE -6
#define H2O_HTTP2_ERROR_REFUSED_STREAM -7
#define H2O_HTTP2_ERROR_CANCEL -8
#define H2O_HTTP2_ERROR_COMPRESSION -9
#define H2O_HTTP2_ERROR_CONNECT -10
#define H2O_HTTP2_ERROR_ENHANCE_YOUR_CALM -11
#define H2O_HTTP2_ERROR_INADEQUATE_SECURITY -12
#define H2O_HTTP2_ERROR_MAX 13
#define H2O_HTTP2_ERROR_INVALID_HEADER_CHAR -254
#define H2O_HTTP2_ERROR_INCOMPLETE -255
#define H2O_HTTP2_ERROR_PROTOCOL_CLOSE_IMMEDIATELY -256

/* Indices of h2o_context_t.emitted_error_status. */
enum {
    H2O_STATUS_ERROR_400 = 0,
    H2O_STATUS_ERROR_403,
    H2O_STATUS_ERROR_404,
    H2O_STATUS_ERROR_405,
    H2O_STATUS_ERROR_413,
    H2O_STATUS_ERROR_416,
    H2O_STATUS_ERROR_417,
    H2O_STATUS_ERROR_500,
    H2O_STATUS_ERROR_502,
    H2O_STATUS_ERROR_503,
    H2O_STATUS_ERROR_MAX
};

/* --- the context ---------------------------------------------------------------------------------- */

/** One slot of h2o_context_t.storage (16 bytes). */
typedef struct st_h2o_context_storage_item_t {
    void (*dispose)(void *data);
    void *data;
} h2o_context_storage_item_t;

typedef H2O_VECTOR(h2o_context_storage_item_t) h2o_context_storage_t;

/** The per-loop (per-thread) server state (864 bytes); caller-allocated, see h2o_context_init(). */
struct st_h2o_context_t {
    h2o_loop_t *loop;                   /* 0 */
    h2o_timeout_t zero_timeout;         /* 8: for deferred callbacks */
    h2o_timeout_t one_sec_timeout;      /* 56 */
    h2o_timeout_t hundred_ms_timeout;   /* 104 */
    h2o_globalconf_t *globalconf;       /* 152 */
    h2o_multithread_queue_t *queue;     /* 160 */
    struct {
        h2o_multithread_receiver_t hostinfo_getaddr;
    } receivers;                        /* 168 */
    h2o_filecache_t *filecache;         /* 216 */
    h2o_context_storage_t storage;      /* 224 */
    int shutdown_requested;             /* 248 */
    h2o_timeout_t handshake_timeout;    /* 256 */
    struct {
        h2o_timeout_t req_timeout;      /* 304 */
        h2o_linklist_t _conns;          /* 352: private */
    } http1;
    struct {
        h2o_timeout_t idle_timeout;                      /* 368 */
        h2o_linklist_t _conns;                           /* 416: private */
        h2o_timeout_t graceful_shutdown_timeout;         /* 432 */
        h2o_timeout_entry_t _graceful_shutdown_timeout;  /* 480: private */
        struct {
            uint64_t protocol_level_errors[H2O_HTTP2_ERROR_MAX]; /* 512 */
            uint64_t read_closed;                                /* 616 */
            uint64_t write_closed;                               /* 624 */
        } events;
    } http2;
    struct {
        h2o_http1client_ctx_t client_ctx; /* 632 */
        h2o_timeout_t io_timeout;         /* 672 */
    } proxy;
    void **_module_configs; /* 720: private */
    struct {
        uint64_t uv_now_at;
        struct timeval tv_at;
        h2o_timestamp_string_t *value;
    } _timestamp_cache;     /* 728: private */
    uint64_t emitted_error_status[H2O_STATUS_ERROR_MAX]; /* 760 */
    H2O_VECTOR(h2o_pathconf_t *) _pathconfs_inited;       /* 840: private */
};

/* --- headers, requests, responses ------------------------------------------------------------------ */

/** One header line (32 bytes). `name` points to a token (h2o_token_t.buf) for known names. */
typedef struct st_h2o_header_t {
    h2o_iovec_t *name;     /* 0 */
    const char *orig_name; /* 8: the name as received (same length), or NULL */
    h2o_iovec_t value;     /* 16 */
} h2o_header_t;

/** A list of header lines (24 bytes), allocated from a pool. */
typedef H2O_VECTOR(h2o_header_t) h2o_headers_t;

/** Produces a response body; set by h2o_start_response() (16 bytes at least). */
typedef struct st_h2o_generator_t {
    /* asked for more data once what was given to h2o_send() has been sent */
    void (*proceed)(struct st_h2o_generator_t *self, h2o_req_t *req);
    /* the response is abandoned (e.g. the client went away); stop producing */
    void (*stop)(struct st_h2o_generator_t *self, h2o_req_t *req);
} h2o_generator_t;

typedef enum h2o_send_state {
    H2O_SEND_STATE_IN_PROGRESS,
    H2O_SEND_STATE_FINAL,
    H2O_SEND_STATE_ERROR
} h2o_send_state_t;

typedef h2o_send_state_t (*h2o_ostream_pull_cb)(h2o_generator_t *generator, h2o_req_t *req, h2o_iovec_t *buf);

static inline int h2o_send_state_is_in_progress(h2o_send_state_t s)
{
    return s == H2O_SEND_STATE_IN_PROGRESS;
}

/** A stage of the output chain (32 bytes at least). */
struct st_h2o_ostream_t {
    struct st_h2o_ostream_t *next;
    void (*do_send)(struct st_h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state);
    void (*stop)(struct st_h2o_ostream_t *self, h2o_req_t *req);
    void (*start_pull)(struct st_h2o_ostream_t *self, h2o_ostream_pull_cb cb);
};

/** A response (88 bytes). */
typedef struct st_h2o_res_t {
    int status;             /* 0 */
    const char *reason;     /* 8 */
    size_t content_length;  /* 16: SIZE_MAX when unknown */
    h2o_headers_t headers;  /* 24 */
    h2o_mime_attributes_t *mime_attr; /* 48: may be NULL */
    struct {
        int status;
        h2o_headers_t headers;
    } original;             /* 56: before output filters rewrote them */
} h2o_res_t;

/** HTTP/2 debug state (40 bytes). */
typedef struct st_h2o_http2_debug_state_t {
    h2o_iovec_vector_t json;
    ssize_t conn_flow_in;
    ssize_t conn_flow_out;
} h2o_http2_debug_state_t;

/** What a connection implementation provides (152 bytes). */
typedef struct st_h2o_conn_callbacks_t {
    socklen_t (*get_sockname)(h2o_conn_t *conn, struct sockaddr *sa); /* 0: 0 on failure */
    socklen_t (*get_peername)(h2o_conn_t *conn, struct sockaddr *sa); /* 8: 0 on failure */
    void (*push_path)(h2o_req_t *req, const char *abspath, size_t abspath_len); /* 16: may be NULL */
    h2o_socket_t *(*get_socket)(h2o_conn_t *_conn);                           /* 24 */
    h2o_http2_debug_state_t *(*get_debug_state)(h2o_req_t *req, int hpack_enabled); /* 32: may be NULL */
    union {
        struct {
            struct {
                h2o_iovec_t (*protocol_version)(h2o_req_t *req);
                h2o_iovec_t (*session_reused)(h2o_req_t *req);
                h2o_iovec_t (*cipher)(h2o_req_t *req);
                h2o_iovec_t (*cipher_bits)(h2o_req_t *req);
                h2o_iovec_t (*session_id)(h2o_req_t *req);
            } ssl;
            struct {
                h2o_iovec_t (*request_index)(h2o_req_t *req);
            } http1;
            struct {
                h2o_iovec_t (*stream_id)(h2o_req_t *req);
                h2o_iovec_t (*priority_received)(h2o_req_t *req);
                h2o_iovec_t (*priority_received_exclusive)(h2o_req_t *req);
                h2o_iovec_t (*priority_received_parent)(h2o_req_t *req);
                h2o_iovec_t (*priority_received_weight)(h2o_req_t *req);
                h2o_iovec_t (*priority_actual)(h2o_req_t *req);
                h2o_iovec_t (*priority_actual_parent)(h2o_req_t *req);
                h2o_iovec_t (*priority_actual_weight)(h2o_req_t *req);
            } http2;
        };
        h2o_iovec_t (*callbacks[1])(h2o_req_t *req);
    } log_; /* 40: for access logs; each may be NULL */
} h2o_conn_callbacks_t;

/** A client connection, HTTP/1 or HTTP/2 (48 bytes at least). */
struct st_h2o_conn_t {
    h2o_context_t *ctx;                    /* 0 */
    h2o_hostconf_t **hosts;                /* 8: NULL-terminated */
    struct timeval connected_at;           /* 16 */
    uint64_t id;                           /* 32 */
    const h2o_conn_callbacks_t *callbacks; /* 40 */
};

/** A per-request filter (16 bytes at least). */
typedef struct st_h2o_req_prefilter_t {
    struct st_h2o_req_prefilter_t *next;
    void (*on_setup_ostream)(struct st_h2o_req_prefilter_t *self, h2o_req_t *req, h2o_ostream_t **slot);
} h2o_req_prefilter_t;

/** Overrides for proxying a request (80 bytes). */
typedef struct st_h2o_req_overrides_t {
    h2o_http1client_ctx_t *client_ctx;
    h2o_socketpool_t *socketpool;
    struct {
        h2o_iovec_t host;
        uint16_t port;
    } hostport;
    struct {
        h2o_url_t *match;
        h2o_iovec_t path_prefix;
    } location_rewrite;
    unsigned use_proxy_protocol : 1;
    h2o_headers_command_t *headers_cmds;
} h2o_req_overrides_t;

/** Path information of a request served by a dynamic (extension-mapped) handler (48 bytes). */
typedef struct st_h2o_filereq_t {
    h2o_iovec_t script_name;
    h2o_iovec_t path_info;
    h2o_iovec_t local_path;
} h2o_filereq_t;

/** One message of h2o_req_log_error() (24 bytes). */
typedef struct st_h2o_req_error_log_t {
    const char *module;
    h2o_iovec_t msg;
} h2o_req_error_log_t;

/** A request and its response (608 bytes); owned by the connection. The iovecs point into memory
 * that lives as long as the request (its pool or the connection's buffers). */
struct st_h2o_req_t {
    h2o_conn_t *conn; /* 0 */
    struct {
        const h2o_url_scheme_t *scheme; /* 8 */
        h2o_iovec_t authority;          /* 16 */
        h2o_iovec_t method;             /* 32 */
        h2o_iovec_t path;               /* 48 */
        size_t query_at;                /* 64: index of '?' in path, or SIZE_MAX */
    } input;                            /* as received */
    h2o_hostconf_t *hostconf;           /* 72 */
    h2o_pathconf_t *pathconf;           /* 80 */
    const h2o_url_scheme_t *scheme;     /* 88 */
    h2o_iovec_t authority;              /* 96 */
    h2o_iovec_t method;                 /* 112 */
    h2o_iovec_t path;                   /* 128 */
    size_t query_at;                    /* 144: index of '?' in path, or SIZE_MAX */
    h2o_iovec_t path_normalized;        /* 152: no "." / ".." segments, no query */
    size_t *norm_indexes;               /* 168 */
    h2o_req_prefilter_t *prefilters;    /* 176 */
    h2o_filereq_t *filereq;             /* 184 */
    h2o_req_overrides_t *overrides;     /* 192 */
    int version;                        /* 200: 0x101 for HTTP/1.1, 0x200 for HTTP/2 */
    h2o_headers_t headers;              /* 208 */
    h2o_iovec_t entity;                 /* 232: base NULL when there is no body */
    h2o_timestamp_t processed_at;       /* 248 */
    struct {
        struct timeval request_begin_at;
        struct timeval request_body_begin_at;
        struct timeval response_start_at;
        struct timeval response_end_at;
    } timestamps;                       /* 272 */
    h2o_res_t res;                      /* 336 */
    size_t bytes_sent;                  /* 424 */
    unsigned num_reprocessed;           /* 432 */
    unsigned num_delegated;             /* 436 */
    h2o_iovec_vector_t env;             /* 440 */
    H2O_VECTOR(h2o_req_error_log_t) error_logs; /* 464 */
    unsigned char http1_is_persistent : 1;      /* 488: clear it to close the connection after */
    unsigned char res_is_delegated : 1;
    unsigned char bytes_counted_by_ostream : 1;
    char compress_hint;                 /* 489: H2O_COMPRESS_HINT_* */
    h2o_iovec_t upgrade;                /* 496: the Upgrade header, or {NULL, 0} */
    size_t preferred_chunk_size;        /* 512 */
    h2o_generator_t *_generator;        /* 520: private */
    h2o_ostream_t *_ostr_top;           /* 528: private */
    size_t _next_filter_index;          /* 536: private */
    h2o_timeout_entry_t _timeout_entry; /* 544: private */
    h2o_mem_pool_t pool;                /* 576: freed with the request */
};

/** What h2o_accept() needs (40 bytes); caller-allocated. */
typedef struct st_h2o_accept_ctx_t {
    h2o_context_t *ctx;                                 /* 0 */
    h2o_hostconf_t **hosts;                             /* 8 */
    SSL_CTX *ssl_ctx;                                   /* 16: NULL for plain HTTP */
    int expect_proxy_line;                              /* 24 */
    h2o_multithread_receiver_t *libmemcached_receiver;  /* 32 */
} h2o_accept_ctx_t;

/** Two buffers taking turns (16 bytes). */
typedef struct st_h2o_doublebuffer_t {
    h2o_buffer_t *buf;
    size_t bytes_inflight;
} h2o_doublebuffer_t;

/* --- provided by libh2o-rs --------------------------------------------------------------------------
 * (the token table, h2o__tokens / h2o__num_tokens / h2o_lookup_token / h2o_iovec_is_token, comes
 * from h2o/token.h) */

/* Header lists. Names are tokens (compared by pointer) or strings (compared exactly, so pass them
 * in lower case as HTTP/2 and H2O do). Values and non-token names are not copied (as in 2.2.5):
 * they must live as long as the list; only an `orig_name` is copied.
 * Searches start after `cursor` (-1 to start from the first line) and return the index of the
 * next match or -1. New entries are allocated from `pool`. */
ssize_t h2o_find_header(const h2o_headers_t *headers, const h2o_token_t *token, ssize_t cursor);
ssize_t h2o_find_header_by_str(const h2o_headers_t *headers, const char *name, size_t name_len, ssize_t cursor);
/** Appends a line. `orig_name` (may be NULL) is the name as received. */
void h2o_add_header(h2o_mem_pool_t *pool, h2o_headers_t *headers, const h2o_token_t *token, const char *orig_name,
                    const char *value, size_t value_len);
/** Appends a line; when `maybe_token` is non-zero and `name` is a known token, the token is used,
 * otherwise `name` itself (borrowed). */
void h2o_add_header_by_str(h2o_mem_pool_t *pool, h2o_headers_t *headers, const char *name, size_t name_len, int maybe_token,
                           const char *orig_name, const char *value, size_t value_len);
/** Sets the first line of that name (when `overwrite_if_exists`; otherwise leaves it), or appends. */
void h2o_set_header(h2o_mem_pool_t *pool, h2o_headers_t *headers, const h2o_token_t *token, const char *value, size_t value_len,
                    int overwrite_if_exists);
void h2o_set_header_by_str(h2o_mem_pool_t *pool, h2o_headers_t *headers, const char *name, size_t name_len, int maybe_token,
                           const char *value, size_t value_len, int overwrite_if_exists);
/** Adds `value` to a comma-separated token list header (e.g. Vary), unless it is already there
 * (compared case-insensitively); the joined value is allocated from `pool`. */
void h2o_set_header_token(h2o_mem_pool_t *pool, h2o_headers_t *headers, const h2o_token_t *token, const char *value,
                          size_t value_len);
/** Non-zero for the tokens header rewriting must not touch: connection, content-length,
 * transfer-encoding, date, server. */
int h2o_headers_is_prohibited_name(const h2o_token_t *token);
/** Removes line `cursor` (keeping the order of the others) and returns `cursor`, as 2.2.5 does
 * (a search continuing from the returned index skips the line that moved into its place). */
ssize_t h2o_delete_header(h2o_headers_t *headers, ssize_t cursor);

/* Configuration (see the top of this file for ownership).
 * h2o_config_init: zero-fills `config` and stores 2.2.5's defaults, except server_name, which
 * names this implementation in 2.2.5's format ("libh2o-rs/<version>"):
 * max_request_entity_size 1 GiB, max_delegations 5, handshake_timeout 10 s, http1.req_timeout 10 s,
 * http1.upgrade_to_http2 1, http2.idle_timeout 10 s, http2.graceful_shutdown_timeout 0,
 * http2.max_concurrent_requests_per_connection 100, http2.max_streams_for_priority 16,
 * http2.latency_optimization {50, 10, 65535}, proxy.io_timeout 30 s, proxy.emit_x_forwarded_headers
 * and proxy.emit_via_header 1, an empty configurators list and an empty, NULL-terminated hosts
 * list; http1.callbacks = H2O_HTTP1_CALLBACKS (h2o/http1.h); mimemap = a new h2o_mimemap_create()
 * (hosts and pathconfs hold a reference to their map, as in 2.2.5); http2.callbacks =
 * H2O_HTTP2_CALLBACKS (h2o/http2.h). */
void h2o_config_init(h2o_globalconf_t *config);
/** Disposes of every host, path, handler, filter and logger (calling their `dispose`), then of
 * what h2o_config_init allocated. `config` may be initialized again afterwards. */
void h2o_config_dispose(h2o_globalconf_t *config);
/** Adds a host ("host", copied in lower case; port 65535 for none); NULL when that host and port
 * are registered already (as 2.2.5). */
h2o_hostconf_t *h2o_config_register_host(h2o_globalconf_t *config, h2o_iovec_t host, uint16_t port);
/** Adds a path (copied as given) to a host. As in 2.2.5 the pathconfs are stored by value in
 * hostconf->paths, so registering another path of the same host may move the earlier ones.
 * `flags` is unused (pass 0). As in 2.2.5, the new path (and a host's fallback path) starts with
 * the chunked filter (see h2o_chunked_register), so filters.size is 1 and a config slot is taken. */
h2o_pathconf_t *h2o_config_register_path(h2o_hostconf_t *hostconf, const char *path, int flags);
/** Initializes a caller-owned pathconf (`path` may be NULL; it is copied). It takes a reference to
 * `mimemap` (may be NULL), dropped by h2o_config_dispose_pathconf. */
void h2o_config_init_pathconf(h2o_pathconf_t *pathconf, h2o_globalconf_t *globalconf, const char *path, h2o_mimemap_t *mimemap);
/** Disposes of what h2o_config_init_pathconf and the h2o_create_* calls allocated for `pathconf`. */
void h2o_config_dispose_pathconf(h2o_pathconf_t *pathconf);
/** Allocates `sz` (>= sizeof(h2o_handler_t)) zeroed bytes, gives them a config slot and appends
 * them to `conf`'s handlers. Owned by `conf`. Filters and loggers likewise. */
h2o_handler_t *h2o_create_handler(h2o_pathconf_t *conf, size_t sz);
h2o_filter_t *h2o_create_filter(h2o_pathconf_t *conf, size_t sz);
h2o_logger_t *h2o_create_logger(h2o_pathconf_t *conf, size_t sz);

/** The last connection id handed out (h2o_create_connection increments it atomically). */
extern uint64_t h2o_connection_id;

/* The context (caller-allocated, one per loop/thread). h2o_context_init sets up its timeouts on
 * `loop`, one config slot per registered module (see h2o_context_get_handler_context) and calls
 * every handler's, filter's and logger's on_context_init; `config` must outlive the context.
 * h2o_context_dispose calls their on_context_dispose and each storage slot's dispose. For now
 * `queue` and `filecache` stay NULL (not yet provided). */
void h2o_context_init(h2o_context_t *context, h2o_loop_t *loop, h2o_globalconf_t *config);
void h2o_context_dispose(h2o_context_t *context);
/** Sets shutdown_requested and asks the protocol layers to close their connections gracefully. */
void h2o_context_request_shutdown(h2o_context_t *context);
/** on_context_init of the pathconf's modules, once per context. */
void h2o_context_init_pathconf_context(h2o_context_t *ctx, h2o_pathconf_t *pathconf);
void h2o_context_dispose_pathconf_context(h2o_context_t *ctx, h2o_pathconf_t *pathconf);
/** Re-reads the clock (used by h2o_get_timestamp when the loop's clock moved); the cached time
 * strings are rebuilt when the second changed. */
void h2o_context_update_timestamp_cache(h2o_context_t *ctx);

/* Accepting connections and answering requests.
 * h2o_accept: serves HTTP/1.x (and h2c) on `sock`, which the library owns from then on (ctx->ctx and
 * ctx->hosts must outlive it). A TLS accept context (ssl_ctx set: an OpenSSL SSL_CTX, read once by the
 * OpenSSL bridge, or a h2o_rs_tls_config_t of h2o/rs_tls.h) runs the TLS handshake (rustls) within
 * ctx->ctx->globalconf->handshake_timeout, then serves HTTP/2 when ALPN chose "h2", else HTTP/1.1; an
 * SSL_CTX that cannot be read is logged once and its connections closed. expect_proxy_line is ignored
 * for now.
 * Requests: the handlers of the first registered path of the host matching Host (name and port;
 * else the first host) that covers the normalized request path (2.2.5's rule: the path is a prefix
 * ending with '/', the whole path, or followed by '/'; register specific paths before "/"; none:
 * the host's fallback path) are asked in order until one returns 0; none: 404. The request and
 * everything it points to live until its response is done; then the path's loggers are called
 * (h2o_dispose_request).
 * globalconf.http1.req_timeout bounds the wait for each request (head and body, keep-alive idle
 * time included) and for each response write; the connection closes when it fires.
 * Request bodies (Content-Length or chunked) are read whole into req->entity before the handlers
 * run; larger than globalconf.max_request_entity_size: 413.
 * Expect: 100-continue gets "100 Continue" when the body has not arrived yet; another expectation
 * (with a body) 417. A head that cannot be parsed, has more than H2O_MAX_HEADERS lines or exceeds
 * H2O_MAX_REQLEN gets 2.2.5's fixed "400 Bad Request"; Content-Length with Transfer-Encoding, two
 * Content-Length, Transfer-Encoding or Host headers, a Transfer-Encoding other than "chunked",
 * obs-fold lines and broken chunked framing get 400 (2.2.5 accepted several of these); all of them
 * close the connection after the answer. Absolute-form targets (http://host/path) give the request
 * its authority and path (2.2.5 kept the whole URL as the path). Graceful shutdown
 * (h2o_context_request_shutdown) closes idle connections at once; the others answer with
 * "Connection: close" and close after their response.
 * Responses go through the path's filters (see h2o_start_response). Differences from 2.2.5:
 * h2o_send_inline sends Content-Length (2.2.5: chunked); a streamed response of unknown length to
 * HTTP/1.1 is chunked whatever its status (2.2.5 closes the connection after a non-200 one); HEAD
 * responses never carry a body. */
void h2o_accept(h2o_accept_ctx_t *ctx, h2o_socket_t *sock);
/** Takes the request; `generator` (borrowed until the response ends) gets proceed() once what
 * h2o_send gave has been written, and stop() if the connection goes away first. Then the output
 * chain is built: the request's prefilters (newest first), then the path's filters (the one
 * registered last first) get on_setup_ostream with the slot to insert their stream at (see
 * h2o_add_ostream); set res.status, res.headers and res.content_length before calling this, as
 * filters look at them. */
void h2o_start_response(h2o_req_t *req, h2o_generator_t *generator);
/** The next part of the body, borrowed until proceed() (or the end of the request), handed to the
 * top output stream (a filter's, or the protocol's); a FINAL or ERROR state ends the response.
 * Headers go out with the first call: Content-Length when res.content_length is known, else
 * chunked (HTTP/1.1) or until the connection closes (HTTP/1.0). req->bytes_sent counts the body
 * bytes the protocol's stream receives, unless a filter counts them (bytes_counted_by_ostream). */
void h2o_send(h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state);
/** The whole response at once; `body` (SIZE_MAX: NUL-terminated) is copied into the pool. */
void h2o_send_inline(h2o_req_t *req, const char *body, size_t len);
enum {
    H2O_SEND_ERROR_HTTP1_CLOSE_CONNECTION = 0x1, /* close the HTTP/1 connection after the response */
    H2O_SEND_ERROR_KEEP_HEADERS = 0x2            /* keep the response headers already set */
};
/** A text/plain response of `status`, `reason` and `body` (NUL-terminated; the body is copied). A
 * request not bound to a path yet is bound to its host's fallback path first (as 2.2.5). */
void h2o_send_error_generic(h2o_req_t *req, int status, const char *reason, const char *body, int flags);
/** A redirect to `url` (copied) with a short HTML body. For a delegated request (res_is_delegated,
 * see h2o_reprocess_request) the redirect is followed internally instead, as 2.2.5 does. */
void h2o_send_redirect(h2o_req_t *req, int status, const char *reason, const char *url, size_t url_len);

/* MIME maps. A map and its types are shared allocations (h2o_mem_release_shared frees them at the
 * last reference); create and clone return the caller's reference; types returned by lookups are
 * borrowed from the map. A dynamic type (h2o_mimemap_define_dynamic, below) stands for a handler
 * configuration instead of a MIME type. */
extern h2o_mime_attributes_t h2o_mime_attributes_as_is;
h2o_mimemap_t *h2o_mimemap_create(void);
h2o_mimemap_t *h2o_mimemap_clone(h2o_mimemap_t *src);
int h2o_mimemap_has_dynamic_type(h2o_mimemap_t *mimemap);
void h2o_mimemap_set_default_type(h2o_mimemap_t *mimemap, const char *mime, h2o_mime_attributes_t *attr);
void h2o_mimemap_define_mimetype(h2o_mimemap_t *mimemap, const char *ext, const char *mime, h2o_mime_attributes_t *attr);
void h2o_mimemap_remove_type(h2o_mimemap_t *mimemap, const char *ext);
void h2o_mimemap_clear_types(h2o_mimemap_t *mimemap);
h2o_mimemap_type_t *h2o_mimemap_get_default_type(h2o_mimemap_t *mimemap);
h2o_mimemap_type_t *h2o_mimemap_get_type_by_extension(h2o_mimemap_t *mimemap, h2o_iovec_t ext);
h2o_mimemap_type_t *h2o_mimemap_get_type_by_mimetype(h2o_mimemap_t *mimemap, h2o_iovec_t mime, int exact_match_only);
void h2o_mimemap_get_default_attributes(const char *mime, h2o_mime_attributes_t *attr);

/* Protocol lists for TLS negotiation, with 2.2.5's values, to hand to h2o_ssl_register_alpn_protocols /
 * _npn_protocols (h2o/socket.h). Static, process-global, never freed. */
/** ALPN lists (NULL-terminated arrays): {"h2", "h2-16", "h2-14"}; h2o_alpn_protocols adds "http/1.1". */
extern const h2o_iovec_t *h2o_http2_alpn_protocols;
extern const h2o_iovec_t *h2o_alpn_protocols;
/** The same names in NPN wire form (a length byte before each name): "\x02h2\x05h2-16\x05h2-14", and
 * for h2o_npn_protocols followed by "\x08http/1.1". */
extern const char *h2o_http2_npn_protocols;
extern const char *h2o_npn_protocols;

/* Access logs (2.2.5's lib/core/logconf.c and lib/handler/access_log.c).
 * A log format is Apache-style text with directives: %% %A %b %H %h %l %m %p %{local}p %{remote}p
 * %q %r %s (%<s: the status before output filters, %>s: the final one) %t %{sec|msec|usec|
 * msec_frac|usec_frac}t %{strftime format}t (local time) %U %u %V %v %{header}i %{header}o (%<{..}o:
 * before output filters; Set-Cookie values are joined with ", ", other headers give their first
 * value) %{NAME}e (written unescaped, as 2.2.5) and %{name}x: connection-id, connect-time,
 * request-header-time, request-body-time, request-total-time, process-time, response-time,
 * duration, error, and the protocol's ssl.*, http1.request-index, http2.* values (from
 * h2o_conn_callbacks_t.log_; "-" when the connection has none). A missing value is "-" (APACHE) or
 * null (JSON, which also drops the quotes directly around it). APACHE escapes every byte outside
 * space..'|' and '"' as \xNN; JSON escapes '"' and '\' with a backslash and bytes outside space..'}'
 * as \u00NN. Each line ends with "\n". */
enum { H2O_LOGCONF_ESCAPE_APACHE, H2O_LOGCONF_ESCAPE_JSON };
/** Compiles `fmt` (NULL: the default, "%h %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-agent}i\"").
 * Returns a format the caller owns (free it with h2o_logconf_dispose), or NULL with 2.2.5's message
 * in `errbuf` (NUL-terminated, at most 256 bytes with the NUL). Unlike 2.2.5, an unknown `escape`
 * is refused here. */
h2o_logconf_t *h2o_logconf_compile(const char *fmt, int escape, char *errbuf);
/** Frees a format from h2o_logconf_compile. */
void h2o_logconf_dispose(h2o_logconf_t *logconf);
/** The line of `req` (with its "\n", no NUL). `*len` is the room in `buf` on entry and the line's
 * length on return. Returns `buf` when the line fits, else a new malloc()ed buffer the caller
 * free()s (`if (line != buf) free(line);`). Reads the request, its connection (callbacks, id,
 * connected_at), hostconf, headers, response, env, error logs, processed_at and timestamps. */
char *h2o_log_request(h2o_logconf_t *logconf, h2o_req_t *req, size_t *len, char *buf);
/** "HTTP/1.0", "HTTP/1.1" (versions below 0x200: "HTTP/1." and the low byte) or "HTTP/2",
 * NUL-terminated into `dst` (room for 9 bytes); returns the length without the NUL. */
size_t h2o_stringify_protocol_version(char *dst, int version);

/** A log destination and its format: a shared allocation (h2o_mem_release_shared drops a reference). */
typedef struct st_h2o_access_log_filehandle_t h2o_access_log_filehandle_t;
/** Opens `path` for appending (created with mode 0644), or, for "|command", runs /bin/sh -c command
 * with a pipe into its stdin (the child is not waited for; it ends when the pipe closes). Returns
 * the caller's close-on-exec descriptor, or -1 after a message on stderr. */
int h2o_access_log_open_log(const char *path);
/** Compiles `fmt` (NULL: the default above) and opens `path` as h2o_access_log_open_log. Returns a
 * handle with one reference, the caller's, or NULL after a message on stderr. */
h2o_access_log_filehandle_t *h2o_access_log_open_handle(const char *path, const char *fmt, int escape);
/** Adds a logger to `pathconf` writing each request's line to `handle` (one write per line, after
 * the response). The logger takes its own reference to `handle`, dropped when the configuration
 * disposes of it; the last reference closes the descriptor and frees the format. */
h2o_logger_t *h2o_access_log_register(h2o_pathconf_t *pathconf, h2o_access_log_filehandle_t *handle);

/* The spans the timing directives log, in microseconds (2.2.5's h2o_time_compute_*): each returns
 * 0 when one of its ends is unset (tv_sec 0), else 1 with the span in `*delta_usec`. */
static inline int h2o__time_span(struct timeval *from, struct timeval *until, int64_t *delta_usec)
{
    if (h2o_timeval_is_null(from) || h2o_timeval_is_null(until))
        return 0;
    *delta_usec = h2o_timeval_subtract(from, until);
    return 1;
}
/** accepted -> request began */
static inline int h2o_time_compute_connect_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->conn->connected_at, &req->timestamps.request_begin_at, delta_usec);
}
/** request began -> body began (or, without one, processed) */
static inline int h2o_time_compute_header_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->timestamps.request_begin_at,
                          h2o_timeval_is_null(&req->timestamps.request_body_begin_at) ? &req->processed_at.at
                                                                                      : &req->timestamps.request_body_begin_at,
                          delta_usec);
}
/** body began (or processed) -> processed */
static inline int h2o_time_compute_body_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(h2o_timeval_is_null(&req->timestamps.request_body_begin_at) ? &req->processed_at.at
                                                                                    : &req->timestamps.request_body_begin_at,
                          &req->processed_at.at, delta_usec);
}
/** request began -> processed */
static inline int h2o_time_compute_request_total_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->timestamps.request_begin_at, &req->processed_at.at, delta_usec);
}
/** processed -> response started */
static inline int h2o_time_compute_process_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->processed_at.at, &req->timestamps.response_start_at, delta_usec);
}
/** response started -> response ended */
static inline int h2o_time_compute_response_time(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->timestamps.response_start_at, &req->timestamps.response_end_at, delta_usec);
}
/** request began -> response ended */
static inline int h2o_time_compute_duration(struct st_h2o_req_t *req, int64_t *delta_usec)
{
    return h2o__time_span(&req->timestamps.request_begin_at, &req->timestamps.response_end_at, delta_usec);
}

/* The file handler (lib/handler/file.c of 2.2.5): static files.
 * h2o_file_register serves the directory `real_path` under the pathconf's path: the request's
 * path_normalized minus that path is looked up below `real_path` (never above it). Files get their
 * Content-Type (and res.mime_attr) from the MIME map, Last-Modified, an ETag ("<mtime hex>-<size
 * hex>", unless H2O_FILE_FLAG_NO_ETAG) and Accept-Ranges; If-None-Match (a list, compared weakly)
 * or else If-Modified-Since answer 304; Range gives 206 (one range: Content-Range; several:
 * multipart/byteranges) or 416 with Content-Range: bytes * / size; HEAD gets the headers only;
 * other methods 405 with Allow: GET, HEAD, except for the map's dynamic types, whose handler gets
 * the request (req->filereq set). A directory without the trailing slash is redirected (301, query
 * kept); with it, the first of `index_files` that exists is served, else the directory is listed in
 * HTML with H2O_FILE_FLAG_DIR_LISTING, else the handler declines. A missing file declines (the next
 * handler answers, or 404); one that cannot be opened is 403 (503 when out of descriptors).
 * H2O_FILE_FLAG_SEND_COMPRESSED serves `path.br` / `path.gz` with Content-Encoding to HTTP/1.1
 * clients accepting br / gzip, with Vary: accept-encoding. With H2O_FILE_FLAG_GUNZIP, a missing
 * file whose `path.gz` exists is sent decompressed to other HTTP/1.1 clients (Range ignored).
 * Files are reused for at most a second per context (ctx->filecache): small ones from memory.
 * Ownership: the handlers belong to the pathconf (freed by h2o_config_dispose); `real_path` and
 * `index_files` are copied; the handler takes its own reference to `mimemap` (NULL: a new default
 * map) or `mime_type`, so the caller may release its own right away. */
enum {
    H2O_FILE_FLAG_NO_ETAG = 0x1,
    H2O_FILE_FLAG_DIR_LISTING = 0x2,
    H2O_FILE_FLAG_SEND_COMPRESSED = 0x4,
    H2O_FILE_FLAG_GUNZIP = 0x8
};
typedef struct st_h2o_file_handler_t h2o_file_handler_t;
/** "index.html", "index.htm", "index.txt", NULL (h2o_file_register uses this list for NULL). */
extern const char **h2o_file_default_index_files;
/** Answers `req` with the file at `path`: `status`, `reason` (borrowed until the response ends),
 * `mime_type` (copied), Last-Modified, ETag (unless H2O_FILE_FLAG_NO_ETAG), Accept-Ranges; no
 * conditional or range handling. Returns 0, or -1 without answering when the file cannot be opened
 * or is a directory. */
int h2o_file_send(h2o_req_t *req, int status, const char *reason, const char *path, h2o_iovec_t mime_type, int flags);
/** Serves the directory `real_path` on `pathconf` (see above); the handler lives as long as the
 * pathconf. */
h2o_file_handler_t *h2o_file_register(h2o_pathconf_t *pathconf, const char *real_path, const char **index_files,
                                      h2o_mimemap_t *mimemap, int flags);
/** Serves the one file `real_path` as `mime_type` for every request of `pathconf` (a directory:
 * 403; missing: declines). */
h2o_handler_t *h2o_file_register_file(h2o_pathconf_t *pathconf, const char *real_path, h2o_mimemap_type_t *mime_type, int flags);
/** The handler's MIME map (borrowed: valid while the handler lives). */
h2o_mimemap_t *h2o_file_get_mimemap(h2o_file_handler_t *handler);

/* The request's life (2.2.5's lib/core/request.c). A protocol implementation (or a program
 * making requests of its own) calls h2o_init_request, fills req->input (scheme, authority, method,
 * path), req->version and req->_ostr_top (its final output stream), then h2o_process_request; when
 * the response is done, h2o_dispose_request. Everything a request allocates lives in req->pool. */
/** Initializes `req` (caller-allocated; a pool already there is overwritten, not freed) for `conn`:
 * everything zeroed except a fresh pool, res.reason "OK", res.content_length and
 * preferred_chunk_size SIZE_MAX. With `src` (may be NULL) the request copies src's input (method,
 * authority, path, scheme), version, http1_is_persistent, timestamps, upgrade, headers and env
 * into its own pool; `entity` is shared with `src`. */
void h2o_init_request(h2o_req_t *req, h2o_conn_t *conn, h2o_req_t *src);
/** Stops a running generator and the filters' output streams, cancels a deferred proceed, calls
 * the loggers of the request's path (when a request was received, i.e. version != 0, and bound to
 * a path), then frees everything allocated from req->pool. `req` itself stays the caller's. */
void h2o_dispose_request(h2o_req_t *req);
/** Processes an initialized request: the processing time, the host among conn->hosts matching
 * input.authority (the first host when none does; its name when input.authority.base is NULL),
 * method, scheme, authority, path and path_normalized from the input, the path of the host that
 * covers it (h2o_req_bind_conf), then its handlers (404 when none takes the request). */
void h2o_process_request(h2o_req_t *req);
/** Binds the request to `pathconf` of `hostconf` (borrowed; they must outlive the request) and
 * applies the path's environment (pathconf->env and its parents, outermost first: unsets, then
 * sets) to req->env. */
void h2o_req_bind_conf(h2o_req_t *req, h2o_hostconf_t *hostconf, h2o_pathconf_t *pathconf);
/** From a handler: passes the request to the handlers of its path after `current_handler` (404 when
 * none takes it). The _deferred form does so on the next loop iteration (the context's zero
 * timeout; cancelled when the request is disposed of first). */
void h2o_delegate_request(h2o_req_t *req, h2o_handler_t *current_handler);
void h2o_delegate_request_deferred(h2o_req_t *req, h2o_handler_t *current_handler);
/** An internal redirect: stops the generator and filters, resets the response and processes the
 * request again with `method`, `scheme`, `authority` and `path` (borrowed: they must live as long
 * as the request, e.g. in req->pool) on the host of `authority` among conn->hosts. `is_delegated`
 * marks the response delegated (h2o_send_redirect then redirects internally too). A request may
 * be delegated globalconf->max_delegations times and otherwise reprocessed 5 times; beyond that it
 * gets 502 ("too many internal delegations" / "too many internal reprocesses"), as 2.2.5. Where
 * 2.2.5 proxies (non-NULL `overrides`, or an authority none of the hosts serves) this library
 * answers 502 and logs why on stderr. The _deferred form runs on the next loop iteration. */
void h2o_reprocess_request(h2o_req_t *req, h2o_iovec_t method, const h2o_url_scheme_t *scheme, h2o_iovec_t authority,
                           h2o_iovec_t path, h2o_req_overrides_t *overrides, int is_delegated);
void h2o_reprocess_request_deferred(h2o_req_t *req, h2o_iovec_t method, const h2o_url_scheme_t *scheme, h2o_iovec_t authority,
                                    h2o_iovec_t path, h2o_req_overrides_t *overrides, int is_delegated);
/** Serves `url_str` (`url_len` bytes, copied; absolute, or relative to req->path) with `method` in
 * place of the request on the next loop iteration, as a delegation (see h2o_reprocess_request);
 * req->overrides is kept when `preserve_overrides` and the authority stays the same. An
 * unparsable URL gets 502 "internal error". */
void h2o_send_redirect_internal(h2o_req_t *req, h2o_iovec_t method, const char *url_str, size_t url_len, int preserve_overrides);
/** The method for following a redirect with `status`: a static "GET" for a POST unless the status
 * is 307 or 308, else `method`. */
h2o_iovec_t h2o_get_redirect_method(h2o_iovec_t method, int status);
/** Formats a message as printf does and keeps it in req->error_logs (`module` borrowed, the
 * message copied into req->pool); when the request's path has error_log.emit_request_errors (the
 * default) "[module] in request:PATH:message" goes to stderr in one write (PATH cut to 29 bytes
 * and "..." when 32 or longer), as 2.2.5. x86-64 only (the variadic entry is a small trampoline). */
void h2o_req_log_error(h2o_req_t *req, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Unless res.mime_attr is set, points it to the attributes of the response's Content-Type in the
 * path's MIME map (borrowed from the map), else to h2o_mime_attributes_as_is. */
void h2o_req_fill_mime_attributes(h2o_req_t *req);

/* Filters and output streams. A filter's on_setup_ostream (see h2o_start_response) may change the
 * response (status, headers, content_length), insert a stream at `slot` with h2o_add_ostream, and
 * must then pass on with h2o_setup_next_ostream(req, next slot). A stream's do_send gets the body
 * parts and passes them on with h2o_ostream_send_next. */
/** Allocates `sz` bytes (>= sizeof(h2o_ostream_t)) from req->pool (freed with the request), with
 * next = *slot and NULL callbacks, and links it in at *slot. */
h2o_ostream_t *h2o_add_ostream(h2o_req_t *req, size_t sz, h2o_ostream_t **slot);
/** Allocates `sz` bytes (>= sizeof(h2o_req_prefilter_t)) from req->pool as the request's first
 * prefilter; set its on_setup_ostream before the response starts (it runs before the path's
 * filters and passes on with h2o_setup_next_prefilter). */
h2o_req_prefilter_t *h2o_add_prefilter(h2o_req_t *req, size_t sz);
/** Passes `bufs` (borrowed until the generator's next proceed) to the stream after `ostream`. A
 * FINAL or ERROR state takes `ostream` (which must be req->_ostr_top) out of the chain. In
 * progress with no buffers, nothing is passed on and the generator is asked for more on the next
 * loop iteration. */
void h2o_ostream_send_next(h2o_ostream_t *ostream, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state);
/** 2.2.5's chunked-encoding filter, which every pathconf gets from h2o_config_init_pathconf
 * (registering it again is harmless). The HTTP/1 layer frames bodies itself; where 2.2.5 would
 * chunk (HTTP/1.1, unknown length, status 200, not HEAD, no Transfer-Encoding yet) this filter adds
 * "transfer-encoding: chunked" to res.headers and counts req->bytes_sent, as 2.2.5's does. */
void h2o_chunked_register(h2o_pathconf_t *pathconf);

/* Header commands (2.2.5's lib/handler/headers.c and headers_util.c). */
enum {
    H2O_HEADERS_CMD_NULL,       /* ends a list */
    H2O_HEADERS_CMD_ADD,        /* adds a header */
    H2O_HEADERS_CMD_APPEND,     /* joins the value to the first such header with ", " (or adds one) */
    H2O_HEADERS_CMD_MERGE,      /* as APPEND, unless the value is one of its comma-separated tokens */
    H2O_HEADERS_CMD_SET,        /* removes all such headers, then adds one */
    H2O_HEADERS_CMD_SETIFEMPTY, /* adds one unless there is such a header */
    H2O_HEADERS_CMD_UNSET       /* removes all such headers */
};
/** A header rewrite command (32 bytes). `name` is a token's buf (matched by pointer) or a string
 * (matched byte for byte against every header's name). */
struct st_h2o_headers_command_t {
    int cmd;
    h2o_iovec_t *name; /* may be a token */
    h2o_iovec_t value;
};
/** Adds a filter applying `cmds` (terminated by H2O_HEADERS_CMD_NULL; borrowed, they must outlive
 * the path) in order to the headers of each response of `pathconf` when it starts. */
void h2o_headers_register(h2o_pathconf_t *pathconf, h2o_headers_command_t *cmds);
/** Replaces *cmds (NULL, or a list from this function) by a new terminated list with {cmd, name,
 * value} appended (a shared allocation: release it with h2o_mem_release_shared); the old list is
 * released. `name` and `value` are borrowed. */
void h2o_headers_append_command(h2o_headers_command_t **cmds, int cmd, h2o_iovec_t *name, h2o_iovec_t value);
/** Applies one command to `headers`; new entries and joined values come from `pool`, the command's
 * value (and string name) are borrowed by the entries. An unknown command changes nothing. */
void h2o_rewrite_headers(h2o_mem_pool_t *pool, h2o_headers_t *headers, h2o_headers_command_t *cmd);

/* Environments (req->env) and status handlers (configuration). */
/** A new envconf (a shared allocation; one reference, the caller's: store it in pathconf->env, whose
 * reference h2o_config_dispose_pathconf drops, or release it with h2o_mem_release_shared)
 * inheriting from `src` (may be NULL; it takes a reference to it). */
h2o_envconf_t *h2o_config_create_envconf(h2o_envconf_t *src);
/** The envconf sets `name` to `value` (both copied), dropping a pending unset of `name`. */
void h2o_config_setenv(h2o_envconf_t *envconf, const char *name, const char *value);
/** The envconf unsets `name` (copied); its own sets apply after its unsets, as in 2.2.5. */
void h2o_config_unsetenv(h2o_envconf_t *envconf, const char *name);
/** Appends a copy of `status_handler` to config->statuses (data only: no status page yet). As in
 * 2.2.5, h2o_config_dispose frees neither config->statuses nor what it points to. */
void h2o_config_register_status_handler(h2o_globalconf_t *config, h2o_status_handler_t status_handler);
/** Appends {name (a malloc'ed NUL-terminated copy), NULL, NULL, status_handler} likewise. */
void h2o_config_register_simple_status_handler(h2o_globalconf_t *config, h2o_iovec_t name, final_status_handler_cb status_handler);

/* Small helpers (2.2.5's lib/core/util.c). */
/** Writes the PROXY protocol v1 line of `conn` ("PROXY TCP4|TCP6 peer local peerport localport\r\n"
 * from its get_peername / get_sockname callbacks, else "PROXY UNKNOWN\r\n") to `buf` (at least
 * H2O_PROXY_HEADER_MAX_LENGTH bytes, not NUL-terminated); returns its length. */
size_t h2o_stringify_proxy_header(h2o_conn_t *conn, char *buf);
#define H2O_PROXY_HEADER_MAX_LENGTH                                                                                                \
    (sizeof("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n") - 1)
/** H2O_COMPRESSIBLE_GZIP | H2O_COMPRESSIBLE_BROTLI for the "gzip" / "br" tokens of the
 * Accept-Encoding headers in `headers` (q-values are not looked at, as 2.2.5). */
int h2o_get_compressible_types(const h2o_headers_t *headers);
#define H2O_COMPRESSIBLE_GZIP 1
#define H2O_COMPRESSIBLE_BROTLI 2
/** `prefix` joined with the part of the request's path after its pathconf's path (the trailing '/'
 * of the prefix adjusted to the path's): path_normalized URI-escaped plus the query when
 * `use_path_normalized`, else the path as received. A new string in req->pool. */
h2o_iovec_t h2o_build_destination(h2o_req_t *req, const char *prefix, size_t prefix_len, int use_path_normalized);

/* MIME maps: dynamic types. */
/** Maps each extension of `exts` (NULL-terminated; copied) to one new dynamic type, which the map
 * holds (the returned pointer is borrowed from it). The type owns a pathconf,
 * type->data.dynamic.pathconf, initialized for `globalconf` like any (the chunked filter, a config
 * slot): register the handler that serves such files on it; the file handler passes their
 * requests to it. Its pathconf->mimemap is the map (not a reference: 2.2.5 takes one, a cycle that
 * is never freed; here it is valid while the map lives and NULL if the type outlives it). */
h2o_mimemap_type_t *h2o_mimemap_define_dynamic(h2o_mimemap_t *mimemap, const char **exts, h2o_globalconf_t *globalconf);
/** h2o_context_init_pathconf_context / _dispose_pathconf_context for the pathconf of each dynamic
 * type of the map (the file handler calls them from its own context hooks). */
void h2o_mimemap_on_context_init(h2o_mimemap_t *mimemap, h2o_context_t *ctx);
void h2o_mimemap_on_context_dispose(h2o_mimemap_t *mimemap, h2o_context_t *ctx);

/* Redirect and reproxy. */
typedef struct st_h2o_redirect_handler_t h2o_redirect_handler_t; /* opaque */
/** Adds a handler redirecting every request of `pathconf` to `prefix` (copied) followed by the part
 * of the request's path below the pathconf's path (query kept): a `status` response with Location
 * (reason "Redirected"), or, when `internal`, an internal redirect processed on the next loop
 * iteration (method GET and no body unless `status` is 307 or 308). The handler belongs to the
 * pathconf. */
h2o_redirect_handler_t *h2o_redirect_register(h2o_pathconf_t *pathconf, int internal, int status, const char *prefix);
typedef struct st_h2o_reproxy_handler_t h2o_reproxy_handler_t;
/** Adds the reproxy filter: a response with an X-Reproxy-URL header is not sent; the request is
 * redirected internally to that URL (GET unless the status is 307/308) and its answer sent instead.
 * 2.2.5 fetches URLs of hosts it does not serve through its reverse proxy; libh2o-rs has no proxy:
 * those get 502 "Gateway Error" (and a line on stderr). */
void h2o_reproxy_register(h2o_pathconf_t *pathconf);

/* server push from Link headers (2.2.5's). h2o_extract_push_path_from_link_header: the paths a `Link`
 * value asks to push (`<url>; rel=preload` without `nopush`; scanning stops at the first element that
 * is not `<url>`), resolved against `base_path` and kept only when they name `input_scheme` and
 * `input_authority` (`base_scheme` non-NULL: resolved against `base_scheme` / `*base_authority`
 * instead); `*filtered_value` is the value without its `x-http2-push-only` links (`value` itself when
 * there are none). The vector, its NUL-terminated strings and a filtered value are from `pool`.
 * h2o_push_path_in_link_header: passes each such path of a response's Link value to the
 * connection's `callbacks->push_path` (HTTP/2 only; the request's normalized path, input scheme and
 * authority as the base, or the delegated URL) and returns the filtered value. */
h2o_iovec_vector_t h2o_extract_push_path_from_link_header(h2o_mem_pool_t *pool, const char *value, size_t value_len,
                                                          h2o_iovec_t base_path, const h2o_url_scheme_t *input_scheme,
                                                          h2o_iovec_t input_authority, const h2o_url_scheme_t *base_scheme,
                                                          h2o_iovec_t *base_authority, h2o_iovec_t *filtered_value);
h2o_iovec_t h2o_push_path_in_link_header(h2o_req_t *req, const char *value, size_t value_len);

/* informational (1xx) responses: H2O 2.3's h2o_send_informational, which 2.2.5 lacks (it sends a 1xx
 * only as the final response). Set req->res.status (100..199 but 101) and add headers to
 * req->res.headers, call it before h2o_start_response, then answer as usual: it sends them and clears
 * res.status and res.headers. HTTP/2: HEADERS without END_STREAM; a 103's `Link: rel=preload`
 * headers start their pushes at once. HTTP/1.1: the interim response is written at once (HTTP/1.0
 * clients get nothing). A 103 without headers is not sent. */
#define H2O_HAS_SEND_INFORMATIONAL 1
void h2o_send_informational(h2o_req_t *req);

/* --- not yet provided by libh2o-rs ------------------------------------------------------------------
 * Declared with 2.2.5's signatures; a program using any of these fails to link for now. */

void h2o_accept_setup_async_ssl_resumption(h2o_memcached_context_t *ctx, unsigned expiration);

/* built-in responses. h2o_send_error_deferred is declared by 2.2.5's h2o.h, but its library does
 * not export it (a program calling it does not link against 2.2.5 either). */
void h2o_send_error_deferred(h2o_req_t *req, int status, const char *reason, const char *body, int flags);

/* handlers: status, throttle */
void h2o_throttle_resp_register(h2o_pathconf_t *pathconf);

void h2o_status_register(h2o_pathconf_t *pathconf);
void h2o_duration_stats_register(h2o_globalconf_t *conf);

/* ----------------------------------------------------------------------------------------------------- */

/** Registers a handler on `/.well-known/h2/state` of `hostconf` answering HTTP/2 requests with the
 * connection's state as JSON (content-type application/json; H2O's format: settings, peer
 * settings, connFlowIn/Out, the streams; with the HPACK tables when `hpack_enabled`) and the
 * conn-flow-in / conn-flow-out headers. HTTP/1 requests are passed on to the next handler (404 when
 * none), as 2.2.5. */
void h2o_http2_debug_state_register(h2o_hostconf_t *hostconf, int hpack_enabled);

/* Inline helpers, as 2.2.5 has them. */

/** Allocates a connection of `sz` bytes (>= sizeof(h2o_conn_t)) with h2o_mem_alloc and a new id. */
static inline h2o_conn_t *h2o_create_connection(size_t sz, h2o_context_t *ctx, h2o_hostconf_t **hosts, struct timeval connected_at,
                                                const h2o_conn_callbacks_t *callbacks)
{
    h2o_conn_t *conn = (h2o_conn_t *)h2o_mem_alloc(sz);
    conn->ctx = ctx;
    conn->hosts = hosts;
    conn->connected_at = connected_at;
    conn->id = __sync_add_and_fetch(&h2o_connection_id, 1);
    conn->callbacks = callbacks;
    return conn;
}

/** Asks the generator for more (or finishes the response when it has none). */
static inline void h2o_proceed_response(h2o_req_t *req)
{
    if (req->_generator != NULL)
        req->_generator->proceed(req->_generator, req);
    else
        req->_ostr_top->do_send(req->_ostr_top, req, NULL, 0, H2O_SEND_STATE_FINAL);
}

/** The value slot of environment variable `name` of the request; creates it (value {NULL, 0}) when
 * absent and `allocate_if_not_found`, else returns NULL. */
static inline h2o_iovec_t *h2o_req_getenv(h2o_req_t *req, const char *name, size_t name_len, int allocate_if_not_found)
{
    size_t i;
    for (i = 0; i + 1 < req->env.size; i += 2)
        if (h2o_memis(req->env.entries[i].base, req->env.entries[i].len, name, name_len))
            return req->env.entries + i + 1;
    if (!allocate_if_not_found)
        return NULL;
    h2o_vector_reserve(&req->pool, &req->env, req->env.size + 2);
    req->env.entries[req->env.size++] = h2o_iovec_init(name, name_len);
    req->env.entries[req->env.size++] = h2o_iovec_init(NULL, 0);
    return req->env.entries + req->env.size - 1;
}

/** Removes environment variable `name` of the request, if set. */
static inline void h2o_req_unsetenv(h2o_req_t *req, const char *name, size_t name_len)
{
    size_t i;
    for (i = 0; i + 1 < req->env.size; i += 2) {
        if (h2o_memis(req->env.entries[i].base, req->env.entries[i].len, name, name_len)) {
            memmove(req->env.entries + i, req->env.entries + i + 2, (req->env.size - i - 2) * sizeof(req->env.entries[0]));
            req->env.size -= 2;
            return;
        }
    }
}

/** Pulls the next piece of the body from the generator (pull mode). */
static inline h2o_send_state_t h2o_pull(h2o_req_t *req, h2o_ostream_pull_cb cb, h2o_iovec_t *buf)
{
    h2o_send_state_t state;
    assert(req->_generator != NULL);
    state = cb(req->_generator, req, buf);
    if (!h2o_send_state_is_in_progress(state))
        req->_generator = NULL;
    return state;
}

/** Lets the next filter of the path (if any) insert its output stream. */
static inline void h2o_setup_next_ostream(h2o_req_t *req, h2o_ostream_t **slot)
{
    if (req->_next_filter_index < req->pathconf->filters.size) {
        h2o_filter_t *next = req->pathconf->filters.entries[req->_next_filter_index++];
        next->on_setup_ostream(next, req, slot);
    }
}

/** Lets the next prefilter (or, after the last one, the next filter) insert its output stream. */
static inline void h2o_setup_next_prefilter(h2o_req_prefilter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    if (self->next != NULL)
        self->next->on_setup_ostream(self->next, req, slot);
    else
        h2o_setup_next_ostream(req, slot);
}

/** The current time of the context's loop (refreshing the cached strings when the loop's clock
 * moved); fills `ts` when not NULL, linking its strings to `pool`. */
static inline struct timeval *h2o_get_timestamp(h2o_context_t *ctx, h2o_mem_pool_t *pool, h2o_timestamp_t *ts)
{
    uint64_t now = h2o_now(ctx->loop);
    if (ctx->_timestamp_cache.uv_now_at != now)
        h2o_context_update_timestamp_cache(ctx);
    if (ts != NULL) {
        ts->at = ctx->_timestamp_cache.tv_at;
        h2o_mem_link_shared(pool, ctx->_timestamp_cache.value);
        ts->str = ctx->_timestamp_cache.value;
    }
    return &ctx->_timestamp_cache.tv_at;
}

static inline void *h2o_context_get_handler_context(h2o_context_t *ctx, h2o_handler_t *handler)
{
    return ctx->_module_configs[handler->_config_slot];
}
static inline void h2o_context_set_handler_context(h2o_context_t *ctx, h2o_handler_t *handler, void *handler_ctx)
{
    ctx->_module_configs[handler->_config_slot] = handler_ctx;
}
static inline void *h2o_context_get_filter_context(h2o_context_t *ctx, h2o_filter_t *filter)
{
    return ctx->_module_configs[filter->_config_slot];
}
static inline void h2o_context_set_filter_context(h2o_context_t *ctx, h2o_filter_t *filter, void *filter_ctx)
{
    ctx->_module_configs[filter->_config_slot] = filter_ctx;
}
static inline void *h2o_context_get_logger_context(h2o_context_t *ctx, h2o_logger_t *logger)
{
    return ctx->_module_configs[logger->_config_slot];
}
static inline void h2o_context_set_logger_context(h2o_context_t *ctx, h2o_logger_t *logger, void *logger_ctx)
{
    ctx->_module_configs[logger->_config_slot] = logger_ctx;
}

/** A per-context storage slot. `*key` starts as SIZE_MAX and is assigned on first use; the slot's
 * `dispose_cb` (may be NULL) is called by h2o_context_dispose. */
static inline void **h2o_context_get_storage(h2o_context_t *ctx, size_t *key, void (*dispose_cb)(void *))
{
    if (*key == (size_t)-1)
        *key = ctx->storage.size;
    if (ctx->storage.size <= *key) {
        h2o_vector_reserve(NULL, &ctx->storage, *key + 1);
        memset(ctx->storage.entries + ctx->storage.size, 0, (*key + 1 - ctx->storage.size) * sizeof(ctx->storage.entries[0]));
        ctx->storage.size = *key + 1;
    }
    ctx->storage.entries[*key].dispose = dispose_cb;
    return &ctx->storage.entries[*key].data;
}

static inline void h2o_doublebuffer_init(h2o_doublebuffer_t *db, h2o_buffer_prototype_t *prototype)
{
    h2o_buffer_init(&db->buf, prototype);
    db->bytes_inflight = 0;
}
static inline void h2o_doublebuffer_dispose(h2o_doublebuffer_t *db)
{
    h2o_buffer_dispose(&db->buf);
}
/** Returns up to `max_bytes` to send, swapping in `*receiving` when the sending side is empty. */
static inline h2o_iovec_t h2o_doublebuffer_prepare(h2o_doublebuffer_t *db, h2o_buffer_t **receiving, size_t max_bytes)
{
    assert(db->bytes_inflight == 0);
    if (db->buf->size == 0) {
        h2o_buffer_t *t;
        if ((*receiving)->size == 0)
            return h2o_iovec_init(NULL, 0);
        t = db->buf;
        db->buf = *receiving;
        *receiving = t;
    }
    db->bytes_inflight = db->buf->size < max_bytes ? db->buf->size : max_bytes;
    return h2o_iovec_init(db->buf->bytes, db->bytes_inflight);
}
/** Marks what h2o_doublebuffer_prepare returned as sent. */
static inline void h2o_doublebuffer_consume(h2o_doublebuffer_t *db)
{
    assert(db->bytes_inflight != 0);
    h2o_buffer_consume(&db->buf, db->bytes_inflight);
    db->bytes_inflight = 0;
}

/* h2o_send_error_400 ... _503: count the status in the context, then h2o_send_error_generic. */
#define H2O_SEND_ERROR_XXX(status)                                                                                                 \
    static inline void h2o_send_error_##status(h2o_req_t *req, const char *reason, const char *body, int flags)                    \
    {                                                                                                                              \
        req->conn->ctx->emitted_error_status[H2O_STATUS_ERROR_##status]++;                                                         \
        h2o_send_error_generic(req, status, reason, body, flags);                                                                  \
    }
H2O_SEND_ERROR_XXX(400)
H2O_SEND_ERROR_XXX(403)
H2O_SEND_ERROR_XXX(404)
H2O_SEND_ERROR_XXX(405)
H2O_SEND_ERROR_XXX(416)
H2O_SEND_ERROR_XXX(417)
H2O_SEND_ERROR_XXX(500)
H2O_SEND_ERROR_XXX(502)
H2O_SEND_ERROR_XXX(503)

#ifdef __cplusplus
}
#endif

#endif
