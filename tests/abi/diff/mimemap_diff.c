/*
 * Differential test of the h2o.h MIME maps: our library against Debian's libh2o-evloop 2.2.5, both
 * dlopen()ed (RTLD_LOCAL) into this process. Compares the type (name and attributes, or the
 * default) found by extension for a fixed list, /etc/mime.types, case variants and random strings;
 * h2o_mimemap_get_default_attributes and _get_type_by_mimetype on generated types; and the same
 * after random define / remove / clear / set_default / clone steps on both maps.
 *
 *   mimemap-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include "diff.h"

typedef struct {
    char is_compressible;
    int priority;
} attr_t;
typedef struct {
    int type;
    iovec_t mimetype;
    attr_t attr;
} type_t;

struct lib {
    void *(*create)(void);
    void *(*clone)(void *);
    void (*set_default)(void *, const char *, attr_t *);
    void (*define)(void *, const char *, const char *, attr_t *);
    void (*remove)(void *, const char *);
    void (*clear)(void *);
    type_t *(*get_default)(void *);
    type_t *(*by_ext)(void *, iovec_t);
    type_t *(*by_mime)(void *, iovec_t, int);
    int (*has_dynamic)(void *);
    void (*default_attr)(const char *, attr_t *);
    attr_t *as_is;
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->create, "h2o_mimemap_create");
    DIFF_SYM(h, path, l->clone, "h2o_mimemap_clone");
    DIFF_SYM(h, path, l->set_default, "h2o_mimemap_set_default_type");
    DIFF_SYM(h, path, l->define, "h2o_mimemap_define_mimetype");
    DIFF_SYM(h, path, l->remove, "h2o_mimemap_remove_type");
    DIFF_SYM(h, path, l->clear, "h2o_mimemap_clear_types");
    DIFF_SYM(h, path, l->get_default, "h2o_mimemap_get_default_type");
    DIFF_SYM(h, path, l->by_ext, "h2o_mimemap_get_type_by_extension");
    DIFF_SYM(h, path, l->by_mime, "h2o_mimemap_get_type_by_mimetype");
    DIFF_SYM(h, path, l->has_dynamic, "h2o_mimemap_has_dynamic_type");
    DIFF_SYM(h, path, l->default_attr, "h2o_mimemap_get_default_attributes");
    DIFF_SYM(h, path, l->as_is, "h2o_mime_attributes_as_is");
    return 0;
}

static struct lib ours, deb;

static const char *known_exts[] = {"3gp", "3gpp", "7z", "ai", "apng", "asf", "asx", "atom", "avi", "bin", "bmp", "cco", "crt", "css", "csv", "deb", "der", "dll", "dmg", "doc", "docx", "ear", "eot", "eps", "exe", "flv", "gif", "hqx", "htc", "htm", "html", "ico", "img", "iso", "jad", "jar", "jardiff", "jng", "jnlp", "jpeg", "jpg", "js", "json", "jxr", "kar", "kml", "kmz", "m3u8", "m4a", "m4v", "md", "mid", "midi", "mml", "mng", "mov", "mp3", "mp4", "mpeg", "mpg", "msi", "msm", "msp", "ogg", "opus", "pdb", "pdf", "pem", "pl", "pm", "png", "ppt", "pptx", "prc", "ps", "ra", "rar", "rpm", "rss", "rtf", "run", "sea", "shtml", "sit", "svg", "svgz", "swf", "tcl", "tif", "tiff", "tk", "ts", "txt", "war", "wbmp", "webm", "webp", "wml", "wmlc", "wmv", "woff", "woff2", "xhtml", "xls", "xlsx", "xml", "xpi", "xspf", "zip", 
                                   "", "x", "unknown", "tar.gz", "html5", "jpeg2", "JS", "Css", "HTML", "PnG", NULL};
static const char *mimes[] = {"text/html", "text/css", "text/css;charset=utf-8", "text/css ;x", "text/css x", "Text/CSS",
                              "application/json", "application/JSON", "application/json; charset=x", "application/foo+json",
                              "application/javascript", "application/ecmascript", "text/javascript", "text/ecmascript",
                              "application/x-javascript", "image/svg+xml", "application/x;+xml", "application/atom+xml",
                              "image/png", "application/octet-stream", "text/", "text", "", "text/plain; charset=utf-8",
                              "IMAGE/PNG", "image/png;q=1", NULL};

static void same_type(const char *what, const char *arg, type_t *o, type_t *d, type_t *odef, type_t *ddef)
{
    CHECK((o == NULL) == (d == NULL), "%s(%s): NULL %d vs %d", what, arg, o == NULL, d == NULL);
    if (o == NULL || d == NULL)
        return;
    CHECK((o == odef) == (d == ddef), "%s(%s): default %d vs %d", what, arg, o == odef, d == ddef);
    CHECK(o->type == d->type, "%s(%s): kind", what, arg);
    CHECK(same_bytes(o->mimetype, d->mimetype), "%s(%s): \"%.*s\" vs \"%.*s\"", what, arg, (int)o->mimetype.len,
          o->mimetype.base, (int)d->mimetype.len, d->mimetype.base);
    CHECK(o->mimetype.base[o->mimetype.len] == '\0', "%s(%s): not NUL-terminated", what, arg);
    CHECK(o->attr.is_compressible == d->attr.is_compressible && o->attr.priority == d->attr.priority,
          "%s(%s): attributes {%d,%d} vs {%d,%d}", what, arg, o->attr.is_compressible, o->attr.priority,
          d->attr.is_compressible, d->attr.priority);
}

static void check_ext(void *om, void *dm, const char *ext, size_t len)
{
    char arg[300];
    snprintf(arg, sizeof(arg), "%.*s", (int)len, ext);
    same_type("by_extension", arg, ours.by_ext(om, (iovec_t){(char *)ext, len}), deb.by_ext(dm, (iovec_t){(char *)ext, len}),
              ours.get_default(om), deb.get_default(dm));
}

static void check_mime(void *om, void *dm, const char *mime)
{
    for (int exact = 0; exact != 2; ++exact)
        same_type(exact ? "by_mimetype(exact)" : "by_mimetype", mime, ours.by_mime(om, (iovec_t){(char *)mime, strlen(mime)}, exact),
                  deb.by_mime(dm, (iovec_t){(char *)mime, strlen(mime)}, exact), ours.get_default(om), deb.get_default(dm));
}

static void check_map(void *om, void *dm)
{
    /* no dynamic types here (2.2.5's clone leaves its counter uninitialized, so only ours is checked) */
    CHECK(ours.has_dynamic(om) == 0, "has_dynamic_type");
    same_type("get_default_type", "", ours.get_default(om), deb.get_default(dm), NULL, NULL);
    for (const char **e = known_exts; *e != NULL; ++e)
        check_ext(om, dm, *e, strlen(*e));
    for (const char **m = mimes; *m != NULL; ++m)
        check_mime(om, dm, *m);
}

