/*
 * Filters, prefilters and output streams over HTTP/1.1, as a 2.2.5 embedder writes them: filters
 * registered with h2o_create_filter whose on_setup_ostream adds a response header and inserts an
 * output stream (h2o_add_ostream) that rewrites the body (upper-cases it, doubles it, holds it back)
 * and passes it on with h2o_ostream_send_next; a prefilter added per request (h2o_add_prefilter,
 * h2o_setup_next_prefilter); a logger reading res.headers and bytes_sent; streaming through the
 * chain with the generator's proceed. Also what h2o_config_register_path sets up by default (2.2.5
 * pre-registers its chunked-encoding filter), h2o_chunked_register, and the headers filter
 * (h2o_headers_register with a list from h2o_headers_append_command).
 * Bounded: alarm(20), at most 2000 loop turns, 8-second client timeouts.
 */
#include "abi_http.h"

static h2o_globalconf_t config;
static h2o_context_t ctx;

/* the order in which the filters set up, for the last request */
static char setup_order[64];
static int swallow_proceeds;

/* what the logger saw, request by request (checked once the connections are closed: a request is
 * logged when the protocol is done with it, which may be after the client read its response) */
struct log_entry {
    char path[32];
    int status;
    size_t bytes_sent;
    char filter_header[32];
};
static struct log_entry logs[16];
static int logged;

static const struct log_entry *find_log(const char *path)
{
    int i;
    for (i = 0; i < logged; ++i)
        if (strcmp(logs[i].path, path) == 0)
            return logs + i;
    return NULL;
}

static void note_setup(char who)
{
    size_t n = strlen(setup_order);
    if (n + 1 < sizeof(setup_order)) {
        setup_order[n] = who;
        setup_order[n + 1] = '\0';
    }
}

/* --- the generator: four lower-case parts, one per proceed -------------------------------------- */

struct parts_gen {
    h2o_generator_t super;
    int sent;
    char buf[32];
};

static void parts_send_next(struct parts_gen *g, h2o_req_t *req)
{
    h2o_iovec_t v;
    v.base = g->buf;
    v.len = (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent);
    ++g->sent;
    h2o_send(req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void parts_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    parts_send_next((struct parts_gen *)self, req);
}

static void start_parts(h2o_req_t *req)
{
    struct parts_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    g->super.proceed = parts_proceed;
    g->super.stop = NULL;
    g->sent = 0;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_start_response(req, &g->super);
    parts_send_next(g, req);
}

/* --- filter "upper": x-filter header, body upper-cased (same length) ----------------------------- */

static void upper_do_send(h2o_ostream_t *self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    h2o_iovec_t *out = h2o_mem_alloc_pool(&req->pool, sizeof(*out) * (bufcnt + 1));
    size_t i, j;
    for (i = 0; i != bufcnt; ++i) {
        out[i].base = h2o_mem_alloc_pool(&req->pool, bufs[i].len + 1);
        out[i].len = bufs[i].len;
        for (j = 0; j != bufs[i].len; ++j) {
            char c = bufs[i].base[j];
            out[i].base[j] = c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
        }
    }
    h2o_ostream_send_next(self, req, out, bufcnt, state);
}

static void upper_on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    h2o_ostream_t *ostr;
    note_setup('U');
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VIA, NULL, H2O_STRLIT("upper"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-filter"), 0, NULL, H2O_STRLIT("upper"));
    ostr = h2o_add_ostream(req, sizeof(*ostr), slot);
    CHECK(ostr->do_send == NULL && ostr->stop == NULL && ostr->start_pull == NULL, "h2o_add_ostream clears the callbacks");
    CHECK(*slot == ostr, "h2o_add_ostream links the new stream at *slot");
    ostr->do_send = upper_do_send;
    h2o_setup_next_ostream(req, &ostr->next);
}

/* --- filter "tag": registered after "upper", so it sets up first; adds only a header ------------- */

static void tag_on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    note_setup('T');
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-tag"), 0, NULL, H2O_STRLIT("tagged"));
    h2o_setup_next_ostream(req, slot);
}

/* --- filter "double": every byte twice, the length unknown afterwards ---------------------------- */

struct double_ostream {
    h2o_ostream_t super;
    int counts; /* counts bytes_sent itself (bytes_counted_by_ostream) */
};

static void double_do_send(h2o_ostream_t *_self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    struct double_ostream *self = (void *)_self;
    h2o_iovec_t out = {NULL, 0};
    size_t i, j, total = 0;
    for (i = 0; i != bufcnt; ++i)
        total += bufs[i].len;
    out.base = h2o_mem_alloc_pool(&req->pool, total * 2 + 1);
    for (i = 0; i != bufcnt; ++i)
        for (j = 0; j != bufs[i].len; ++j) {
            out.base[out.len++] = bufs[i].base[j];
            out.base[out.len++] = bufs[i].base[j];
        }
    if (self->counts)
        req->bytes_sent += 1000 * total; /* a value no other stream would produce */
    h2o_ostream_send_next(&self->super, req, &out, out.len != 0 ? 1 : 0, state);
}

