/*
 * h2_push_load: a small, bounded HTTP/2 load generator that accepts server push (h2load cannot:
 * it sends SETTINGS_ENABLE_PUSH=0). Used by benches/server/push.sh --keepalive.
 *
 * It keeps C connections to 127.0.0.1:PORT (h2c with prior knowledge), each with ENABLE_PUSH 1 and
 * windows of 2^31-1 (stream and connection) so that no push is ever held back by flow control, and
 * on each connection asks for M pages, at most K of them in flight at once; after M pages the
 * connection says GOAWAY, closes, and a new one takes its place. A page is complete when its own
 * stream and every stream it promised (PUSH_PROMISE) have closed; every body is read in full.
 * The run ends after N pages or --max-seconds, whichever comes first (in-flight pages at a time
 * limit are not counted), and fails (exit 1) on any error: connect/read/write failures, a status
 * other than 200 (1xx interim responses excepted and counted), RST_STREAM or GOAWAY with an error,
 * a page with a number of pushes other than --expect-pushes (when given), or no progress for 10 s.
 *
 *   h2_push_load --port P [--path PATH] [--pages N] [--conns C] [--per-conn M] [--inflight K]
 *                [--expect-pushes E] [--max-seconds S] [--authority A]
 *
 * PATH (default /push?nohints) may hold "{n}", replaced by the page's sequence number (0, 1, ...)
 * so that each page asks for another URL. Defaults: N 1000, C 1, M 0 (= no limit: connections
 * stay open for the whole run), K 1, S 60.
 * Output (standard output, one line of key=value): pages, responses (final responses of pages and
 * pushes), pushes, interim (1xx), bytes (DATA payload), conns, secs, pages_per_s, stopped (pages
 * or time).
 *
 * Build: cc -O2 -o h2_push_load h2_push_load.c $(pkg-config --cflags --libs libnghttp2)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#define MAX_CONNS 256
#define STALL_SECONDS 10.0

struct conn;

struct page {
    struct conn *conn;
    unsigned open_streams; /* the page's own stream and its promised ones not closed yet */
    unsigned pushes;
};

struct stream {
    struct page *page;
    int is_push;
    int status; /* the final status, 0 until seen */
};

struct conn {
    int fd;
    nghttp2_session *session;
    unsigned started, done, inflight;
};

static struct {
    unsigned short port;
    const char *path, *authority;
    unsigned long pages, per_conn;
    unsigned conns, inflight;
    long expect_pushes;
    double max_seconds;
} opt = {0, "/push?nohints", NULL, 1000, 0, 1, 1, -1, 60};

static struct {
    unsigned long started, pages, responses, pushes, interim, bytes, conns;
} count;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "h2_push_load: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (after %lu pages, %lu pushes)\n", count.pages, count.pushes);
    va_end(ap);
    exit(1);
}

