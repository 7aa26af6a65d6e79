/*
 * A 2.2.5-style handler that reads the request as libh2o filled it in and writes it back as text:
 * method, path, path_normalized, query_at, authority, scheme, version, the body size, every header
 * (lower-cased name, orig_name, whether the name is a token) and lookups through h2o_find_header,
 * h2o_find_header_by_str and h2o_lookup_token. Response headers are set through h2o_add_header,
 * h2o_add_header_by_str, h2o_set_header and h2o_set_header_token.
 *   /inspect...    the dump (text/plain)
 * Driven by embedder_headers.sh (curl, and embedder_client.py header-forms).
 */
#include <stdarg.h>

#include "serve.h"

struct out {
    char *buf;
    size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

static int on_inspect(h2o_handler_t *self, h2o_req_t *req)
{
    struct out o;
    size_t i;
    ssize_t cursor;
    int dups = 0;
    const h2o_token_t *tok;
    (void)self;

    o.cap = 4096 + req->path.len + req->authority.len;
    for (i = 0; i != req->headers.size; ++i)
        o.cap += 64 + 2 * req->headers.entries[i].name->len + req->headers.entries[i].value.len;
    o.buf = h2o_mem_alloc_pool(&req->pool, o.cap);
    o.len = 0;
    outf(&o, "method: %.*s\n", (int)req->method.len, req->method.base);
    outf(&o, "path: %.*s\n", (int)req->path.len, req->path.base);
    outf(&o, "path_normalized: %.*s\n", (int)req->path_normalized.len, req->path_normalized.base);
    if (req->query_at == SIZE_MAX)
        outf(&o, "query_at: none\n");
    else
        outf(&o, "query_at: %zu\n", req->query_at);
    outf(&o, "authority: %.*s\n", (int)req->authority.len, req->authority.base);
    outf(&o, "scheme: %.*s%s\n", (int)req->scheme->name.len, req->scheme->name.base,
         req->scheme == &H2O_URL_SCHEME_HTTP ? " (H2O_URL_SCHEME_HTTP)" : "");
    outf(&o, "version: 0x%x\n", req->version);
    outf(&o, "entity: %zu bytes\n", req->entity.len);
    outf(&o, "headers: %zu\n", req->headers.size);
    for (i = 0; i != req->headers.size; ++i) {
        const h2o_header_t *h = req->headers.entries + i;
        outf(&o, "%.*s (orig %.*s, %s): %.*s\n", (int)h->name->len, h->name->base, (int)h->name->len,
             h->orig_name != NULL ? h->orig_name : "(null)", h2o_iovec_is_token(h->name) ? "a token" : "not a token",
             (int)h->value.len, h->value.base);
    }
    if ((cursor = h2o_find_header(&req->headers, H2O_TOKEN_USER_AGENT, -1)) != -1)
        outf(&o, "find user-agent: %.*s\n", (int)req->headers.entries[cursor].value.len, req->headers.entries[cursor].value.base);
    for (cursor = -1; (cursor = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-dup"), cursor)) != -1;)
        ++dups;
    outf(&o, "find x-dup: %d\n", dups);
    tok = h2o_lookup_token(H2O_STRLIT("accept-encoding"));
    outf(&o, "lookup accept-encoding: %s\n", tok == H2O_TOKEN_ACCEPT_ENCODING ? "H2O_TOKEN_ACCEPT_ENCODING" : "?");

    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain; charset=utf-8"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-inspected"), 0, "X-Inspected", H2O_STRLIT("1"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-inspected"), 0, NULL, H2O_STRLIT("2"));
    h2o_set_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-inspected"), 0, H2O_STRLIT("replaced"), 1);
    h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY, H2O_STRLIT("accept"));
    h2o_set_header_token(&req->pool, &req->res.headers, H2O_TOKEN_VARY, H2O_STRLIT("user-agent"));
    h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, H2O_STRLIT("no-store"), 0);
    h2o_send_inline(req, o.buf, o.len);
    return 0;
}

int main(void)
{
    serve_init();
    serve_register("/inspect", on_inspect);
    return serve_run(NULL);
}
