/*
 * The file handler through the 2.2.5 API, in one process (so that valgrind sees the whole request
 * path): h2o_file_default_index_files (a copy-relocated data object), h2o_file_register with and
 * without a MIME map (the handler's reference, h2o_file_get_mimemap, index files copied),
 * h2o_file_register_file (its reference to the type), then a listener on 127.0.0.1 and a client
 * thread speaking raw HTTP/1.1 (Connection: close, so a response ends with the connection):
 * a small file, a large one (read in pieces), a range, several ranges, HEAD, 304, 404, 405, a
 * directory redirect, a .gz decompressed for H2O_FILE_FLAG_GUNZIP (when gzip(1) is there to make it),
 * and clients that hang up in the middle of a large body (the generator must let go of the file). After h2o_config_dispose the map and type are back to the caller's references.
 * Bounded: alarm(30), at most 3000 loop turns of 10 ms, 8-second client timeouts.
 */
#include "abi_http.h"

#include <stddef.h>
#include <sys/stat.h>

static h2o_globalconf_t config;
static h2o_context_t ctx;
static char root[256];
static const size_t big_size = 300000;
static int have_gzip;

static size_t refcnt(void *shared)
{
    return H2O_STRUCT_FROM_MEMBER(struct st_h2o_mem_pool_shared_entry_t, bytes, shared)->refcnt;
}

static void write_file(const char *name, size_t size, unsigned seed)
{
    char path[512];
    FILE *fp;
    size_t i;
    snprintf(path, sizeof(path), "%s/%s", root, name);
    fp = fopen(path, "w");
    for (i = 0; i < size; ++i)
        fputc('a' + (int)((i * 7 + seed) % 26), fp);
    fclose(fp);
}

/* --- the client: one request per connection, the whole response read until the server closes ---- */

struct response {
    char head[4096];
    char *body;
    size_t body_len;
    int status;
};

/* decodes a chunked body in place; 0 when it is well formed and complete */
static int dechunk(struct response *res)
{
    char *in = res->body, *end = res->body + res->body_len, *out = res->body;
    for (;;) {
        char *nl = memmem(in, (size_t)(end - in), "\r\n", 2);
        size_t n;
        if (nl == NULL)
            return -1;
        n = strtoul(in, NULL, 16);
        in = nl + 2;
        if (n == 0)
            break;
        if ((size_t)(end - in) < n + 2)
            return -1;
        memmove(out, in, n);
        out += n;
        in += n + 2;
    }
    res->body_len = (size_t)(out - res->body);
    res->body[res->body_len] = '\0';
    return 0;
}

/* sends `req` (with "Connection: close" added) and reads the response; 0 on success */
static int fetch(const char *method, const char *path, const char *extra, struct response *res)
{
    char req[1024];
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap), *end;
    int fd = abi_http_dial();
    memset(res, 0, sizeof(*res));
    if (fd < 0) {
        free(buf);
        return -1;
    }
    snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n", method, path, extra);
    abi_send_all(fd, req);
    for (;;) {
        ssize_t r;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
        r = read(fd, buf + len, cap - len);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if ((end = memmem(buf, len, "\r\n\r\n", 4)) == NULL || (size_t)(end - buf) >= sizeof(res->head)) {
        free(buf);
        return -1;
    }
    memcpy(res->head, buf, (size_t)(end - buf));
    res->head[end - buf] = '\0';
    res->status = atoi(res->head + 9);
    res->body_len = len - (size_t)(end + 4 - buf);
    res->body = malloc(res->body_len + 1);
    memcpy(res->body, end + 4, res->body_len);
    res->body[res->body_len] = '\0';
    free(buf);
    if (strcasestr(res->head, "\r\ntransfer-encoding: chunked") != NULL)
        return dechunk(res);
    return 0;
}

/* the value of header `name` (lower-case) in the response head, "" when absent */
static const char *header(struct response *res, const char *name, char *out, size_t outsz)
{
    char *p = res->head;
    size_t nlen = strlen(name);
    out[0] = '\0';
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1, *e;
            while (*v == ' ')
                ++v;
            e = strstr(v, "\r\n");
            if (e == NULL)
                e = v + strlen(v);
            snprintf(out, outsz, "%.*s", (int)(e - v), v);
            break;
        }
    }
    return out;
}

static int body_is(struct response *res, const char *name, size_t off, size_t len)
{
    char path[512];
    FILE *fp;
    char *want = malloc(len + 1);
    size_t got;
    int same;
    snprintf(path, sizeof(path), "%s/%s", root, name);
    fp = fopen(path, "r");
    fseek(fp, (long)off, SEEK_SET);
    got = fread(want, 1, len, fp);
    fclose(fp);
    same = got == len && res->body_len == len && memcmp(res->body, want, len) == 0;
    free(want);
    return same;
}

