/*
 * A small 2.2.5-style embedder for the curl test (curl_http1.sh): serves on 127.0.0.1 (port 0; the
 * chosen port is written to argv[1]) until a request for /quit or argv[2] seconds have passed.
 * Handlers: /hello (h2o_send_inline), /stream (a generator, four h2o_send calls), /echo (the
 * request body), /redirect; anything else is 404.
 */
#include "e2e_server.h"

struct stream_gen {
    h2o_generator_t super;
    int sent;
    char buf[32];
};

static void stream_next(struct stream_gen *g, h2o_req_t *req)
{
    h2o_iovec_t v = h2o_iovec_init(g->buf, (size_t)snprintf(g->buf, sizeof(g->buf), "part%d;", g->sent));
    ++g->sent;
    h2o_send(req, &v, 1, g->sent == 4 ? H2O_SEND_STATE_FINAL : H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    stream_next((struct stream_gen *)self, req);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    if (e2e_path_is(req, "/hello")) {
        e2e_send_text(req, H2O_STRLIT("hello\n"));
    } else if (e2e_path_is(req, "/stream")) {
        struct stream_gen *g = h2o_mem_alloc_pool(&req->pool, sizeof(*g));
        g->super.proceed = stream_proceed;
        g->super.stop = NULL;
        g->sent = 0;
        h2o_start_response(req, &g->super);
        stream_next(g, req);
    } else if (e2e_path_is(req, "/echo")) {
        h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (e2e_path_is(req, "/redirect")) {
        h2o_send_redirect(req, 301, "Moved Permanently", H2O_STRLIT("/hello"));
    } else if (e2e_path_is(req, "/quit")) {
        e2e_quit = 1;
        h2o_send_inline(req, H2O_STRLIT("bye\n"));
    } else {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_pathconf_t *pathconf;

    e2e_init(argc, argv, 0, "");
    e2e_config.max_request_entity_size = 1024 * 1024;
    pathconf = h2o_config_register_path(h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535), "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    if ((loop = e2e_listen()) == NULL)
        return 1;
    e2e_serve(loop, 10, 0);
    return e2e_finish(loop, "serve_http1");
}
