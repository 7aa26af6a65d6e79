/*
 * A 2.2.5-style embedder with access logs, for access_log_curl.sh: serves on 127.0.0.1 (port 0;
 * the port is written to argv[1]) until a request for /quit or argv[2] seconds have passed, and
 * logs every request under argv[3] as H2O's examples/libh2o/simple.c does
 * (h2o_access_log_register(pathconf, h2o_access_log_open_handle(path, fmt, escape))):
 *   default.log  the default format (fmt NULL)
 *   custom.log   the timings, status, bytes, user agent, content type and request fields
 *   json.log     a JSON line per request (H2O_LOGCONF_ESCAPE_JSON)
 *   piped.log    through "| cat >> piped.log"
 * Handlers: /hello (text/plain "hello\n"), /stream (a generator, four h2o_send calls, 100 ms apart),
 * /echo (the request body), /quit; anything else is 404. On exit the configuration and the
 * caller's handle references are released, so the piped command sees EOF.
 */
#include "e2e_server.h"

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    req->res.status = 200;
    req->res.reason = "OK";
    if (e2e_path_is(req, "/hello")) {
        e2e_send_text(req, H2O_STRLIT("hello\n"));
    } else if (e2e_path_is(req, "/stream")) {
        e2e_stream_start(req, "application/octet-stream");
    } else if (e2e_path_is(req, "/echo")) {
        h2o_send_inline(req, req->entity.base != NULL ? req->entity.base : "", req->entity.len);
    } else if (e2e_path_is(req, "/quit")) {
        e2e_quit = 1;
        h2o_send_inline(req, H2O_STRLIT("bye\n"));
    } else {
        return -1;
    }
    return 0;
}

static h2o_access_log_filehandle_t *open_log(const char *dir, const char *name, const char *fmt, int escape)
{
    char path[1024];
    snprintf(path, sizeof(path), name[0] == '|' ? "| cat >> %s/%s" : "%s/%s", dir, name[0] == '|' ? name + 1 : name);
    h2o_access_log_filehandle_t *fh = h2o_access_log_open_handle(path, fmt, escape);
    if (fh == NULL) {
        fprintf(stderr, "cannot open the access log %s\n", path);
        exit(1);
    }
    return fh;
}

int main(int argc, char **argv)
{
    h2o_evloop_t *loop;
    h2o_pathconf_t *pathconf;
    h2o_access_log_filehandle_t *logs[4];
    int i, status;

    e2e_init(argc, argv, 1, "LOG_DIR");
    pathconf = h2o_config_register_path(h2o_config_register_host(&e2e_config, h2o_iovec_init(H2O_STRLIT("default")), 65535), "/", 0);
    h2o_create_handler(pathconf, sizeof(h2o_handler_t))->on_req = on_req;
    logs[0] = open_log(argv[3], "default.log", NULL, H2O_LOGCONF_ESCAPE_APACHE);
    logs[1] = open_log(argv[3], "custom.log",
                       "%{duration}x %{request-total-time}x %{request-header-time}x %{request-body-time}x %{process-time}x "
                       "%{response-time}x %{connect-time}x %s %>s %b \"%{user-agent}i\" \"%{content-type}o\" %m %U %q| %H "
                       "%{remote}p %p %A %{x-missing}i %{connection-id}x %{sec}t %{http1.request-index}x",
                       H2O_LOGCONF_ESCAPE_APACHE);
    logs[2] = open_log(argv[3], "json.log",
                       "{\"status\":%s,\"path\":\"%U\",\"ua\":\"%{user-agent}i\",\"referer\":\"%{referer}i\",\"ct\":\"%{content-type}o\"}",
                       H2O_LOGCONF_ESCAPE_JSON);
    logs[3] = open_log(argv[3], "|piped.log", "%h %r %s", H2O_LOGCONF_ESCAPE_APACHE);
    for (i = 0; i != 4; ++i)
        h2o_access_log_register(pathconf, logs[i]);
    if ((loop = e2e_listen()) == NULL)
        return 1;
    h2o_timeout_init(loop, &e2e_stream_timeout, 100);
    e2e_serve(loop, 10, 0);
    h2o_timeout_dispose(loop, &e2e_stream_timeout);
    status = e2e_finish(loop, "access_log_serve");
    /* the configuration let go of its references: these are the last (the piped command sees EOF) */
    for (i = 0; i != 4; ++i)
        h2o_mem_release_shared(logs[i]);
    return status;
}