static ssize_t on_send(nghttp2_session *session, const uint8_t *data, size_t len, int flags, void *user_data)
{
    struct conn *c = user_data;
    (void)session;
    (void)flags;
    ssize_t n;
    while ((n = send(c->fd, data, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return NGHTTP2_ERR_WOULDBLOCK;
        die("send: %s", strerror(errno));
    }
    return n;
}

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data)
{
    (void)user_data;
    switch (frame->hd.type) {
    case NGHTTP2_PUSH_PROMISE: {
        struct stream *parent = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
        if (parent == NULL || parent->is_push)
            die("PUSH_PROMISE on stream %d, not a page's", frame->hd.stream_id);
        struct stream *s = calloc(1, sizeof(*s));
        s->page = parent->page;
        s->is_push = 1;
        if (nghttp2_session_set_stream_user_data(session, frame->push_promise.promised_stream_id, s) != 0)
            die("promised stream %d unknown to nghttp2", frame->push_promise.promised_stream_id);
        parent->page->open_streams++;
        parent->page->pushes++;
        break;
    }
    case NGHTTP2_GOAWAY:
        if (frame->goaway.error_code != NGHTTP2_NO_ERROR)
            die("GOAWAY from the server, error %u", frame->goaway.error_code);
        break;
    case NGHTTP2_RST_STREAM:
        die("RST_STREAM on stream %d, error %u", frame->hd.stream_id, frame->rst_stream.error_code);
        break;
    }
    return 0;
}

static int on_header(nghttp2_session *session, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
                     const uint8_t *value, size_t valuelen, uint8_t flags, void *user_data)
{
    (void)flags;
    (void)user_data;
    if (frame->hd.type != NGHTTP2_HEADERS || namelen != 7 || memcmp(name, ":status", 7) != 0)
        return 0;
    struct stream *s = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
    if (s == NULL)
        die("response on unknown stream %d", frame->hd.stream_id);
    int status = 0;
    for (size_t i = 0; i < valuelen; i++)
        status = status * 10 + (value[i] - '0');
    if (status >= 100 && status < 200) {
        count.interim++;
    } else if (status == 200) {
        s->status = status;
    } else {
        die("status %.*s on %s stream %d", (int)valuelen, value, s->is_push ? "pushed" : "page", frame->hd.stream_id);
    }
    return 0;
}

static int on_data_chunk(nghttp2_session *session, uint8_t flags, int32_t stream_id, const uint8_t *data, size_t len,
                         void *user_data)
{
    (void)session;
    (void)flags;
    (void)stream_id;
    (void)data;
    (void)user_data;
    count.bytes += len;
    return 0;
}

static int on_stream_close(nghttp2_session *session, int32_t stream_id, uint32_t error_code, void *user_data)
{
    struct conn *c = user_data;
    struct stream *s = nghttp2_session_get_stream_user_data(session, stream_id);
    if (s == NULL)
        die("close of unknown stream %d", stream_id);
    if (error_code != NGHTTP2_NO_ERROR)
        die("%s stream %d closed with error %u", s->is_push ? "pushed" : "page", stream_id, error_code);
    if (s->status != 200)
        die("%s stream %d closed without a 200 response", s->is_push ? "pushed" : "page", stream_id);
    count.responses++;
    struct page *p = s->page;
    nghttp2_session_set_stream_user_data(session, stream_id, NULL);
    free(s);
    if (--p->open_streams == 0) {
        if (opt.expect_pushes >= 0 && p->pushes != (unsigned long)opt.expect_pushes)
            die("a page came with %u pushes, %ld expected", p->pushes, opt.expect_pushes);
        count.pushes += p->pushes;
        count.pages++;
        c->done++;
        c->inflight--;
        free(p);
    }
    return 0;
}

static void submit_page(struct conn *c)
{
    char path[1024], num[24];
    const char *mark = strstr(opt.path, "{n}");
    if (mark != NULL) {
        snprintf(num, sizeof(num), "%lu", count.started);
        snprintf(path, sizeof(path), "%.*s%s%s", (int)(mark - opt.path), opt.path, num, mark + 3);
    } else {
        snprintf(path, sizeof(path), "%s", opt.path);
    }
    nghttp2_nv nva[] = {
        {(uint8_t *)":method", (uint8_t *)"GET", 7, 3, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":scheme", (uint8_t *)"http", 7, 4, NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":authority", (uint8_t *)opt.authority, 10, strlen(opt.authority), NGHTTP2_NV_FLAG_NONE},
        {(uint8_t *)":path", (uint8_t *)path, 5, strlen(path), NGHTTP2_NV_FLAG_NONE},
    };
    struct page *p = calloc(1, sizeof(*p));
    struct stream *s = calloc(1, sizeof(*s));
    p->conn = c;
    p->open_streams = 1;
    s->page = p;
    int32_t id = nghttp2_submit_request(c->session, NULL, nva, sizeof(nva) / sizeof(nva[0]), NULL, s);
    if (id < 0)
        die("nghttp2_submit_request: %s", nghttp2_strerror(id));
    c->started++;
    c->inflight++;
    count.started++;
}

static void conn_open(struct conn *c)
{
    static nghttp2_session_callbacks *cbs;
    if (cbs == NULL) {
        nghttp2_session_callbacks_new(&cbs);
        nghttp2_session_callbacks_set_send_callback(cbs, on_send);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
        nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
        nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    }
    memset(c, 0, sizeof(*c));
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(opt.port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        die("socket: %s", strerror(errno));
    /* loopback: a blocking connect completes at once */
    if (connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        die("connect to 127.0.0.1:%u: %s", opt.port, strerror(errno));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    if (nghttp2_session_client_new(&c->session, cbs, c) != 0)
        die("nghttp2_session_client_new failed");
    nghttp2_settings_entry iv[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 1},
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, NGHTTP2_MAX_WINDOW_SIZE},
    };
    int rv = nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0]));
    if (rv == 0)
        rv = nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0, NGHTTP2_MAX_WINDOW_SIZE);
    if (rv != 0)
        die("settings: %s", nghttp2_strerror(rv));
    count.conns++;
}

static void conn_close(struct conn *c)
{
    nghttp2_session_terminate_session(c->session, NGHTTP2_NO_ERROR);
    nghttp2_session_send(c->session); /* the GOAWAY, best effort */
    nghttp2_session_del(c->session);
    close(c->fd);
    c->session = NULL;
    c->fd = -1;
}

