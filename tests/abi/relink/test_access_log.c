/*
 * Access logs (h2o.h) as an embedder uses them: h2o_logconf_compile / h2o_log_request on a request
 * built by hand (token headers from the executable's h2o__tokens, a connection with address
 * callbacks), the line in the caller's buffer or in a malloc()ed one the caller frees, the error
 * messages of bad formats; h2o_access_log_open_log to a file and to "| command";
 * h2o_access_log_open_handle + h2o_access_log_register on a pathconf: the logger's log_access writes
 * a line per call, h2o_config_dispose drops the logger's reference to the handle and
 * h2o_mem_release_shared the caller's, after which the pipe is closed (the command sees EOF);
 * h2o_stringify_protocol_version and the h2o_time_compute_* helpers. Same results on Debian's 2.2.5.
 */
#include "abi_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <time.h>

#include <h2o.h>

static char tmpdir[] = "/tmp/abi-access-log-XXXXXX";

static socklen_t get_peername(h2o_conn_t *conn, struct sockaddr *sa)
{
    struct sockaddr_in *sin = (void *)sa;
    (void)conn;
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons(54321);
    sin->sin_addr.s_addr = htonl(0x7f000001);
    return sizeof(*sin);
}

static socklen_t get_sockname_fails(h2o_conn_t *conn, struct sockaddr *sa)
{
    (void)conn;
    (void)sa;
    return 0;
}

static h2o_iovec_t request_index(h2o_req_t *req)
{
    (void)req;
    return h2o_iovec_init(H2O_STRLIT("3"));
}

static h2o_conn_callbacks_t callbacks;
static h2o_conn_t conn;
static h2o_hostconf_t hostconf;
static h2o_timestamp_string_t ts = {"Wed, 01 Jan 2020 00:00:00 GMT", "01/Jan/2020:09:00:00 +0900"};

