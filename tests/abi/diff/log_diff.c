/*
 * Differential test of the log formats (h2o_logconf_compile / h2o_log_request): our library against
 * Debian's libh2o-evloop 2.2.5, both dlopen()ed (RTLD_LOCAL) into this process.
 *
 * Each iteration builds one request by hand (h2o_req_t, h2o_conn_t with get_sockname /
 * get_peername and protocol-specific log callbacks, a hostconf, headers, response headers, env,
 * error logs, timestamps; the layouts are 2.2.5's, from our h2o.h) twice, once per library (header
 * names are each library's own tokens), compiles a generated format with both libraries in a random
 * escape mode, and compares the lines byte for byte. Formats are built from every directive 2.2.5
 * knows plus literal text (quotes, backslashes, braces, non-ASCII); some iterations insert a bad
 * directive and compare the error messages instead. The output buffer given to h2o_log_request is
 * sometimes too small, so the malloc()ed-line path is covered too (freed as 2.2.5's callers do).
 *
 * Deliberate differences (not generated here; see the Rust tests and h2o.h): 2.2.5 crashes on a
 * NULL format, connection or hostconf and hangs on a strftime format with empty output; we give the
 * default format, "-" and nothing. 2.2.5 writes error messages of any length into the caller's
 * buffer; ours stop at 255 bytes (+ NUL), so messages are compared up to that length.
 *
 *   log-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <time.h>
#include <h2o.h>
#include "diff.h"

struct lib {
    h2o_logconf_t *(*compile)(const char *, int, char *);
    void (*dispose)(h2o_logconf_t *);
    char *(*log_request)(h2o_logconf_t *, h2o_req_t *, size_t *, char *);
    const h2o_token_t *(*lookup_token)(const char *, size_t);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->compile, "h2o_logconf_compile");
    DIFF_SYM(h, path, l->dispose, "h2o_logconf_dispose");
    DIFF_SYM(h, path, l->log_request, "h2o_log_request");
    DIFF_SYM(h, path, l->lookup_token, "h2o_lookup_token");
    return 0;
}

static struct lib ours, deb;

/* --- the generated request ------------------------------------------------------------------------ */

#define MAX_HEADERS 8
#define MAX_ENV 4
#define MAX_ERRORS 3

struct hdr {
    const char *name; /* lower case unless testing a mismatch */
    char value[48];
    size_t value_len;
};

/* what a request is made of, independent of the library */
struct scenario {
    char method[16], path[96], authority[48], hostport[48], tslog[H2O_TIMESTR_LOG_LEN + 1];
    size_t method_len, path_len, authority_len, hostport_len, query_at;
    int version, status, original_status;
    size_t bytes_sent;
    struct hdr req_headers[MAX_HEADERS], res_headers[MAX_HEADERS], orig_headers[MAX_HEADERS];
    size_t num_req_headers, num_res_headers, num_orig_headers;
    char env_names[MAX_ENV][16], env_values[MAX_ENV][32];
    size_t num_env, env_value_len[MAX_ENV];
    char err_module[MAX_ERRORS][16], err_msg[MAX_ERRORS][32];
    size_t num_errors, err_msg_len[MAX_ERRORS];
    struct timeval connected_at, processed_at, begin, body_begin, res_start, res_end;
    uint64_t conn_id;
    int sock_kind, peer_kind; /* 0: fails, 1: IPv4, 2: IPv6, 3: AF_UNIX */
    int proto_cb[14];         /* 0: no callback, 1: a value, 2: {NULL, 0} */
};

static struct scenario sc;

/* the connection: h2o_conn_t first, as 2.2.5's protocols embed it */
struct test_conn {
    h2o_conn_t super;
    int sock_kind, peer_kind;
};

