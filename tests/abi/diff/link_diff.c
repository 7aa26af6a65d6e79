/*
 * Differential test of h2o_extract_push_path_from_link_header (h2o.h, server push from `Link`
 * headers): our library against Debian's libh2o-evloop 2.2.5, both dlopen()ed (RTLD_LOCAL).
 *
 *   link-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Link values are generated from fragments: `<url>` elements (absolute paths, relative and `../`
 * paths, absolute and scheme-relative URLs of the same or other authorities and schemes, empty and
 * odd ones), attributes (`rel=preload` in several spellings, other rels, `nopush`,
 * `x-http2-push-only`, valueless and empty ones), separators with and without whitespace, and
 * junk; the base path, the request's scheme and authority and the delegated base (none, or a
 * scheme and authority) vary. Each library gets its own pool and its own scheme objects. Compared:
 * the number of paths and each path's bytes (and NUL), the filtered value's bytes, and whether it
 * is the input value itself.
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#include "diff.h"

typedef struct {
    iovec_t *entries;
    size_t size, capacity;
} iovec_vector_t;

struct lib {
    void (*init_pool)(pool_t *);
    void (*clear_pool)(pool_t *);
    const void *schemes[2];
    iovec_vector_t (*extract)(pool_t *, const char *, size_t, iovec_t, const void *, iovec_t, const void *, iovec_t *, iovec_t *);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->init_pool, "h2o_mem_init_pool");
    DIFF_SYM(h, path, l->clear_pool, "h2o_mem_clear_pool");
    DIFF_SYM(h, path, l->schemes[0], "H2O_URL_SCHEME_HTTP");
    DIFF_SYM(h, path, l->schemes[1], "H2O_URL_SCHEME_HTTPS");
    DIFF_SYM(h, path, l->extract, "h2o_extract_push_path_from_link_header");
    return 0;
}

static struct lib ours, deb;

static const char *urls[] = {"/a.css", "/js/app.js?v=1", "/", "a.css", "./b.css", "../c.css", "../../d.js", "sub/e.png", "",
                             "http://example.com/x.css", "https://example.com/y.css", "//example.com/z.css", "http://EXAMPLE.com/u",
                             "http://other.org/v", "//other.org/w", "http://example.com", "http://example.com:8080/p",
                             "https://secure.example/q", "http:/bad", "http://[::1]/v6", "/with space", "?q=1", "#frag", ".", ".."};
static const char *attrs[] = {"rel=preload", "REL=PRELOAD", "rel=Preload", "rel=\"preload\"", "rel=stylesheet", "rel=preload nopush",
                              "nopush", "NOPUSH", "x-http2-push-only", "X-HTTP2-Push-Only", "as=style", "rel", "rel=", "crossorigin",
                              "type=text/css", "rel = preload", "title=\"a,b\""};
static const char *seps[] = {"; ", ";", " ; ", " ;"};
static const char *commas[] = {", ", ",", " , ", ",,", " ,"};
static const char *paths[] = {"/", "/index.html", "/dir/page.html", "/dir/sub/", "/a/b/c/d", "/x?y=1"};
static const char *authorities[] = {"example.com", "example.com:8080", "Example.com", "other.org", "[::1]", "secure.example"};

static size_t append(char *buf, size_t len, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + len, s, n);
    return len + n;
}

static size_t make_value(char *buf)
{
    size_t len = 0;
    unsigned elements = rnd() % 5;
    if (rnd() % 10 == 0)
        len = append(buf, len, " ");
    for (unsigned e = 0; e <= elements; ++e) {
        if (e != 0)
            len = append(buf, len, commas[rnd() % (rnd() % 4 == 0 ? 5 : 1)]);
        if (rnd() % 15 == 0) {
            len = append(buf, len, (const char *[]){"junk", "<", "<>", "</x", "x>", ""}[rnd() % 6]);
        } else {
            len = append(buf, len, "<");
            len = append(buf, len, urls[rnd() % (sizeof(urls) / sizeof(urls[0]))]);
            len = append(buf, len, ">");
        }
        unsigned nattrs = rnd() % 4;
        for (unsigned a = 0; a != nattrs; ++a) {
            len = append(buf, len, seps[rnd() % (rnd() % 3 == 0 ? 4 : 1)]);
            len = append(buf, len, rnd() % 3 == 0 ? "rel=preload" : attrs[rnd() % (sizeof(attrs) / sizeof(attrs[0]))]);
        }
    }
    if (rnd() % 10 == 0)
        len = append(buf, len, (const char *[]){" ", ";", ",", "; "}[rnd() % 4]);
    return len;
}

static iovec_t iov(const char *s)
{
    return (iovec_t){(char *)s, strlen(s)};
}

int main(int argc, char **argv)
{
    unsigned long iterations, pushed = 0, filtered = 0;
    DIFF_SETUP(load, ours, deb, extract, 100000, iterations);

    static char value[4096];
    for (unsigned long it = 0; it != iterations; ++it) {
        size_t len = make_value(value);
        iovec_t base_path = iov(paths[rnd() % 6]), authority = iov(authorities[rnd() % 6]);
        int scheme = rnd() % 4 == 0, delegated = rnd() % 5 == 0, base_scheme = rnd() % 2;
        iovec_t base_authority = iov(authorities[rnd() % 6]);
        pool_t po, pd;
        ours.init_pool(&po);
        deb.init_pool(&pd);
        iovec_t fo = {(char *)1, 12345}, fd = {(char *)1, 12345};
        iovec_t bao = base_authority, bad = base_authority;
        iovec_vector_t vo = ours.extract(&po, value, len, base_path, ours.schemes[scheme], authority,
                                         delegated ? ours.schemes[base_scheme] : NULL, delegated ? &bao : NULL, &fo);
        iovec_vector_t vd = deb.extract(&pd, value, len, base_path, deb.schemes[scheme], authority,
                                        delegated ? deb.schemes[base_scheme] : NULL, delegated ? &bad : NULL, &fd);
        CHECK(vo.size == vd.size, "[%.*s] base %s authority %s scheme %d delegated %d: %zu paths, 2.2.5 %zu", (int)len, value,
              base_path.base, authority.base, scheme, delegated, vo.size, vd.size);
        for (size_t i = 0; i < vo.size && i < vd.size; ++i) {
            CHECK(same_bytes(vo.entries[i], vd.entries[i]) && vo.entries[i].base[vo.entries[i].len] == '\0',
                  "[%.*s] base %s: path %zu ours %.*s, 2.2.5 %.*s", (int)len, value, base_path.base, i, (int)vo.entries[i].len,
                  vo.entries[i].base, (int)vd.entries[i].len, vd.entries[i].base);
        }
        CHECK((fo.base == value) == (fd.base == value), "[%.*s]: filtered value is the input: ours %d, 2.2.5 %d", (int)len, value,
              fo.base == value, fd.base == value);
        CHECK(same_bytes(fo, fd), "[%.*s]: filtered ours [%.*s], 2.2.5 [%.*s]", (int)len, value, (int)fo.len, fo.base ? fo.base : "",
              (int)fd.len, fd.base ? fd.base : "");
        pushed += vd.size != 0;
        filtered += fd.base != value;
        ours.clear_pool(&po);
        deb.clear_pool(&pd);
    }
    printf("link-diff: %lu values (%lu with paths to push, %lu filtered), %lu checks, %lu mismatches\n", iterations, pushed,
           filtered, checks, failures);
    return failures != 0;
}
