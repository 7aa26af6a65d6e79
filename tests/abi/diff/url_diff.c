/*
 * Differential test of h2o/url.h: our library against Debian's libh2o-evloop 2.2.5, both dlopen()ed
 * (RTLD_LOCAL) into this process, on many generated paths and URLs. Every output is compared.
 *
 *   url-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/un.h>
#include "diff.h"

typedef struct {
    iovec_t name;
    uint16_t default_port;
} scheme_t;
typedef struct {
    const scheme_t *scheme;
    iovec_t authority, host, path;
    uint16_t _port;
} url_t;

struct lib {
    const char *name;
    void *handle;
    void (*init_pool)(pool_t *);
    void (*clear_pool)(pool_t *);
    iovec_t (*normalize_path)(pool_t *, const char *, size_t, size_t *, size_t **);
    int (*parse)(const char *, size_t, url_t *);
    int (*parse_relative)(const char *, size_t, url_t *);
    const char *(*parse_hostport)(const char *, size_t, iovec_t *, uint16_t *);
    iovec_t (*resolve)(pool_t *, const url_t *, const url_t *, url_t *);
    void (*resolve_path)(iovec_t *, iovec_t *);
    const char *(*host_to_sun)(iovec_t, struct sockaddr_un *);
    const char **err_not_unix;
    const scheme_t *http, *https;
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    l->name = path;
    l->handle = h;
#define SYM(field, sym) DIFF_SYM(h, path, l->field, sym)
    SYM(init_pool, "h2o_mem_init_pool");
    SYM(clear_pool, "h2o_mem_clear_pool");
    SYM(normalize_path, "h2o_url_normalize_path");
    SYM(parse, "h2o_url_parse");
    SYM(parse_relative, "h2o_url_parse_relative");
    SYM(parse_hostport, "h2o_url_parse_hostport");
    SYM(resolve, "h2o_url_resolve");
    SYM(resolve_path, "h2o_url_resolve_path");
    SYM(host_to_sun, "h2o_url_host_to_sun");
    SYM(err_not_unix, "h2o_url_host_to_sun_err_is_not_unix_socket");
    SYM(http, "H2O_URL_SCHEME_HTTP");
    SYM(https, "H2O_URL_SCHEME_HTTPS");
#undef SYM
    return 0;
}

/* a path made of the pieces normalization cares about */
static size_t gen_path(char *buf, size_t cap)
{
    static const char *pieces[] = {"/",   "/",   ".",   "..",  "/.",  "/..", "%2e", "%2E", "%2f", "%2F", "%",   "%4",
                                   "%41", "%zz", "a",   "bc",  "?",   "?x",  "#",   ";",   "%3f", "%00", "//",  "x.y",
                                   "%%",  "%e",  "..."};
    size_t len = 0, n = rnd() % 12, i;
    if (rnd() % 4 == 0 && len < cap)
        buf[len++] = '/';
    for (i = 0; i != n; ++i) {
        const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
        size_t pl = strlen(p);
        if (rnd() % 16 == 0) {
            p = (const char[]){(char)rnd()};
            pl = 1;
        }
        if (len + pl > cap)
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    return len;
}

static void check_normalize(struct lib *ours, struct lib *deb, pool_t *po, pool_t *pd, const char *in, size_t len)
{
    size_t qa = 12345, qb = 54321, *ia = (size_t *)1, *ib = (size_t *)1;
    iovec_t a = ours->normalize_path(po, in, len, &qa, &ia), b = deb->normalize_path(pd, in, len, &qb, &ib);
    int a_in = a.base >= in && a.base < in + len, b_in = b.base >= in && b.base < in + len;
    CHECK(same_bytes(a, b) && qa == qb && a_in == b_in && (!a_in || a.base == b.base) && (ia == NULL) == (ib == NULL),
          "normalize_path `%.*s`: `%.*s` q=%zu idx=%s vs `%.*s` q=%zu idx=%s", (int)len, in, (int)a.len, a.base, qa,
          ia ? "set" : "NULL", (int)b.len, b.base, qb, ib ? "set" : "NULL");
    if (ia != NULL && ib != NULL && same_bytes(a, b))
        CHECK(memcmp(ia, ib, a.len * sizeof(size_t)) == 0, "normalize_path indexes `%.*s`", (int)len, in);
}

/* a URL or reference made of the pieces parsing cares about */
static size_t gen_url(char *buf, size_t cap)
{
    static const char *pieces[] = {"http:", "https:", "HTTP:", "ftp:", "//", "/", "[", "]", "::1", ":", "80", "65535", "99999",
                                   "a",     "ex.com", "?q",    "#f",   ".",  "..", "./", "../", "unix:", "/tmp/s", "",   "@"};
    size_t len = 0, n = rnd() % 8, i;
    for (i = 0; i != n; ++i) {
        const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
        size_t pl = strlen(p);
        if (len + pl > cap)
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    return len;
}

/* the same iovec relative to each library's input (NULL, or the same offset and length) */
static int same_view(iovec_t a, iovec_t b, const char *in, size_t len)
{
    if ((a.base == NULL) != (b.base == NULL) || a.len != b.len)
        return 0;
    if (a.base == NULL)
        return 1;
    int a_in = a.base >= in && a.base <= in + len, b_in = b.base >= in && b.base <= in + len;
    if (a_in != b_in)
        return 0;
    return a_in ? a.base == b.base : memcmp(a.base, b.base, a.len) == 0;
}

static int same_scheme(struct lib *ours, struct lib *deb, const scheme_t *a, const scheme_t *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return (a == ours->http && b == deb->http) || (a == ours->https && b == deb->https);
}

static int same_url(struct lib *ours, struct lib *deb, const url_t *a, const url_t *b, const char *in, size_t len)
{
    return same_scheme(ours, deb, a->scheme, b->scheme) && same_view(a->authority, b->authority, in, len) &&
           same_view(a->host, b->host, in, len) && same_view(a->path, b->path, in, len) && a->_port == b->_port;
}

static void check_urls(struct lib *ours, struct lib *deb, pool_t *po, pool_t *pd)
{
    char in[96], in2[96];
    size_t len = gen_url(in, sizeof(in)), len2 = gen_url(in2, sizeof(in2));
    url_t ua, ub, ra, rb;
    int a = ours->parse(in, len, &ua), b = deb->parse(in, len, &ub);
    CHECK(a == b && (a != 0 || same_url(ours, deb, &ua, &ub, in, len)), "parse `%.*s` %d %d", (int)len, in, a, b);
    {
        iovec_t ha = {NULL, 0}, hb = {NULL, 0};
        uint16_t pa = 1, pb = 2;
        const char *ea = ours->parse_hostport(in, len, &ha, &pa), *eb = deb->parse_hostport(in, len, &hb, &pb);
        CHECK(ea == eb && pa == pb && (ea == NULL || same_view(ha, hb, in, len)), "parse_hostport `%.*s`", (int)len, in);
    }
    int c = ours->parse_relative(in2, len2, &ra), d = deb->parse_relative(in2, len2, &rb);
    CHECK(c == d && (c != 0 || same_url(ours, deb, &ra, &rb, in2, len2)), "parse_relative `%.*s` %d %d", (int)len2, in2, c, d);
    if (a == 0 && b == 0 && c == 0 && d == 0 && ua.path.len != 0 && ua.path.base[0] == '/') {
        url_t da, db;
        iovec_t sa = ours->resolve(po, &ua, &ra, &da), sb = deb->resolve(pd, &ub, &rb, &db);
        CHECK(same_bytes(sa, sb) && same_url(ours, deb, &da, &db, NULL, 0) && da.authority.base - sa.base == db.authority.base - sb.base &&
                  da.path.base - sa.base == db.path.base - sb.base && da.host.base - sa.base == db.host.base - sb.base,
              "resolve `%.*s` + `%.*s`: `%.*s` vs `%.*s`", (int)len, in, (int)len2, in2, (int)sa.len, sa.base, (int)sb.len, sb.base);
        sa = ours->resolve(po, &ua, NULL, &da);
        sb = deb->resolve(pd, &ub, NULL, &db);
        CHECK(same_bytes(sa, sb), "stringify `%.*s`", (int)len, in);
        iovec_t ba = ua.path, bb = ua.path, pa = ra.path, pb = ra.path;
        ours->resolve_path(&ba, &pa);
        deb->resolve_path(&bb, &pb);
        CHECK(ba.base == bb.base && ba.len == bb.len && pa.base == pb.base && pa.len == pb.len, "resolve_path");
    }
    {
        struct sockaddr_un sa, sb;
        iovec_t h = {in, len};
        memset(&sa, 0xaa, sizeof(sa));
        memset(&sb, 0xaa, sizeof(sb));
        if (len < 114) { /* 2.2.5 writes past sun_path for 114 bytes */
            const char *ea = ours->host_to_sun(h, &sa), *eb = deb->host_to_sun(h, &sb);
            CHECK((ea == NULL) == (eb == NULL) && (ea == *ours->err_not_unix) == (eb == *deb->err_not_unix) &&
                      (ea == NULL || strcmp(ea, eb) == 0) && (ea != NULL || memcmp(&sa, &sb, sizeof(sa)) == 0),
                  "host_to_sun `%.*s`", (int)len, in);
        }
    }
}

int main(int argc, char **argv)
{
    struct lib ours, deb;
    unsigned long iterations, it;
    DIFF_SETUP(load, ours, deb, normalize_path, 200000, iterations);
    CHECK(strcmp(*ours.err_not_unix, *deb.err_not_unix) == 0, "h2o_url_host_to_sun_err_is_not_unix_socket");

    /* fixed cases first */
    static const char *fixed[] = {"",       "/",        "/abc",      "abc",   "?",          "/?",    "/.",     "/..",
                                  "/./",    "/../",     "/a/../b",   "/a/./b", "/%41",      "/%4",   "/a%",    "/a%2",
                                  "%2e%2e", "/%2e%2e/", "/a/b/../..", "//..",  "/a?b/../c", "/a/..?", "/..%2f", "/x/.%2e"};
    for (size_t i = 0; i != sizeof(fixed) / sizeof(fixed[0]); ++i) {
        pool_t po, pd;
        char buf[64];
        size_t len = strlen(fixed[i]);
        memcpy(buf, fixed[i], len);
        ours.init_pool(&po);
        deb.init_pool(&pd);
        check_normalize(&ours, &deb, &po, &pd, buf, len);
        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }

    for (it = 0; it != iterations; ++it) {
        char in[128];
        size_t len = gen_path(in, sizeof(in));
        pool_t po, pd;
        ours.init_pool(&po);
        deb.init_pool(&pd);
        if (len != 0) /* 2.2.5 returns before reading an empty path; ours too */
            check_normalize(&ours, &deb, &po, &pd, in, len);
        check_urls(&ours, &deb, &po, &pd);
        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }

    printf("url-diff: %lu checks, %lu mismatches\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