static socklen_t fill_addr(int kind, struct sockaddr *sa, int local)
{
    switch (kind) {
    case 1: {
        struct sockaddr_in *s = (void *)sa;
        memset(s, 0, sizeof(*s));
        s->sin_family = AF_INET;
        s->sin_port = htons(local ? 8080 : 40000 + (sc.conn_id % 20000));
        s->sin_addr.s_addr = htonl(local ? 0x7f000001 : 0xc0000200 | (uint32_t)(sc.conn_id & 0xff));
        return sizeof(*s);
    }
    case 2: {
        struct sockaddr_in6 *s = (void *)sa;
        memset(s, 0, sizeof(*s));
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(local ? 443 : 1);
        inet_pton(AF_INET6, local ? "2001:db8::1" : "::ffff:10.1.2.3", &s->sin6_addr);
        return sizeof(*s);
    }
    case 3: {
        struct sockaddr_un *s = (void *)sa;
        memset(s, 0, sizeof(*s));
        s->sun_family = AF_UNIX;
        strcpy(s->sun_path, "/tmp/sock");
        return sizeof(*s);
    }
    default:
        return 0;
    }
}

static socklen_t get_sockname(h2o_conn_t *conn, struct sockaddr *sa)
{
    return fill_addr(((struct test_conn *)conn)->sock_kind, sa, 1);
}

static socklen_t get_peername(h2o_conn_t *conn, struct sockaddr *sa)
{
    return fill_addr(((struct test_conn *)conn)->peer_kind, sa, 0);
}

/* protocol-specific log callbacks: one per slot, each names its slot (with bytes the log keeps as is) */
#define PROTO_CB(i)                                                                                                                \
    static h2o_iovec_t proto_cb_##i(h2o_req_t *req)                                                                                \
    {                                                                                                                              \
        static const char v[] = "slot" #i " \"x\"\xff";                                                                           \
        (void)req;                                                                                                                 \
        return sc.proto_cb[i] == 1 ? h2o_iovec_init(v, sizeof(v) - 1) : h2o_iovec_init(NULL, 0);                                 \
    }
PROTO_CB(0)
PROTO_CB(1)
PROTO_CB(2)
PROTO_CB(3)
PROTO_CB(4)
PROTO_CB(5)
PROTO_CB(6)
PROTO_CB(7)
PROTO_CB(8)
PROTO_CB(9)
PROTO_CB(10)
PROTO_CB(11)
PROTO_CB(12)
PROTO_CB(13)
static h2o_iovec_t (*const proto_cbs[14])(h2o_req_t *) = {proto_cb_0, proto_cb_1, proto_cb_2,  proto_cb_3,  proto_cb_4,
                                                           proto_cb_5, proto_cb_6, proto_cb_7,  proto_cb_8,  proto_cb_9,
                                                           proto_cb_10, proto_cb_11, proto_cb_12, proto_cb_13};

/* everything one library's copy of the request points to */
struct built {
    h2o_req_t req;
    struct test_conn conn;
    h2o_conn_callbacks_t callbacks;
    h2o_hostconf_t hostconf;
    h2o_timestamp_string_t ts;
    h2o_header_t req_headers[MAX_HEADERS], res_headers[MAX_HEADERS], orig_headers[MAX_HEADERS];
    h2o_iovec_t names[3][MAX_HEADERS];
    h2o_iovec_t env[MAX_ENV * 2];
    h2o_req_error_log_t errors[MAX_ERRORS];
};

static void build_headers(struct lib *l, const struct hdr *src, size_t n, h2o_header_t *dst, h2o_iovec_t *names, h2o_headers_t *list)
{
    for (size_t i = 0; i != n; ++i) {
        const h2o_token_t *t = l->lookup_token(src[i].name, strlen(src[i].name));
        names[i] = h2o_iovec_init(src[i].name, strlen(src[i].name));
        dst[i].name = t != NULL ? (h2o_iovec_t *)&t->buf : &names[i];
        dst[i].orig_name = NULL;
        dst[i].value = h2o_iovec_init(src[i].value, src[i].value_len);
    }
    list->entries = dst;
    list->size = n;
    list->capacity = n;
}

