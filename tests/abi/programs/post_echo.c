/*
 * A 2.2.5-style POST echo: the library reads the whole request body into req->entity (Content-Length
 * or chunked, after "100 Continue" when asked), the handler sends it back.
 *   /echo          any method: the body with its Content-Type, Content-Length set, x-method: METHOD
 *   /echo-pieces   the body back in 1000-byte h2o_send calls from a generator (a chunked response)
 * max_request_entity_size is 1 MiB, so larger bodies get 413 from the library.
 * Driven by embedder_post.sh (curl, and embedder_client.py post-framings).
 */
#include "serve.h"

static void copy_content_type(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    if (i != -1)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, req->headers.entries[i].value.base,
                       req->headers.entries[i].value.len);
}

static int on_echo(h2o_handler_t *self, h2o_req_t *req)
{
    static h2o_generator_t generator = {NULL, NULL};
    (void)self;
    if (!serve_path_is(req, "/echo"))
        return -1;
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = req->entity.len;
    copy_content_type(req);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-method"), 0, NULL, req->method.base, req->method.len);
    h2o_start_response(req, &generator);
    h2o_send(req, &req->entity, 1, H2O_SEND_STATE_FINAL);
    return 0;
}

struct pieces_generator {
    h2o_generator_t super;
    size_t off;
};

static void pieces_send(struct pieces_generator *g, h2o_req_t *req)
{
    h2o_iovec_t v;
    size_t n = req->entity.len - g->off < 1000 ? req->entity.len - g->off : 1000;
    v = h2o_iovec_init(req->entity.base + g->off, n);
    g->off += n;
    h2o_send(req, &v, 1, g->off == req->entity.len ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void pieces_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    pieces_send((struct pieces_generator *)self, req);
}

static int on_echo_pieces(h2o_handler_t *self, h2o_req_t *req)
{
    struct pieces_generator *g;
    (void)self;
    if (!serve_path_is(req, "/echo-pieces"))
        return -1;
    g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
    g->super.proceed = pieces_proceed;
    g->super.stop = NULL;
    g->off = 0;
    req->res.status = 200;
    req->res.reason = "OK";
    copy_content_type(req);
    h2o_start_response(req, &g->super);
    pieces_send(g, req);
    return 0;
}

int main(void)
{
    serve_init();
    serve_config.max_request_entity_size = 1024 * 1024;
    serve_register("/echo", on_echo);
    serve_register("/echo-pieces", on_echo_pieces);
    return serve_run(NULL);
}