static void double_setup(h2o_req_t *req, h2o_ostream_t **slot, int counts)
{
    struct double_ostream *ostr = (void *)h2o_add_ostream(req, sizeof(*ostr), slot);
    ostr->super.do_send = double_do_send;
    ostr->counts = counts;
    if (counts)
        req->bytes_counted_by_ostream = 1;
    req->res.content_length = SIZE_MAX;
    h2o_setup_next_ostream(req, &ostr->super.next);
}

static void double_on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    double_setup(req, slot, 0);
}

static void counting_double_on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    double_setup(req, slot, 1);
}

/* --- filter "swallow": holds back the first part (sends nothing, in progress), which makes the
 * library ask the generator for more through the zero timeout ------------------------------------- */

struct swallow_ostream {
    h2o_ostream_t super;
    int calls;
};

static void swallow_do_send(h2o_ostream_t *_self, h2o_req_t *req, h2o_iovec_t *bufs, size_t bufcnt, h2o_send_state_t state)
{
    struct swallow_ostream *self = (void *)_self;
    if (self->calls++ == 0 && h2o_send_state_is_in_progress(state)) {
        h2o_ostream_send_next(&self->super, req, NULL, 0, state);
        return;
    }
    h2o_ostream_send_next(&self->super, req, bufs, bufcnt, state);
}

static void swallow_on_setup_ostream(h2o_filter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    struct swallow_ostream *ostr = (void *)h2o_add_ostream(req, sizeof(*ostr), slot);
    ostr->super.do_send = swallow_do_send;
    ostr->calls = 0;
    req->res.content_length = SIZE_MAX;
    h2o_setup_next_ostream(req, &ostr->super.next);
}

static void swallow_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    ++swallow_proceeds;
    parts_proceed(self, req);
}

/* --- the prefilter: added by the handler of /prefilter, sets up before the path's filters -------- */

static void prefilter_on_setup_ostream(h2o_req_prefilter_t *self, h2o_req_t *req, h2o_ostream_t **slot)
{
    note_setup('P');
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-prefilter"), 0, NULL, H2O_STRLIT("yes"));
    h2o_setup_next_prefilter(self, req, slot);
}

/* --- handlers ------------------------------------------------------------------------------------ */

static int path_is(h2o_req_t *req, const char *p)
{
    return h2o_memis(req->path_normalized.base, req->path_normalized.len, p, strlen(p));
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    setup_order[0] = '\0';
    if (path_is(req, "/inline")) {
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_send_inline(req, H2O_STRLIT("hello, filters\n"));
    } else if (path_is(req, "/prefilter")) {
        h2o_req_prefilter_t *pf = h2o_add_prefilter(req, sizeof(*pf));
        CHECK(req->prefilters == pf && pf->next == NULL, "h2o_add_prefilter links the prefilter first");
        pf->on_setup_ostream = prefilter_on_setup_ostream;
        start_parts(req);
    } else if (path_is(req, "/hdrs")) {
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-remove"), 0, NULL, H2O_STRLIT("1"));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("max-age=1"));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html"));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Accept-Encoding"));
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_send_inline(req, H2O_STRLIT("headers"));
    } else if (path_is(req, "/swallow/x")) {
        struct parts_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
        g->super.proceed = swallow_proceed;
        g->super.stop = NULL;
        g->sent = 0;
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_start_response(req, &g->super);
        parts_send_next(g, req);
    } else {
        start_parts(req);
    }
    return 0;
}

static void log_access(h2o_logger_t *self, h2o_req_t *req)
{
    ssize_t i = h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("x-filter"), -1);
    struct log_entry *e;
    if (logged == sizeof(logs) / sizeof(logs[0]))
        return;
    e = logs + logged++;
    snprintf(e->path, sizeof(e->path), "%.*s", (int)req->path.len, req->path.base);
    e->status = req->res.status;
    e->bytes_sent = req->bytes_sent;
    snprintf(e->filter_header, sizeof(e->filter_header), "%.*s", i >= 0 ? (int)req->res.headers.entries[i].value.len : 0,
             i >= 0 ? req->res.headers.entries[i].value.base : "");
}

static h2o_pathconf_t *register_path(h2o_hostconf_t *host, const char *path)
{
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, path, 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    h2o_create_logger(pathconf, sizeof(h2o_logger_t))->log_access = log_access;
    return pathconf;
}

/* --- the client ---------------------------------------------------------------------------------- */