static void build(struct lib *l, struct built *b)
{
    memset(b, 0, sizeof(*b));
    b->callbacks.get_sockname = get_sockname;
    b->callbacks.get_peername = get_peername;
    /* the 14 slots of the log_ union (2.2.5 declares the array with one element and indexes past it) */
    h2o_iovec_t (**slots)(h2o_req_t *) = (h2o_iovec_t (**)(h2o_req_t *))(void *)&b->callbacks.log_;
    for (int i = 0; i != 14; ++i)
        slots[i] = sc.proto_cb[i] != 0 ? proto_cbs[i] : NULL;
    b->conn.super.callbacks = &b->callbacks;
    b->conn.super.connected_at = sc.connected_at;
    b->conn.super.id = sc.conn_id;
    b->conn.sock_kind = sc.sock_kind;
    b->conn.peer_kind = sc.peer_kind;
    b->hostconf.authority.hostport = h2o_iovec_init(sc.hostport, sc.hostport_len);
    memcpy(b->ts.log, sc.tslog, sizeof(b->ts.log));

    h2o_req_t *r = &b->req;
    r->conn = &b->conn.super;
    r->hostconf = &b->hostconf;
    r->input.method = h2o_iovec_init(sc.method, sc.method_len);
    r->input.path = h2o_iovec_init(sc.path, sc.path_len);
    r->input.query_at = sc.query_at;
    r->input.authority = h2o_iovec_init(sc.authority, sc.authority_len);
    /* the processed fields differ from the input ones: the log must use the input */
    r->method = h2o_iovec_init(H2O_STRLIT("WRONG"));
    r->path = h2o_iovec_init(H2O_STRLIT("/wrong"));
    r->authority = h2o_iovec_init(H2O_STRLIT("wrong.example"));
    r->query_at = SIZE_MAX;
    r->version = sc.version;
    r->res.status = sc.status;
    r->res.original.status = sc.original_status;
    r->bytes_sent = sc.bytes_sent;
    build_headers(l, sc.req_headers, sc.num_req_headers, b->req_headers, b->names[0], &r->headers);
    build_headers(l, sc.res_headers, sc.num_res_headers, b->res_headers, b->names[1], &r->res.headers);
    build_headers(l, sc.orig_headers, sc.num_orig_headers, b->orig_headers, b->names[2], &r->res.original.headers);
    for (size_t i = 0; i != sc.num_env; ++i) {
        b->env[i * 2] = h2o_iovec_init(sc.env_names[i], strlen(sc.env_names[i]));
        b->env[i * 2 + 1] = h2o_iovec_init(sc.env_values[i], sc.env_value_len[i]);
    }
    r->env.entries = b->env;
    r->env.size = r->env.capacity = sc.num_env * 2;
    for (size_t i = 0; i != sc.num_errors; ++i) {
        b->errors[i].module = sc.err_module[i];
        b->errors[i].msg = h2o_iovec_init(sc.err_msg[i], sc.err_msg_len[i]);
    }
    r->error_logs.entries = b->errors;
    r->error_logs.size = r->error_logs.capacity = sc.num_errors;
    r->processed_at.at = sc.processed_at;
    r->processed_at.str = &b->ts;
    r->timestamps.request_begin_at = sc.begin;
    r->timestamps.request_body_begin_at = sc.body_begin;
    r->timestamps.response_start_at = sc.res_start;
    r->timestamps.response_end_at = sc.res_end;
}

/* --- generators ----------------------------------------------------------------------------------- */

/* bytes the escapers treat differently: controls, quotes, backslash, '}', '~', DEL, non-ASCII */
static const char tricky[] = "aZ09 /?=&%\"'\\{}~\x7f\x01\t\n\x80\xc3\xa9\xff:;,.-_";

static size_t gen_bytes(char *dst, size_t max, int tricky_ratio)
{
    size_t len = rnd() % (max + 1);
    for (size_t i = 0; i != len; ++i)
        dst[i] = (int)(rnd() % 100) < tricky_ratio ? tricky[rnd() % (sizeof(tricky) - 1)] : "abcdefghijklmnopqrstuvwxyz0123456789"[rnd() % 36];
    return len;
}