/* a GET with a query, two token headers and one string header, a 200 with a Set-Cookie pair */
static void make_request(h2o_req_t *req)
{
    memset(req, 0, sizeof(*req));
    h2o_mem_init_pool(&req->pool);
    callbacks.get_peername = get_peername;
    callbacks.get_sockname = get_sockname_fails;
    callbacks.log_.http1.request_index = request_index;
    conn.callbacks = &callbacks;
    conn.id = 77;
    conn.connected_at = (struct timeval){1577836790, 0};
    hostconf.authority.hostport = h2o_iovec_init(H2O_STRLIT("example.com:8080"));
    req->conn = &conn;
    req->hostconf = &hostconf;
    req->input.method = h2o_iovec_init(H2O_STRLIT("GET"));
    req->input.path = h2o_iovec_init(H2O_STRLIT("/a b/\"q\"?x=1&y=\xc3\xa9"));
    req->input.query_at = 8;
    req->input.authority = h2o_iovec_init(H2O_STRLIT("example.com"));
    req->version = 0x101;
    req->res.status = 200;
    req->res.original.status = 200;
    req->bytes_sent = 5120;
    h2o_add_header(&req->pool, &req->headers, H2O_TOKEN_USER_AGENT, NULL, H2O_STRLIT("curl/7.88 \"test\""));
    h2o_add_header(&req->pool, &req->headers, H2O_TOKEN_REFERER, NULL, H2O_STRLIT("http://r/"));
    h2o_add_header_by_str(&req->pool, &req->headers, H2O_STRLIT("x-trace"), 0, NULL, H2O_STRLIT("t-1"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, H2O_STRLIT("a=1"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, H2O_STRLIT("b=2"));
    req->processed_at.at = (struct timeval){1577836800, 250000};
    req->processed_at.str = &ts;
    req->timestamps.request_begin_at = (struct timeval){1577836799, 750000};
    req->timestamps.response_start_at = (struct timeval){1577836800, 500000};
    req->timestamps.response_end_at = (struct timeval){1577836801, 0};
}

/* the line of `fmt` through a buffer of `room` bytes (NUL-terminated copy in `out`) */
static int log_line(const char *fmt, int escape, h2o_req_t *req, size_t room, char *out, size_t outsz)
{
    char errbuf[256], buf[4096];
    h2o_logconf_t *lc = h2o_logconf_compile(fmt, escape, errbuf);
    CHECK(lc != NULL, "compile \"%s\": %s", fmt, lc == NULL ? errbuf : "");
    if (lc == NULL)
        return 0;
    size_t len = room;
    char *line = h2o_log_request(lc, req, &len, buf);
    CHECK(line != NULL, "a line");
    if (room >= len)
        CHECK(line == buf, "a %zu-byte line fits in %zu bytes: the caller's buffer is used", len, room);
    else
        CHECK(line != buf, "a %zu-byte line does not fit in %zu bytes: a new buffer", len, room);
    snprintf(out, outsz, "%.*s", (int)len, line);
    if (line != buf)
        free(line); /* as 2.2.5's own access logger does */
    h2o_logconf_dispose(lc);
    return 1;
}

#define CHECK_LINE(fmt, escape, room, want)                                                                            \
    do {                                                                                                               \
        char got_[4096];                                                                                               \
        if (log_line((fmt), (escape), &req, (room), got_, sizeof(got_)))                                               \
            CHECK(strcmp(got_, (want)) == 0, "format \"%s\":\n  got  \"%s\"\n  want \"%s\"", (fmt), got_, (want));     \
    } while (0)

static void test_formats(void)
{
    h2o_req_t req;
    make_request(&req);
    setenv("TZ", "XST-9", 1);
    tzset();

    CHECK_LINE("%h %l %u %t \"%r\" %s %b \"%{Referer}i\" \"%{User-agent}i\"", H2O_LOGCONF_ESCAPE_APACHE, 4096,
               "127.0.0.1 - - [01/Jan/2020:09:00:00 +0900] \"GET /a b/\\x22q\\x22?x=1&y=\\xc3\\xa9 HTTP/1.1\" 200 5120 "
               "\"http://r/\" \"curl/7.88 \\x22test\\x22\"\n");
    CHECK_LINE("%h %l %u %t \"%r\" %s %b", H2O_LOGCONF_ESCAPE_APACHE, 8,
               "127.0.0.1 - - [01/Jan/2020:09:00:00 +0900] \"GET /a b/\\x22q\\x22?x=1&y=\\xc3\\xa9 HTTP/1.1\" 200 5120\n");
    CHECK_LINE("%A:%p %{remote}p %m %U %q %H %V %v", H2O_LOGCONF_ESCAPE_APACHE, 4096,
               "-:- 54321 GET /a b/\\x22q\\x22 ?x=1&y=\\xc3\\xa9 HTTP/1.1 example.com example.com:8080\n");
    CHECK_LINE("%{content-type}o|%{set-cookie}o|%{x-trace}i|%{X-Trace}i|%{x-none}o|%<s %>s", H2O_LOGCONF_ESCAPE_APACHE, 4096,
               "text/html|a=1, b=2|t-1|t-1|-|200 200\n");
    CHECK_LINE("%{sec}t %{msec}t %{usec}t %{msec_frac}t %{usec_frac}t %{%Y-%m-%d %H:%M:%S}t", H2O_LOGCONF_ESCAPE_APACHE, 4096,
               "1577836800 1577836800250 1577836800250000 250 250000 2020-01-01 09:00:00\n");
    CHECK_LINE("%{connect-time}x %{request-header-time}x %{request-body-time}x %{request-total-time}x %{process-time}x "
               "%{response-time}x %{duration}x %{connection-id}x",
               H2O_LOGCONF_ESCAPE_APACHE, 4096, "9.750000 0.500000 0 0.500000 0.250000 0.500000 1.250000 77\n");
    CHECK_LINE("%{http1.request-index}x %{http2.stream-id}x %{ssl.cipher}x %{error}x|", H2O_LOGCONF_ESCAPE_APACHE, 4096, "3 - - |\n");
    CHECK_LINE("{\"ua\":\"%{user-agent}i\",\"ref\":\"%{x-none}i\",\"local\":\"%A\",\"s\":%s}", H2O_LOGCONF_ESCAPE_JSON, 16,
               "{\"ua\":\"curl/7.88 \\\"test\\\"\",\"ref\":null,\"local\":\"null\",\"s\":200}\n");
    CHECK_LINE("100%% %r", H2O_LOGCONF_ESCAPE_JSON, 1, "100% GET /a b/\\\"q\\\"?x=1&y=\\u00c3\\u00a9 HTTP/1.1\n");

    /* bad formats: NULL and 2.2.5's messages */
    static const struct {
        const char *fmt, *msg;
    } bad[] = {{"%Z", "failed to compile log format: unknown escape sequence: %Z"},
               {"%{Referer", "failed to compile log format: unterminated header name starting at: \"         Referer\""},
               {"%{host}p", "failed to compile log format: unknown specifier for %{...}p"},
               {"%{host}y", "failed to compile log format: header name is not followed by either `i`, `o`, `x`, `e`"}};
    for (size_t i = 0; i != sizeof(bad) / sizeof(bad[0]); ++i) {
        char errbuf[256] = "";
        h2o_logconf_t *lc = h2o_logconf_compile(bad[i].fmt, H2O_LOGCONF_ESCAPE_APACHE, errbuf);
        CHECK(lc == NULL, "\"%s\" is refused", bad[i].fmt);
        CHECK(strcmp(errbuf, bad[i].msg) == 0, "\"%s\": \"%s\"", bad[i].fmt, errbuf);
        if (lc != NULL)
            h2o_logconf_dispose(lc);
    }

    char v[16];
    CHECK(h2o_stringify_protocol_version(v, 0x100) == 8 && strcmp(v, "HTTP/1.0") == 0, "%s", v);
    CHECK(h2o_stringify_protocol_version(v, 0x101) == 8 && strcmp(v, "HTTP/1.1") == 0, "%s", v);
    CHECK(h2o_stringify_protocol_version(v, 0x200) == 6 && strcmp(v, "HTTP/2") == 0, "%s", v);

    int64_t d = -1;
    CHECK(h2o_time_compute_duration(&req, &d) == 1 && d == 1250000, "duration %lld", (long long)d);
    CHECK(h2o_time_compute_connect_time(&req, &d) == 1 && d == 9750000, "connect %lld", (long long)d);
    req.timestamps.response_end_at = (struct timeval){0, 0};
    CHECK(h2o_time_compute_response_time(&req, &d) == 0, "no response end: no response time");
    h2o_mem_clear_pool(&req.pool);
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    buf[0] = '\0';
    if (fd == -1)
        return 0;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return n > 0 ? (size_t)n : 0;
}

/* waits (at most 5 s) until `path` holds `want` */
static int wait_for_file(const char *path, const char *want)
{
    char got[4096];
    for (int i = 0; i != 500; ++i) {
        read_file(path, got, sizeof(got));
        if (strcmp(got, want) == 0)
            return 1;
        usleep(10000);
    }
    fprintf(stderr, "  %s holds \"%s\", want \"%s\"\n", path, got, want);
    return 0;
}

static void test_open_log(void)
{
    char path[512], cmd[1100], got[256];

    /* a file: created 0644, appended to */
    snprintf(path, sizeof(path), "%s/plain.log", tmpdir);
    int fd = h2o_access_log_open_log(path);
    CHECK(fd >= 0, "open %s", path);
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "close-on-exec");
    CHECK(write(fd, "one\n", 4) == 4, "write");
    close(fd);
    fd = h2o_access_log_open_log(path);
    CHECK(write(fd, "two\n", 4) == 4, "write");
    close(fd);
    read_file(path, got, sizeof(got));
    CHECK(strcmp(got, "one\ntwo\n") == 0, "appended: \"%s\"", got);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0644 & ~(mode_t)022), "mode %o", st.st_mode & 0777);

    /* "| command": a pipe into /bin/sh -c command */
    snprintf(path, sizeof(path), "%s/pipe.log", tmpdir);
    snprintf(cmd, sizeof(cmd), "| cat > %s; echo eof >> %s", path, path);
    fd = h2o_access_log_open_log(cmd);
    CHECK(fd >= 0, "open %s", cmd);
    CHECK(write(fd, "piped\n", 6) == 6, "write");
    close(fd);
    CHECK(wait_for_file(path, "piped\neof\n"), "the command got the line, then EOF");

    /* failures: -1 (and a message on stderr) */
    CHECK(h2o_access_log_open_log("/nonexistent-dir/x.log") == -1, "no such directory");
    CHECK(h2o_access_log_open_handle("/nonexistent-dir/x.log", NULL, H2O_LOGCONF_ESCAPE_APACHE) == NULL, "no handle");
    snprintf(path, sizeof(path), "%s/never.log", tmpdir);
    CHECK(h2o_access_log_open_handle(path, "%Z", H2O_LOGCONF_ESCAPE_APACHE) == NULL, "a bad format: no handle");
    CHECK(access(path, F_OK) != 0, "a bad format opens no file");
}