static void *client_main(void *arg)
{
    struct abi_client c;
    struct abi_response res;
    char v[64];

    CHECK(abi_client_connect(&c) == 0, "connect");
    /* upper + tag on a streamed body, keep-alive */
    abi_client_send(&c, "GET /stream HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "stream response");
    CHECK(res.status == 200 && res.chunked, "200, chunked (%d)", res.status);
    ABI_BODY_IS(res, "PART0;PART1;PART2;PART3;");
    CHECK(abi_header(&res, "x-filter", v, sizeof(v)) != NULL && strcmp(v, "upper") == 0, "x-filter from the filter");
    CHECK(abi_header(&res, "x-tag", v, sizeof(v)) != NULL && strcmp(v, "tagged") == 0, "x-tag from the other filter");
    CHECK(abi_header(&res, "via", v, sizeof(v)) != NULL && strcmp(v, "upper") == 0, "a token header added by the filter");
    CHECK(strcmp(setup_order, "TU") == 0, "the filter registered last sets up first: %s", setup_order);

    /* an inline response goes through the filters too */
    abi_client_send(&c, "GET /inline HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "inline response");
    ABI_BODY_IS(res, "HELLO, FILTERS\n");

    /* a prefilter sets up before the path's filters */
    abi_client_send(&c, "GET /prefilter HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "prefilter response");
    ABI_BODY_IS(res, "PART0;PART1;PART2;PART3;");
    CHECK(abi_header(&res, "x-prefilter", v, sizeof(v)) != NULL, "the prefilter's header");
    CHECK(strcmp(setup_order, "PTU") == 0, "prefilter, then the filters: %s", setup_order);

    /* a filter that changes the length: bytes_sent counts what reaches the protocol */
    abi_client_send(&c, "GET /double/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "double response");
    ABI_BODY_IS(res, "ppaarrtt00;;ppaarrtt11;;ppaarrtt22;;ppaarrtt33;;");

    /* ... unless the filter counts them itself (bytes_counted_by_ostream) */
    abi_client_send(&c, "GET /counted/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "counted response");
    ABI_BODY_IS(res, "ppaarrtt00;;ppaarrtt11;;ppaarrtt22;;ppaarrtt33;;");

    /* a filter that holds back the first part: the generator is asked again (zero timeout) */
    abi_client_send(&c, "GET /swallow/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(abi_read_response(&c, &res, 0), "swallow response");
    ABI_BODY_IS(res, "part1;part2;part3;");
    CHECK(swallow_proceeds == 3, "proceed called 3 times (%d)", swallow_proceeds);
    close(c.fd);

    /* HTTP/1.0: the filters run, the body ends with the connection */
    CHECK(abi_http_get("GET /stream HTTP/1.0\r\n\r\n", &res), "1.0 response");
    ABI_BODY_IS(res, "PART0;PART1;PART2;PART3;");

    /* the headers filter */
    CHECK(abi_http_get("GET /hdrs HTTP/1.1\r\nHost: localhost\r\n\r\n", &res), "headers filter response");
    ABI_BODY_IS(res, "headers");
    CHECK(abi_header(&res, "x-frame-options", v, sizeof(v)) != NULL && strcmp(v, "DENY") == 0, "SET a header");
    CHECK(abi_header(&res, "x-remove", v, sizeof(v)) == NULL, "UNSET a header");
    CHECK(abi_header(&res, "cache-control", v, sizeof(v)) != NULL && strcmp(v, "max-age=1, no-transform") == 0, "APPEND: %s", v);
    CHECK(abi_header(&res, "content-type", v, sizeof(v)) != NULL && strcmp(v, "text/html") == 0, "SETIFEMPTY leaves it: %s", v);
    CHECK(abi_header(&res, "vary", v, sizeof(v)) != NULL && strcmp(v, "Accept-Encoding") == 0,
          "MERGE finds the value among the list's tokens (lower-cased): %s", v);
    CHECK(abi_header(&res, "x-added", v, sizeof(v)) != NULL && strcmp(v, "yes") == 0, "ADD");

    /* HTTP/1.0: a filter counting alone */
    CHECK(abi_http_get("GET /counted/y HTTP/1.0\r\n\r\n", &res), "1.0 counted response");
    ABI_BODY_IS(res, "ppaarrtt00;;ppaarrtt11;;ppaarrtt22;;ppaarrtt33;;");

    /* HEAD (on a connection of its own: 2.2.5 writes a streamed body even for HEAD) */
    CHECK(abi_http_get("HEAD /stream HTTP/1.1\r\nHost: localhost\r\n\r\n", &res), "HEAD response");
    CHECK(res.status == 200 && abi_header(&res, "x-filter", v, sizeof(v)) != NULL, "HEAD: 200 with the filter's header");

    abi_http_client_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_add_ostream), ABI_FN(h2o_ostream_send_next), ABI_FN(h2o_add_prefilter),
                                        ABI_FN(h2o_chunked_register), ABI_FN(h2o_start_response), ABI_FN(h2o_send)};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_pathconf_t *pathconf;
    h2o_socket_t *listener;
    h2o_headers_command_t *cmds = NULL;
    static h2o_iovec_t xfo = {H2O_STRLIT("x-frame-options")}, xremove = {H2O_STRLIT("x-remove")}, xadded = {H2O_STRLIT("x-added")};
    size_t slots;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    alarm(20);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    /* 2.2.5 gives every pathconf (a host's fallback path too) its chunked-encoding filter, which
     * takes a config slot */
    CHECK(host->fallback_path.filters.size == 1, "the fallback path has one filter (%zu)", host->fallback_path.filters.size);
    slots = config._num_config_slots;
    pathconf = register_path(host, "/double");
    CHECK(pathconf->filters.size == 1 && config._num_config_slots == slots + 3, "a new path: 1 filter (%zu), 3 slots (%zu)",
          pathconf->filters.size, config._num_config_slots - slots);
    CHECK(pathconf->filters.entries[0]->on_setup_ostream != NULL && pathconf->filters.entries[0]->dispose == NULL,
          "the default filter has on_setup_ostream and no dispose");
    h2o_create_filter(pathconf, sizeof(h2o_filter_t))->on_setup_ostream = double_on_setup_ostream;
    pathconf = register_path(host, "/counted");
    h2o_create_filter(pathconf, sizeof(h2o_filter_t))->on_setup_ostream = counting_double_on_setup_ostream;
    pathconf = register_path(host, "/swallow");
    h2o_create_filter(pathconf, sizeof(h2o_filter_t))->on_setup_ostream = swallow_on_setup_ostream;
    pathconf = register_path(host, "/hdrs");
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_SET, &xfo, h2o_iovec_init(H2O_STRLIT("DENY")));
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_UNSET, &xremove, h2o_iovec_init(NULL, 0));
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_APPEND, (h2o_iovec_t *)&H2O_TOKEN_CACHE_CONTROL->buf,
                               h2o_iovec_init(H2O_STRLIT("no-transform")));
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_SETIFEMPTY, (h2o_iovec_t *)&H2O_TOKEN_CONTENT_TYPE->buf,
                               h2o_iovec_init(H2O_STRLIT("text/plain")));
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_MERGE, (h2o_iovec_t *)&H2O_TOKEN_VARY->buf,
                               h2o_iovec_init(H2O_STRLIT("accept-encoding")));
    h2o_headers_append_command(&cmds, H2O_HEADERS_CMD_ADD, &xadded, h2o_iovec_init(H2O_STRLIT("yes")));
    h2o_headers_register(pathconf, cmds);
    pathconf = register_path(host, "/");
    h2o_create_filter(pathconf, sizeof(h2o_filter_t))->on_setup_ostream = upper_on_setup_ostream;
    h2o_create_filter(pathconf, sizeof(h2o_filter_t))->on_setup_ostream = tag_on_setup_ostream;
    /* registering the chunked filter again (as 2.2-era embedders do) is harmless */
    h2o_chunked_register(pathconf);
    CHECK(pathconf->filters.size == 4, "four filters on / (%zu)", pathconf->filters.size);

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    listener = abi_http_listen(&ctx);
    if (listener != NULL)
        abi_http_serve(loop, listener, client_main, 2000);

    {
        const struct log_entry *e;
        CHECK(logged == 10, "every request logged once (%d)", logged);
        e = find_log("/stream");
        CHECK(e != NULL && e->status == 200 && e->bytes_sent == 24 && strcmp(e->filter_header, "upper") == 0,
              "/stream logged: 200, 24 bytes, the filter's header (%zu, %s)", e ? e->bytes_sent : 0, e ? e->filter_header : "");
        e = find_log("/inline");
        CHECK(e != NULL && e->bytes_sent == 15, "/inline: bytes_sent %zu", e ? e->bytes_sent : 0);
        e = find_log("/double/x");
        CHECK(e != NULL && e->bytes_sent == 48, "a filter changing the length: bytes_sent %zu", e ? e->bytes_sent : 0);
        e = find_log("/counted/x");
        /* 2.2.5's chunked encoder (HTTP/1.1) counts what it is given too */
        CHECK(e != NULL && e->bytes_sent == 24048, "a filter counting too (bytes_counted_by_ostream): %zu", e ? e->bytes_sent : 0);
        e = find_log("/counted/y");
        CHECK(e != NULL && e->bytes_sent == 24000, "... and over HTTP/1.0, where nothing else counts: %zu", e ? e->bytes_sent : 0);
    }
    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_mem_release_shared(cmds); /* the headers filter borrowed the list */
    h2o_evloop_destroy(loop);
    return abi_report("test_filters");
}