static struct timeval gen_time(struct timeval base, int may_be_null)
{
    if (may_be_null && rnd() % 6 == 0)
        return (struct timeval){0, 0};
    long delta_usec = (long)(rnd() % 5000000) - (rnd() % 8 == 0 ? 2500000 : 0); /* sometimes earlier: negative spans */
    struct timeval t = base;
    t.tv_sec += delta_usec / 1000000;
    t.tv_usec += delta_usec % 1000000;
    if (t.tv_usec < 0) {
        t.tv_usec += 1000000;
        --t.tv_sec;
    } else if (t.tv_usec >= 1000000) {
        t.tv_usec -= 1000000;
        ++t.tv_sec;
    }
    return t;
}

static const char *req_names[] = {"user-agent", "referer", "cookie", "host", "accept", "x-custom", "x-forwarded-for", "X-Custom", "content-type"};
static const char *res_names[] = {"content-type", "set-cookie", "set-cookie", "x-out", "location", "cache-control", "X-Out", "vary"};

static void gen_headers(struct hdr *dst, size_t *n, const char **names, size_t num_names)
{
    *n = rnd() % (MAX_HEADERS + 1);
    for (size_t i = 0; i != *n; ++i) {
        dst[i].name = names[rnd() % num_names];
        dst[i].value_len = gen_bytes(dst[i].value, sizeof(dst[i].value), 15);
    }
}

static void gen_scenario(void)
{
    static const char *methods[] = {"GET", "POST", "HEAD", "PUT", "M\"X", "DEL\xff"};
    static const int versions[] = {0x100, 0x101, 0x200, 0x109};
    static const char *env_names[] = {"REMOTE_USER", "FOO", "", "SCRIPT_NAME"};
    static const char *modules[] = {"lib/core/proxy.c", "file", "m\"x"};
    memset(&sc, 0, sizeof(sc));
    const char *m = methods[rnd() % 6];
    sc.method_len = strlen(m);
    memcpy(sc.method, m, sc.method_len);
    sc.path[0] = '/';
    sc.path_len = 1 + gen_bytes(sc.path + 1, sizeof(sc.path) - 2, 10);
    sc.query_at = SIZE_MAX;
    if (rnd() % 2) {
        sc.query_at = rnd() % sc.path_len;
        sc.path[sc.query_at] = '?';
    }
    sc.authority_len = gen_bytes(sc.authority, sizeof(sc.authority), 8);
    sc.hostport_len = gen_bytes(sc.hostport, sizeof(sc.hostport), 5);
    sc.version = versions[rnd() % 4];
    sc.status = (int)(rnd() % 600);
    sc.original_status = rnd() % 4 == 0 ? 0 : (int)(rnd() % 600);
    sc.bytes_sent = rnd() % 3 == 0 ? ((size_t)rnd() << 32 | rnd()) : rnd() % 100000;
    gen_headers(sc.req_headers, &sc.num_req_headers, req_names, sizeof(req_names) / sizeof(req_names[0]));
    gen_headers(sc.res_headers, &sc.num_res_headers, res_names, sizeof(res_names) / sizeof(res_names[0]));
    gen_headers(sc.orig_headers, &sc.num_orig_headers, res_names, sizeof(res_names) / sizeof(res_names[0]));
    sc.num_env = rnd() % (MAX_ENV + 1);
    for (size_t i = 0; i != sc.num_env; ++i) {
        strcpy(sc.env_names[i], env_names[rnd() % 4]);
        sc.env_value_len[i] = gen_bytes(sc.env_values[i], sizeof(sc.env_values[i]), 20);
    }
    sc.num_errors = rnd() % (MAX_ERRORS + 1);
    for (size_t i = 0; i != sc.num_errors; ++i) {
        strcpy(sc.err_module[i], modules[rnd() % 3]);
        sc.err_msg_len[i] = gen_bytes(sc.err_msg[i], sizeof(sc.err_msg[i]), 20);
    }
    /* times: connected, began, body, processed, response start, end (usually in that order) */
    struct timeval base = {1500000000 + (time_t)(rnd() % 300000000), (suseconds_t)(rnd() % 1000000)};
    sc.connected_at = gen_time(base, 1);
    sc.begin = gen_time(base, 1);
    sc.body_begin = rnd() % 2 ? (struct timeval){0, 0} : gen_time(sc.begin, 0);
    sc.processed_at = gen_time(sc.begin, 1);
    sc.res_start = gen_time(sc.processed_at.tv_sec ? sc.processed_at : base, 1);
    sc.res_end = gen_time(sc.res_start.tv_sec ? sc.res_start : base, 1);
    if (rnd() % 10 == 0)
        sc.processed_at.tv_usec = 0; /* whole seconds print without a fraction */
    snprintf(sc.tslog, sizeof(sc.tslog), "%02u/Jan/2020:00:00:%02u +0900", rnd() % 28 + 1, rnd() % 60);
    sc.conn_id = rnd() % 3 == 0 ? ((uint64_t)rnd() << 32 | rnd()) : rnd() % 1000;
    sc.sock_kind = (int)(rnd() % 4);
    sc.peer_kind = (int)(rnd() % 4);
    for (int i = 0; i != 14; ++i)
        sc.proto_cb[i] = (int)(rnd() % 3);
}