static void test_logger(void)
{
    static h2o_globalconf_t config;
    char path[512], cmd[1100], file_path[512];
    h2o_req_t req;

    snprintf(path, sizeof(path), "%s/logger.log", tmpdir);
    snprintf(cmd, sizeof(cmd), "| cat > %s; echo eof >> %s", path, path);
    snprintf(file_path, sizeof(file_path), "%s/default.log", tmpdir);
    h2o_access_log_filehandle_t *piped = h2o_access_log_open_handle(cmd, "%s %{user-agent}i %{content-type}o", H2O_LOGCONF_ESCAPE_APACHE);
    h2o_access_log_filehandle_t *deflt = h2o_access_log_open_handle(file_path, NULL, H2O_LOGCONF_ESCAPE_APACHE);
    CHECK(piped != NULL && deflt != NULL, "handles");
    if (piped == NULL || deflt == NULL)
        return;

    h2o_config_init(&config);
    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    size_t before = pathconf->loggers.size;
    h2o_logger_t *l1 = h2o_access_log_register(pathconf, piped);
    h2o_logger_t *l2 = h2o_access_log_register(pathconf, deflt);
    CHECK(l1 != NULL && l2 != NULL && pathconf->loggers.size == before + 2, "two loggers on the path");
    CHECK(pathconf->loggers.entries[before] == l1 && pathconf->loggers.entries[before + 1] == l2, "in order");
    CHECK(l1->log_access != NULL && l1->dispose != NULL, "callbacks set");

    make_request(&req);
    l1->log_access(l1, &req);
    l2->log_access(l2, &req);
    req.res.status = 404;
    l1->log_access(l1, &req);
    h2o_mem_clear_pool(&req.pool);

    char got[4096];
    read_file(file_path, got, sizeof(got));
    CHECK(strcmp(got, "127.0.0.1 - - [01/Jan/2020:09:00:00 +0900] \"GET /a b/\\x22q\\x22?x=1&y=\\xc3\\xa9 HTTP/1.1\" 200 5120 "
                      "\"http://r/\" \"curl/7.88 \\x22test\\x22\"\n") == 0,
          "the default format: \"%s\"", got);

    /* both the configuration (through the logger) and the caller hold the piped handle */
    h2o_config_dispose(&config);
    usleep(50000);
    read_file(path, got, sizeof(got));
    CHECK(strstr(got, "eof") == NULL, "the caller's reference keeps the pipe open: \"%s\"", got);
    h2o_mem_release_shared(piped);
    h2o_mem_release_shared(deflt);
    CHECK(wait_for_file(path, "200 curl/7.88 \\x22test\\x22 text/html\n404 curl/7.88 \\x22test\\x22 text/html\neof\n"),
          "the lines, then EOF once the last reference is gone");
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_logconf_compile), ABI_FN(h2o_log_request), ABI_FN(h2o_access_log_open_handle),
                                        ABI_FN(h2o_access_log_register), ABI_FN(h2o_access_log_open_log)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    umask(022);
    test_formats();
    test_open_log();
    test_logger();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return abi_report("test_access_log");
}