static void gen(char *buf, size_t cap, const char *alphabet)
{
    size_t len = rnd() % cap, n = strlen(alphabet);
    for (size_t i = 0; i != len; ++i)
        buf[i] = alphabet[rnd() % n];
    buf[len] = '\0';
}

int main(int argc, char **argv)
{
    unsigned long iterations, it;
    DIFF_SETUP(load, ours, deb, create, 20000, iterations);
    CHECK(ours.as_is->is_compressible == deb.as_is->is_compressible && ours.as_is->priority == deb.as_is->priority,
          "h2o_mime_attributes_as_is");

    void *om = ours.create(), *dm = deb.create();
    CHECK(ours.has_dynamic(om) == deb.has_dynamic(dm), "has_dynamic_type of a new map");
    check_map(om, dm);

    /* every extension of /etc/mime.types (when present), as given and in upper case */
    FILE *fp = fopen("/etc/mime.types", "r");
    if (fp != NULL) {
        char line[1024];
        while (fgets(line, sizeof(line), fp) != NULL) {
            if (line[0] == '#')
                continue;
            char *save, *tok = strtok_r(line, " \t\n", &save);
            if (tok == NULL)
                continue;
            check_mime(om, dm, tok);
            attr_t oa = {9, 9}, da = {9, 9};
            ours.default_attr(tok, &oa);
            deb.default_attr(tok, &da);
            CHECK(oa.is_compressible == da.is_compressible && oa.priority == da.priority, "default_attributes(%s)", tok);
            while ((tok = strtok_r(NULL, " \t\n", &save)) != NULL) {
                check_ext(om, dm, tok, strlen(tok));
                for (char *p = tok; *p; ++p)
                    *p = toupper((unsigned char)*p);
                check_ext(om, dm, tok, strlen(tok));
            }
        }
        fclose(fp);
    }

    /* generated extensions (including the 255/256-byte boundary) and types */
    static const char ext_alpha[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    static const char mime_alpha[] = "texthmlcsjavpriongTCX/;+ =-.";
    char big[300];
    memset(big, 'a', sizeof(big));
    check_ext(om, dm, big, 255);
    check_ext(om, dm, big, 256);
    for (it = 0; it != iterations; ++it) {
        char buf[48];
        gen(buf, 5, ext_alpha);
        check_ext(om, dm, buf, strlen(buf));
        gen(buf, 40, mime_alpha);
        attr_t oa = {9, 9}, da = {9, 9};
        ours.default_attr(buf, &oa);
        deb.default_attr(buf, &da);
        CHECK(oa.is_compressible == da.is_compressible && oa.priority == da.priority, "default_attributes(%s)", buf);
    }

    /* explicit attributes */
    {
        attr_t custom = {1, 1}, none = {0, 0};
        void *oc = ours.create(), *dc = deb.create();
        ours.define(oc, "custom", "application/x-Custom; v=1", &custom);
        deb.define(dc, "custom", "application/x-Custom; v=1", &custom);
        ours.define(oc, "html", "text/html", &none);
        deb.define(dc, "html", "text/html", &none);
        ours.set_default(oc, "TEXT/Plain", &custom);
        deb.set_default(dc, "TEXT/Plain", &custom);
        check_map(oc, dc);
        check_ext(oc, dc, "custom", 6);
        check_mime(oc, dc, "application/x-custom; v=1");
        release_shared(oc);
        release_shared(dc);
    }

    /* random edits on both maps, checked after each step */
    static const char *edit_exts[] = {"html", "css", "js", "png", "foo", "bar", "FOO", "txt", "json", "svg"};
    static const char *edit_mimes[] = {"text/html", "text/css", "application/x-foo", "text/x-Foo", "image/png;q=1", "text/plain",
                                       "application/json", "application/javascript; charset=utf-8"};
    for (it = 0; it != iterations / 20 + 1; ++it) {
        const char *ext = edit_exts[rnd() % (sizeof(edit_exts) / sizeof(edit_exts[0]))];
        const char *mime = edit_mimes[rnd() % (sizeof(edit_mimes) / sizeof(edit_mimes[0]))];
        /* NULL or the type's default attributes: with different attributes for one name, which of the
         * same-named types a lookup by name finds follows 2.2.5's hash order (not compared); for the
         * same reason no two of these types differ only in case ("Text/HTML" is stored as "text/html"
         * but is not compressible) */
        attr_t attr;
        deb.default_attr(mime, &attr);
        attr_t *ap = rnd() % 2 ? &attr : NULL;
        switch (rnd() % 16) {
        case 0: case 1: case 2: case 3: case 4: case 5:
            ours.define(om, ext, mime, ap);
            deb.define(dm, ext, mime, ap);
            break;
        case 6: case 7: case 8:
            ours.remove(om, ext);
            deb.remove(dm, ext);
            break;
        case 9: case 10:
            ours.set_default(om, mime, ap);
            deb.set_default(dm, mime, ap);
            break;
        case 11: {
            void *oc = ours.clone(om), *dc = deb.clone(dm);
            release_shared(om);
            release_shared(dm);
            om = oc;
            dm = dc;
        } break;
        case 12:
            if (rnd() % 4 == 0) {
                ours.clear(om);
                deb.clear(dm);
            }
            break;
        default: {
            /* a type kept past its map's release stays valid */
            type_t *ot = ours.by_ext(om, (iovec_t){(char *)ext, strlen(ext)});
            type_t *dt = deb.by_ext(dm, (iovec_t){(char *)ext, strlen(ext)});
            ((struct shared_entry *)((char *)ot - offsetof(struct shared_entry, bytes)))->refcnt++;
            ((struct shared_entry *)((char *)dt - offsetof(struct shared_entry, bytes)))->refcnt++;
            void *oc = ours.clone(om), *dc = deb.clone(dm);
            release_shared(om);
            release_shared(dm);
            om = oc;
            dm = dc;
            same_type("kept type", ext, ot, dt, NULL, NULL);
            release_shared(ot);
            release_shared(dt);
        } break;
        }
        check_map(om, dm);
    }
    release_shared(om);
    release_shared(dm);

    printf("mimemap-diff: %lu checks, %lu mismatches\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