/* every directive 2.2.5 knows, in the forms it accepts */
static const char *directives[] = {
    "%%", "%A", "%b", "%H", "%h", "%l", "%m", "%p", "%{local}p", "%{remote}p", "%q", "%r", "%s", "%>s", "%<s", "%<>s", "%><s",
    "%t", "%{sec}t", "%{msec}t", "%{usec}t", "%{msec_frac}t", "%{usec_frac}t", "%{%Y-%m-%d %H:%M:%S}t", "%{%d/%b/%Y:%T %z}t",
    "%{begin:sec}t", "%{end:%s}t", "%{SEC}t", "%U", "%u", "%V", "%v", "%{user-agent}i", "%{User-Agent}i", "%{referer}i",
    "%{Referer}i", "%{x-custom}i", "%{X-CUSTOM}i", "%{cookie}i", "%{content-type}i", "%<{user-agent}i", "%{content-type}o",
    "%{set-cookie}o", "%{Set-Cookie}o", "%<{set-cookie}o", "%<{content-type}o", "%>{content-type}o", "%{x-out}o", "%<{x-out}o",
    "%{vary}o", "%{location}o", "%{REMOTE_USER}e", "%{FOO}e", "%{foo}e", "%{}e", "%e", "%{missing}e", "%{connection-id}x",
    "%{connect-time}x", "%{request-header-time}x", "%{request-body-time}x", "%{request-total-time}x", "%{process-time}x",
    "%{response-time}x", "%{duration}x", "%{Duration}x", "%{total-time}x", "%{error}x", "%{ERROR}x", "%{unknown}x", "%{}x",
    "%{ssl.protocol-version}x", "%{ssl.session-reused}x", "%{ssl.cipher}x", "%{ssl.cipher-bits}x", "%{ssl.session-id}x",
    "%{http1.request-index}x", "%{http2.stream-id}x", "%{http2.priority.received}x", "%{http2.priority.received.exclusive}x",
    "%{http2.priority.received.parent}x", "%{http2.priority.received.weight}x", "%{http2.priority.actual}x",
    "%{http2.priority.actual.parent}x", "%{http2.priority.actual.weight}x", "%{HTTP2.Stream-ID}x"};
#define NUM_DIRECTIVES (sizeof(directives) / sizeof(directives[0]))
/* literal text, including the quotes JSON's magic quoting looks at */
static const char *literals[] = {" ", " ", "\"", "'", "\\", "\\\"", "{", "}", ":", ",", "abc", "\xc3\xa9", "~", "\"k\":\"", "\",",
                                 "\t", "[", "]", "=", ";"};