/* asks for the large file and hangs up after the first bytes of the body */
static void hang_up_early(const char *extra)
{
    char req[512], buf[4096];
    int fd = abi_http_dial();
    if (fd < 0)
        return;
    snprintf(req, sizeof(req), "GET /big.txt HTTP/1.1\r\nHost: localhost\r\n%s\r\n", extra);
    abi_send_all(fd, req);
    (void)read(fd, buf, sizeof(buf));
    close(fd);
}

static void *client_main(void *arg)
{
    struct response res;
    char v[256], etag[64];
    (void)arg;

    CHECK(fetch("GET", "/small.txt", "", &res) == 0 && res.status == 200, "GET small: %d", res.status);
    CHECK(body_is(&res, "small.txt", 0, 100), "small body");
    CHECK(strcmp(header(&res, "content-type", v, sizeof(v)), "text/plain") == 0, "content-type %s", v);
    snprintf(etag, sizeof(etag), "%s", header(&res, "etag", v, sizeof(v)));
    CHECK(etag[0] == '"', "etag %s", etag);
    free(res.body);

    CHECK(fetch("GET", "/big.txt", "", &res) == 0 && res.status == 200, "GET big: %d", res.status);
    CHECK(body_is(&res, "big.txt", 0, big_size), "big body (%zu bytes)", res.body_len);
    free(res.body);

    CHECK(fetch("GET", "/big.txt", "Range: bytes=100000-200009\r\n", &res) == 0 && res.status == 206, "range: %d", res.status);
    CHECK(body_is(&res, "big.txt", 100000, 100010), "range body");
    CHECK(strcmp(header(&res, "content-range", v, sizeof(v)), "bytes 100000-200009/300000") == 0, "content-range %s", v);
    free(res.body);

    CHECK(fetch("GET", "/big.txt", "Range: bytes=0-69999,-70000\r\n", &res) == 0 && res.status == 206, "ranges: %d", res.status);
    CHECK(strncmp(header(&res, "content-type", v, sizeof(v)), "multipart/byteranges; boundary=", 31) == 0, "multipart %s", v);
    CHECK(res.body_len > 140000 && (size_t)atol(header(&res, "content-length", v, sizeof(v))) == res.body_len, "multipart length %zu",
          res.body_len);
    free(res.body);

    CHECK(fetch("HEAD", "/big.txt", "", &res) == 0 && res.status == 200 && res.body_len == 0, "HEAD: %d, %zu bytes", res.status,
          res.body_len);
    CHECK(strcmp(header(&res, "content-length", v, sizeof(v)), "300000") == 0, "HEAD content-length %s", v);
    free(res.body);

    {
        char cond[128];
        snprintf(cond, sizeof(cond), "If-None-Match: %s\r\n", etag);
        CHECK(fetch("GET", "/small.txt", cond, &res) == 0 && res.status == 304 && res.body_len == 0, "304: %d", res.status);
        free(res.body);
    }
    CHECK(fetch("GET", "/none.txt", "", &res) == 0 && res.status == 404, "404: %d", res.status);
    free(res.body);
    CHECK(fetch("POST", "/small.txt", "Content-Length: 0\r\n", &res) == 0 && res.status == 405, "405: %d", res.status);
    CHECK(strcmp(header(&res, "allow", v, sizeof(v)), "GET, HEAD") == 0, "allow %s", v);
    free(res.body);
    CHECK(fetch("GET", "/dir", "", &res) == 0 && res.status == 301, "301: %d", res.status);
    CHECK(strcmp(header(&res, "location", v, sizeof(v)), "/dir/") == 0, "location %s", v);
    free(res.body);
    CHECK(fetch("GET", "/dir/", "", &res) == 0 && res.status == 200 && strcmp(res.body, "start") == 0, "own index file: %d %s",
          res.status, res.body);
    free(res.body);
    CHECK(fetch("GET", "/one/x", "", &res) == 0 && res.status == 200, "register_file: %d", res.status);
    CHECK(strcmp(header(&res, "content-type", v, sizeof(v)), "text/x-one") == 0, "register_file type %s", v);
    free(res.body);

    if (have_gzip) {
        /* H2O_FILE_FLAG_GUNZIP: only bigz.txt.gz exists; a client not taking gzip gets it decompressed */
        CHECK(fetch("GET", "/gz/bigz.txt", "", &res) == 0 && res.status == 200, "gunzip: %d", res.status);
        CHECK(body_is(&res, "big.txt", 0, big_size), "gunzip body (%zu bytes)", res.body_len);
        CHECK(strcmp(header(&res, "content-encoding", v, sizeof(v)), "") == 0, "no content-encoding: %s", v);
        free(res.body);
        CHECK(fetch("GET", "/gz/bigz.txt", "Accept-Encoding: gzip\r\n", &res) == 0 && res.status == 200, "gzip variant: %d", res.status);
        CHECK(strcmp(header(&res, "content-encoding", v, sizeof(v)), "gzip") == 0, "content-encoding: %s", v);
        free(res.body);
        int fd = abi_http_dial();
        if (fd >= 0) { /* hang up in the middle of a decompressed body */
            char buf[4096];
            abi_send_all(fd, "GET /gz/bigz.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
            (void)read(fd, buf, sizeof(buf));
            close(fd);
        }
    }

    hang_up_early("");
    hang_up_early("Range: bytes=0-9,20-299999\r\n");

    abi_http_client_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_file_register), ABI_FN(h2o_file_register_file), ABI_FN(h2o_file_get_mimemap),
                                        ABI_FN(h2o_file_send)};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_socket_t *listener;
    int i;
    char path[1024];

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    alarm(30);
    signal(SIGPIPE, SIG_IGN);

    CHECK(h2o_file_default_index_files != NULL && strcmp(h2o_file_default_index_files[0], "index.html") == 0 &&
              strcmp(h2o_file_default_index_files[1], "index.htm") == 0 && strcmp(h2o_file_default_index_files[2], "index.txt") == 0 &&
              h2o_file_default_index_files[3] == NULL,
          "the default index files");

    snprintf(root, sizeof(root), "/tmp/abi-file-%d", (int)getpid());
    mkdir(root, 0755);
    snprintf(path, sizeof(path), "%s/dir", root);
    mkdir(path, 0755);
    write_file("small.txt", 100, 1);
    write_file("big.txt", big_size, 2);
    snprintf(path, sizeof(path), "command -v gzip >/dev/null && gzip -c '%s/big.txt' > '%s/bigz.txt.gz'", root, root);
    have_gzip = system(path) == 0;
    snprintf(path, sizeof(path), "%s/dir/start.txt", root);
    FILE *fp = fopen(path, "w");
    fputs("start", fp);
    fclose(fp);

    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);

    /* a map of ours: the handler takes a reference, h2o_file_get_mimemap gives it back */
    h2o_mimemap_t *map = h2o_mimemap_create();
    h2o_mimemap_define_mimetype(map, "one", "text/x-one", NULL);
    h2o_mimemap_type_t *one = h2o_mimemap_get_type_by_extension(map, h2o_iovec_init(H2O_STRLIT("one")));
    size_t map_refs = refcnt(map), type_refs = refcnt(one);
    snprintf(path, sizeof(path), "%s/small.txt", root);
    h2o_file_register_file(h2o_config_register_path(host, "/one", 0), path, one, 0);
    CHECK(refcnt(one) == type_refs + 1, "register_file holds a reference to the type (%zu -> %zu)", type_refs, refcnt(one));

    char idx0[] = "start.txt";
    const char *idx[] = {idx0, NULL};
    snprintf(path, sizeof(path), "%s/dir", root);
    h2o_file_handler_t *fh = h2o_file_register(h2o_config_register_path(host, "/dir", 0), path, idx, map, 0);
    idx0[0] = 'X'; /* the handler copied its index files */
    CHECK(h2o_file_get_mimemap(fh) == map, "h2o_file_get_mimemap returns the map given");
    CHECK(refcnt(map) == map_refs + 1, "the handler holds a reference to the map (%zu -> %zu)", map_refs, refcnt(map));

    h2o_file_register(h2o_config_register_path(host, "/gz", 0), root, NULL, NULL, H2O_FILE_FLAG_SEND_COMPRESSED | H2O_FILE_FLAG_GUNZIP);

    /* no map: the handler makes its own default one */
    fh = h2o_file_register(h2o_config_register_path(host, "/", 0), root, NULL, NULL, 0);
    CHECK(h2o_file_get_mimemap(fh) != NULL && h2o_file_get_mimemap(fh) != map, "a default map of its own");

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    listener = abi_http_listen(&ctx);
    CHECK(listener != NULL, "listen on 127.0.0.1");
    if (listener != NULL)
        abi_http_serve(loop, listener, client_main, 3000);
    for (i = 0; i < 30; ++i) /* more time to see the hang-ups (50 turns of 5 ms with abi_http_serve's) */
        h2o_evloop_run(loop, 5);
    CHECK(abi_http_client_done, "the client finished");
    CHECK(ctx.emitted_error_status[H2O_STATUS_ERROR_405] == 1, "one 405 counted");

    h2o_context_dispose(&ctx);
    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    CHECK(refcnt(map) == map_refs && refcnt(one) == type_refs, "references given back (map %zu, type %zu)", refcnt(map), refcnt(one));
    h2o_mem_release_shared(map);

    snprintf(path, sizeof(path), "rm -rf '%s'", root);
    CHECK(system(path) == 0, "cleanup");
    return abi_report("test_file");
}
