/*
 * A 2.2.5-style embedder of the file handler for the curl tests (file_curl.sh): serves DOCROOT on
 * 127.0.0.1 (port 0; the chosen port is written to PORT_FILE) until a request for /quit or
 * MAX_SECONDS have passed. Written against the 2.2.5 API only, so that the same source builds
 * against Debian's headers and ours.
 *
 *   /quit            ends the server
 *   /send/...        h2o_file_send of DOCROOT/a.txt with status 203 and type text/x-sent
 *   /one             h2o_file_register_file: DOCROOT/a.txt with a "text/x-one" type of a mimemap
 *   /listing/        DOCROOT/sub with H2O_FILE_FLAG_DIR_LISTING
 *   /gz/             DOCROOT/gz with H2O_FILE_FLAG_SEND_COMPRESSED
 *   /gunzip/         DOCROOT/gz with H2O_FILE_FLAG_SEND_COMPRESSED | H2O_FILE_FLAG_GUNZIP
 *   /noetag/         DOCROOT with H2O_FILE_FLAG_NO_ETAG
 *   /idx/            DOCROOT/sub with index files {"start.txt"} and a mimemap defining .foo
 *   /decline/        DOCROOT/sub, then a handler answering "fallback" (a missing file declines)
 *   /dyn/            DOCROOT/dyn with a map whose ".dyn" files go to a dynamic type's handler, which
 *                    answers with what req->filereq tells it (script name, path info, local path)
 *   /                DOCROOT, default index files, no flags
 */
#include "e2e_server.h"

static char sent_path[4096];

static int on_quit(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    e2e_quit = 1;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, H2O_STRLIT("bye\n"));
    return 0;
}

static int on_send(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (h2o_file_send(req, 203, "Sent", sent_path, h2o_iovec_init(H2O_STRLIT("text/x-sent")), 0) != 0) {
        req->res.status = 500;
        req->res.reason = "Internal Server Error";
        h2o_send_inline(req, H2O_STRLIT("h2o_file_send failed\n"));
    }
    return 0;
}

static int on_fallback(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, H2O_STRLIT("fallback\n"));
    return 0;
}

static int on_dynamic(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    h2o_filereq_t *f = req->filereq;
    char buf[4096];
    int n = snprintf(buf, sizeof(buf), "%.*s script=%.*s info=%.*s local=%.*s\n", (int)req->method.len, req->method.base,
                     (int)f->script_name.len, f->script_name.base != NULL ? f->script_name.base : "", (int)f->path_info.len,
                     f->path_info.base != NULL ? f->path_info.base : "", (int)f->local_path.len, f->local_path.base);
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_send_inline(req, buf, (size_t)n);
    return 0;
}

static char *joined(const char *a, const char *b)
{
    static char bufs[8][4096];
    static int n;
    char *p = bufs[n++ % 8];
    snprintf(p, sizeof(bufs[0]), "%s%s", a, b);
    return p;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_pathconf_t *pathconf;

    e2e_init(argc, argv, 1, "DOCROOT");
    const char *root = argv[3];
    snprintf(sent_path, sizeof(sent_path), "%s/a.txt", root);

    host = h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);

    h2o_create_handler(h2o_config_register_path(host, "/quit", 0), sizeof(h2o_handler_t))->on_req = on_quit;
    h2o_create_handler(h2o_config_register_path(host, "/send", 0), sizeof(h2o_handler_t))->on_req = on_send;

    /* a specific file with a type of its own map */
    h2o_mimemap_t *onemap = h2o_mimemap_create();
    h2o_mimemap_define_mimetype(onemap, "one", "text/x-one", NULL);
    h2o_file_register_file(h2o_config_register_path(host, "/one", 0), joined(root, "/a.txt"),
                           h2o_mimemap_get_type_by_extension(onemap, h2o_iovec_init(H2O_STRLIT("one"))), 0);
    h2o_mem_release_shared(onemap); /* the handler keeps its own reference to the type */

    h2o_file_register(h2o_config_register_path(host, "/listing", 0), joined(root, "/sub"), NULL, NULL,
                      H2O_FILE_FLAG_DIR_LISTING);
    h2o_file_register(h2o_config_register_path(host, "/gz", 0), joined(root, "/gz"), NULL, NULL, H2O_FILE_FLAG_SEND_COMPRESSED);
    h2o_file_register(h2o_config_register_path(host, "/gunzip", 0), joined(root, "/gz"), NULL, NULL,
                      H2O_FILE_FLAG_SEND_COMPRESSED | H2O_FILE_FLAG_GUNZIP);
    h2o_file_register(h2o_config_register_path(host, "/noetag", 0), root, NULL, NULL, H2O_FILE_FLAG_NO_ETAG);

    /* own index files and an own map (the handler holds a reference; ours is dropped at once) */
    static const char *idx[] = {"start.txt", NULL};
    h2o_mimemap_t *map = h2o_mimemap_create();
    h2o_mimemap_define_mimetype(map, "foo", "application/x-foo", NULL);
    h2o_file_handler_t *fh = h2o_file_register(h2o_config_register_path(host, "/idx", 0), joined(root, "/sub/"), idx, map, 0);
    if (h2o_file_get_mimemap(fh) != map) {
        fprintf(stderr, "h2o_file_get_mimemap did not return the map given\n");
        return 1;
    }
    h2o_mem_release_shared(map);

    /* a dynamic type: ".dyn" files are handed to on_dynamic */
    h2o_mimemap_t *dynmap = h2o_mimemap_create();
    static const char *dynexts[] = {"dyn", NULL};
    h2o_mimemap_type_t *dyn = h2o_mimemap_define_dynamic(dynmap, dynexts, &e2e_config);
    h2o_create_handler(&dyn->data.dynamic.pathconf, sizeof(h2o_handler_t))->on_req = on_dynamic;
    h2o_file_register(h2o_config_register_path(host, "/dyn", 0), joined(root, "/dyn"), NULL, dynmap, 0);
    h2o_mem_release_shared(dynmap);

    pathconf = h2o_config_register_path(host, "/decline", 0);
    h2o_file_register(pathconf, joined(root, "/sub"), NULL, NULL, 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_fallback;

    h2o_file_register(h2o_config_register_path(host, "/", 0), root, NULL, NULL, 0);

    if ((loop = e2e_listen()) == NULL)
        return 1;
    e2e_serve(loop, 10, 0);
    return e2e_finish(loop, "file_serve");
}