#define NUM_LITERALS (sizeof(literals) / sizeof(literals[0]))
/* directives 2.2.5 refuses, each with its own message */
static const char *bad[] = {"%Z", "%", "%<", "%>>", "%{x", "%{x-long-header-name-that-goes-on", "%{foo}p", "%{}p", "%{foo}",
                            "%{foo}z", "%{foo}I", "%{a}%", "%\xff", "%{x}\xff", "%{"};
#define NUM_BAD (sizeof(bad) / sizeof(bad[0]))

static void append(char *fmt, size_t cap, const char *s)
{
    size_t len = strlen(fmt);
    if (len + strlen(s) < cap)
        strcat(fmt, s);
}

static void gen_format(char *fmt, size_t cap, int with_bad)
{
    fmt[0] = '\0';
    size_t n = rnd() % 12;
    size_t bad_at = with_bad ? rnd() % (n + 1) : SIZE_MAX;
    for (size_t i = 0; i <= n; ++i) {
        if (i == bad_at)
            append(fmt, cap, bad[rnd() % NUM_BAD]);
        if (i == n)
            break;
        switch (rnd() % 4) {
        case 0:
            append(fmt, cap, literals[rnd() % NUM_LITERALS]);
            break;
        case 1: /* a quoted value, as JSON formats write them */
            append(fmt, cap, rnd() % 2 ? "\"" : "'");
            append(fmt, cap, directives[rnd() % NUM_DIRECTIVES]);
            append(fmt, cap, rnd() % 4 ? (fmt[strlen(fmt) - 1] == '"' ? "\"" : "'") : "\"");
            break;
        default:
            append(fmt, cap, directives[rnd() % NUM_DIRECTIVES]);
            break;
        }
    }
}

/* --- comparison ----------------------------------------------------------------------------------- */

static void print_bytes(FILE *fp, const char *p, size_t n)
{
    for (size_t i = 0; i != n && i < 400; ++i)
        fprintf(fp, (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] < 0x7f ? "%c" : "\\x%02x", (unsigned char)p[i]);
}

/* compiles `fmt` with both; returns both formats (or NULL, after comparing the messages) */
static int compile_both(const char *fmt, int escape, h2o_logconf_t **o, h2o_logconf_t **d)
{
    char oerr[4096], derr[4096];
    memset(oerr, 'O', sizeof(oerr));
    memset(derr, 'D', sizeof(derr));
    oerr[sizeof(oerr) - 1] = derr[sizeof(derr) - 1] = '\0';
    *o = ours.compile(fmt, escape, oerr);
    *d = deb.compile(fmt, escape, derr);
    CHECK((*o == NULL) == (*d == NULL), "compile \"%s\" (escape %d): ours %s, 2.2.5 %s", fmt, escape, *o ? "ok" : oerr,
          *d ? "ok" : derr);
    if (*o != NULL && *d != NULL)
        return 1;
    if (*o == NULL && *d == NULL) {
        /* ours stops at 255 bytes; 2.2.5 writes the whole message */
        CHECK(strlen(oerr) <= 255 && strncmp(oerr, derr, 255) == 0 && (strlen(derr) > 255 || strcmp(oerr, derr) == 0),
              "compile \"%s\": message\n  ours:  %s\n  2.2.5: %s", fmt, oerr, derr);
    }
    if (*o != NULL)
        ours.dispose(*o);
    if (*d != NULL)
        deb.dispose(*d);
    return 0;
}

static struct built ob, db;

/* 2.2.5 writes the suffix of a %q without a query and of an empty %{error}x without making room
 * for it, overrunning a buffer that is nearly full: so it always gets more room than any line here
 * needs, while ours gets random sizes (from 1 byte: the malloc()ed-line path) */
static char dbuf[65536];