/* reads what the socket has; 0 once it would block */
static void conn_read(struct conn *c)
{
    static uint8_t buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            die("recv: %s", strerror(errno));
        }
        if (n == 0)
            die("the server closed a connection with %u pages in flight", c->inflight);
        ssize_t used = nghttp2_session_mem_recv(c->session, buf, n);
        if (used < 0)
            die("nghttp2_session_mem_recv: %s", nghttp2_strerror((int)used));
        if ((size_t)n < sizeof(buf))
            return;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: h2_push_load --port P [--path PATH] [--pages N] [--conns C] [--per-conn M] [--inflight K]\n"
                    "                    [--expect-pushes E] [--max-seconds S] [--authority A]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *o = argv[i], *v = argv[++i];
        if (strcmp(o, "--port") == 0)
            opt.port = (unsigned short)atoi(v);
        else if (strcmp(o, "--path") == 0)
            opt.path = v;
        else if (strcmp(o, "--authority") == 0)
            opt.authority = v;
        else if (strcmp(o, "--pages") == 0)
            opt.pages = strtoul(v, NULL, 10);
        else if (strcmp(o, "--conns") == 0)
            opt.conns = (unsigned)atoi(v);
        else if (strcmp(o, "--per-conn") == 0)
            opt.per_conn = strtoul(v, NULL, 10);
        else if (strcmp(o, "--inflight") == 0)
            opt.inflight = (unsigned)atoi(v);
        else if (strcmp(o, "--expect-pushes") == 0)
            opt.expect_pushes = atol(v);
        else if (strcmp(o, "--max-seconds") == 0)
            opt.max_seconds = atof(v);
        else
            usage();
    }
    if (opt.port == 0 || opt.conns == 0 || opt.conns > MAX_CONNS || opt.inflight == 0 || opt.pages == 0 ||
        opt.max_seconds <= 0)
        usage();
    static char authority[32];
    if (opt.authority == NULL) {
        snprintf(authority, sizeof(authority), "127.0.0.1:%u", opt.port);
        opt.authority = authority;
    }

    static struct conn conns[MAX_CONNS];
    struct pollfd pfd[MAX_CONNS];
    double start = now(), last_progress = start;
    unsigned long last_pages = 0;
    const char *stopped = "pages";
    for (unsigned i = 0; i < opt.conns; i++)
        conns[i].fd = -1;

    while (count.pages < opt.pages) {
        double t = now();
        if (t - start >= opt.max_seconds) {
            stopped = "time";
            break;
        }
        if (count.pages != last_pages) {
            last_pages = count.pages;
            last_progress = t;
        } else if (t - last_progress > STALL_SECONDS) {
            die("no page completed for %.0f s", STALL_SECONDS);
        }
        /* open connections, start pages, flush what nghttp2 has to send */
        for (unsigned i = 0; i < opt.conns; i++) {
            struct conn *c = &conns[i];
            if (c->session != NULL && opt.per_conn != 0 && c->done >= opt.per_conn)
                conn_close(c);
            if (c->session == NULL && count.started < opt.pages)
                conn_open(c);
            if (c->session == NULL)
                continue;
            while (c->inflight < opt.inflight && count.started < opt.pages &&
                   (opt.per_conn == 0 || c->started < opt.per_conn))
                submit_page(c);
            int rv = nghttp2_session_send(c->session);
            if (rv != 0)
                die("nghttp2_session_send: %s", nghttp2_strerror(rv));
        }
        nfds_t n = 0;
        for (unsigned i = 0; i < opt.conns; i++) {
            if (conns[i].session == NULL)
                continue;
            pfd[n].fd = conns[i].fd;
            pfd[n].events = POLLIN | (nghttp2_session_want_write(conns[i].session) ? POLLOUT : 0);
            pfd[n].revents = 0;
            n++;
        }
        if (n == 0)
            break;
        int ready = poll(pfd, n, 100);
        if (ready < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        if (ready <= 0)
            continue;
        n = 0;
        for (unsigned i = 0; i < opt.conns; i++) {
            struct conn *c = &conns[i];
            if (c->session == NULL)
                continue;
            short ev = pfd[n++].revents;
            if (ev & (POLLIN | POLLERR | POLLHUP))
                conn_read(c);
            /* POLLOUT: the send in the next pass writes what is pending */
        }
    }
    double secs = now() - start;
    for (unsigned i = 0; i < opt.conns; i++)
        if (conns[i].session != NULL)
            conn_close(&conns[i]);
    printf("pages=%lu responses=%lu pushes=%lu interim=%lu bytes=%lu conns=%lu secs=%.3f pages_per_s=%.0f stopped=%s\n",
           count.pages, count.responses, count.pushes, count.interim, count.bytes, count.conns, secs,
           count.pages / secs, stopped);
    if (strcmp(stopped, "pages") == 0 && count.responses != count.pages + count.pushes)
        die("%lu responses for %lu pages and %lu pushes", count.responses, count.pages, count.pushes);
    return 0;
}
