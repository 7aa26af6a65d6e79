/*
 * A 2.2.5-style server whose response is produced by a streaming generator: GET /stream?pieces=N&size=S
 * sends N pieces of S bytes (each starting with "piece %08d\n"), one h2o_send per piece, the next
 * only from proceed(). The same buffer is reused for every piece, which is only correct if the
 * library really is done with it when it calls proceed.
 *
 * GET /stats reports what the generators saw: "sends= proceeds= stops= violations= active=".
 * A violation is a proceed without an outstanding send, a send while one is outstanding, or a
 * proceed after stop. The e2e test (embedder_stream.sh, embedder_client.py backpressure) stalls a
 * reader, checks the sends stop growing, reads on, then resets a connection mid-response and
 * checks stop is called.
 */
#include "serve.h"

static unsigned long sends, proceeds, stops, violations, active;

struct stream_generator {
    h2o_generator_t super;
    h2o_req_t *req;
    size_t pieces, size, next;
    int outstanding, stopped;
    char *buf;
};

static void send_next(struct stream_generator *g)
{
    h2o_iovec_t v;
    int last = g->next + 1 == g->pieces;
    if (g->outstanding)
        ++violations;
    g->outstanding = 1;
    snprintf(g->buf, 16, "piece %08zu\n", g->next);
    g->buf[15] = g->size > 15 ? '.' : g->buf[15];
    ++g->next;
    ++sends;
    if (last)
        --active;
    v = h2o_iovec_init(g->buf, g->size);
    h2o_send(g->req, &v, 1, last ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void on_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_generator *g = (struct stream_generator *)self;
    (void)req;
    ++proceeds;
    if (!g->outstanding || g->stopped)
        ++violations;
    g->outstanding = 0;
    send_next(g);
}

static void on_stop(h2o_generator_t *self, h2o_req_t *req)
{
    struct stream_generator *g = (struct stream_generator *)self;
    (void)req;
    ++stops;
    g->stopped = 1;
    --active;
}

static int on_stream(h2o_handler_t *self, h2o_req_t *req)
{
    struct stream_generator *g;
    (void)self;
    if (!serve_path_is(req, "/stream"))
        return -1;
    g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    memset(g, 0, sizeof(*g));
    g->super.proceed = on_proceed;
    g->super.stop = on_stop;
    g->req = req;
    g->pieces = serve_query_num(req, "pieces", 4);
    g->size = serve_query_num(req, "size", 16384);
    if (g->pieces == 0 || g->pieces > 100000 || g->size < 16 || g->size > (4 << 20)) {
        h2o_send_error_400(req, "Bad Request", "pieces: 1..100000, size: 16..4194304\n", 0);
        return 0;
    }
    g->buf = h2o_mem_alloc_pool(&req->pool, g->size);
    memset(g->buf, 'x', g->size);
    g->buf[g->size - 1] = '\n';
    ++active;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("application/octet-stream"));
    h2o_start_response(req, &g->super);
    send_next(g);
    return 0;
}

static int on_stats(h2o_handler_t *self, h2o_req_t *req)
{
    char buf[160];
    int n;
    (void)self;
    n = snprintf(buf, sizeof(buf), "sends=%lu proceeds=%lu stops=%lu violations=%lu active=%lu\n", sends, proceeds, stops,
                 violations, active);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    h2o_send_inline(req, buf, (size_t)n);
    return 0;
}

int main(void)
{
    serve_init();
    serve_register("/stream", on_stream);
    serve_register("/stats", on_stats);
    return serve_run(NULL);
}