static void compare_lines(const char *fmt, int escape, h2o_logconf_t *o, h2o_logconf_t *d)
{
    static const size_t room[] = {1, 7, 64, 300, 4096};
    char obuf[4096];
    size_t olen = room[rnd() % 5], dlen = sizeof(dbuf);
    build(&ours, &ob);
    build(&deb, &db);
    char *oline = ours.log_request(o, &ob.req, &olen, obuf);
    char *dline = deb.log_request(d, &db.req, &dlen, dbuf);
    int same = oline != NULL && olen == dlen && memcmp(oline, dline, olen) == 0;
    CHECK(same, "format \"%s\" (escape %d)", fmt, escape);
    if (!same && failures <= 20) {
        fprintf(stderr, "  ours:  ");
        if (oline != NULL)
            print_bytes(stderr, oline, olen);
        fprintf(stderr, "\n  2.2.5: ");
        print_bytes(stderr, dline, dlen);
        fprintf(stderr, "\n");
    }
    if (oline != NULL && oline != obuf)
        free(oline);
    if (dline != dbuf)
        free(dline);
}

static void check_format(const char *fmt, int escape)
{
    h2o_logconf_t *o, *d;
    if (!compile_both(fmt, escape, &o, &d))
        return;
    compare_lines(fmt, escape, o, d);
    ours.dispose(o);
    deb.dispose(d);
}

int main(int argc, char **argv)
{
    unsigned long iterations;
    DIFF_SETUP(load, ours, deb, compile, 20000, iterations);
    /* a fixed zone with an offset, so %z and local times are not trivially UTC (no tzdata needed) */
    setenv("TZ", "XST-5:30", 1);
    tzset();

    /* every directive alone and in quotes, in both modes, over a few requests */
    for (int round = 0; round != 20; ++round) {
        gen_scenario();
        for (size_t i = 0; i != NUM_DIRECTIVES; ++i) {
            char fmt[128];
            for (int escape = 0; escape != 2; ++escape) {
                check_format(directives[i], escape);
                snprintf(fmt, sizeof(fmt), "{\"v\":\"%s\",'w':'%s'}", directives[i], directives[i]);
                check_format(fmt, escape);
            }
        }
    }
    /* the default format (ours also takes NULL for it) and the formats simple.c-style embedders use */
    static const char *common[] = {"%h %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-agent}i\"",
                                   "%h %l %u %t \"%r\" %s %b",
                                   "{\"remote\":\"%h\",\"time\":\"%{%Y-%m-%dT%H:%M:%S}t.%{msec_frac}t\",\"req\":\"%r\","
                                   "\"status\":%s,\"ua\":\"%{user-agent}i\",\"ref\":\"%{referer}i\"}",
                                   "", "plain text", "%%%%", "%{duration}x %{process-time}x %{response-time}x %{connect-time}x"};
    for (int round = 0; round != 200; ++round) {
        gen_scenario();
        for (size_t i = 0; i != sizeof(common) / sizeof(common[0]); ++i)
            for (int escape = 0; escape != 2; ++escape)
                check_format(common[i], escape);
        /* NULL: ours compiles the default format, compared with 2.2.5 given the default explicitly */
        h2o_logconf_t *o = ours.compile(NULL, rnd() % 2, NULL), *d;
        CHECK(o != NULL, "compile(NULL)");
        char err[256];
        int escape = 0;
        if (o != NULL && (d = deb.compile(common[0], escape, err)) != NULL) {
            ours.dispose(o);
            o = ours.compile(NULL, escape, NULL);
            compare_lines("(NULL)", escape, o, d);
            deb.dispose(d);
        }
        if (o != NULL)
            ours.dispose(o);
    }
    /* every bad directive alone */
    for (size_t i = 0; i != NUM_BAD; ++i) {
        h2o_logconf_t *o, *d;
        if (compile_both(bad[i], (int)(i % 2), &o, &d)) {
            CHECK(0, "bad format \"%s\" compiled", bad[i]);
            ours.dispose(o);
            deb.dispose(d);
        }
    }

    /* generated formats over generated requests; every 8th has a bad directive */
    for (unsigned long it = 0; it != iterations; ++it) {
        char fmt[512];
        gen_scenario();
        gen_format(fmt, sizeof(fmt), it % 8 == 7);
        check_format(fmt, (int)(rnd() % 2));
    }

    printf("log-diff: %lu checks, %lu mismatches\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
