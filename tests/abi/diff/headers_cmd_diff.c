/*
 * Differential test of the header commands (h2o_rewrite_headers, h2o_headers_append_command): our
 * library against Debian's libh2o-evloop 2.2.5, both dlopen()ed (RTLD_LOCAL) into this process.
 * Each iteration builds the same random header list in both (token and string names, names that
 * are a token's bytes given as strings, empty and comma-separated values), applies the same random
 * commands (ADD, APPEND, MERGE, SET, SETIFEMPTY, UNSET; the name a token or a string) and compares
 * the lists: names (bytes and token-ness), values, and whether each value is the command's own
 * (borrowed) or a new string. Also h2o_headers_append_command lists.
 *
 *   headers-cmd-diff OUR_LIB DEBIAN_LIB [ITERATIONS [SEED]]
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include "diff.h"

typedef struct {
    iovec_t *name;
    const char *orig_name;
    iovec_t value;
} header_t;
typedef struct {
    header_t *entries;
    size_t size, capacity;
} headers_t;
typedef struct {
    int cmd;
    iovec_t *name;
    iovec_t value;
} cmd_t;

struct lib {
    void (*init_pool)(pool_t *);
    void (*clear_pool)(pool_t *);
    void (*rewrite)(pool_t *, headers_t *, cmd_t *);
    void (*append_command)(cmd_t **, int, iovec_t *, iovec_t);
    const void *(*lookup_token)(const char *, size_t);
    int (*is_token)(const iovec_t *);
    void (*add_header)(pool_t *, headers_t *, const void *, const char *, const char *, size_t);
    void (*add_header_by_str)(pool_t *, headers_t *, const char *, size_t, int, const char *, const char *, size_t);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->init_pool, "h2o_mem_init_pool");
    DIFF_SYM(h, path, l->clear_pool, "h2o_mem_clear_pool");
    DIFF_SYM(h, path, l->rewrite, "h2o_rewrite_headers");
    DIFF_SYM(h, path, l->append_command, "h2o_headers_append_command");
    DIFF_SYM(h, path, l->lookup_token, "h2o_lookup_token");
    DIFF_SYM(h, path, l->is_token, "h2o_iovec_is_token");
    DIFF_SYM(h, path, l->add_header, "h2o_add_header");
    DIFF_SYM(h, path, l->add_header_by_str, "h2o_add_header_by_str");
    return 0;
}

static struct lib ours, deb;

/* names: the first ones are tokens when used as tokens; all may be used as strings */
static const char *const names[] = {"vary", "cache-control", "content-type", "set-cookie", "link", "x-a", "x-b", "X-A", "varY"};
#define NUM_TOKEN_NAMES 5
#define NUM_NAMES (sizeof(names) / sizeof(names[0]))
static iovec_t string_names[NUM_NAMES]; /* string (non-token) name iovecs, shared by both libraries */
static const char *const values[] = {"", "a", "b", "A", "a, b", "b,a", " a ", "gzip", "x;y", "a,,b", "c"};
#define NUM_VALUES (sizeof(values) / sizeof(values[0]))

struct spec {
    int use_token;
    size_t name, value;
};

/* the name to pass to `l`: its token, or the shared string iovec */
static iovec_t *name_for(struct lib *l, const struct spec *s)
{
    if (s->use_token && s->name < NUM_TOKEN_NAMES)
        return (iovec_t *)l->lookup_token(names[s->name], strlen(names[s->name]));
    return &string_names[s->name];
}

static struct spec random_spec(void)
{
    struct spec s;
    s.use_token = rnd() % 3 != 0;
    s.name = rnd() % NUM_NAMES;
    s.value = rnd() % NUM_VALUES;
    return s;
}

static iovec_t value_iovec(size_t i)
{
    iovec_t v = {(char *)values[i], strlen(values[i])};
    return v;
}

static void describe(struct lib *l, headers_t *h, char *out, size_t outsz)
{
    size_t i, n = 0;
    out[0] = '\0';
    for (i = 0; i != h->size && n < outsz; ++i)
        n += snprintf(out + n, outsz - n, "%s%.*s%s=%.*s;", i ? " " : "", (int)h->entries[i].name->len, h->entries[i].name->base,
                      l->is_token(h->entries[i].name) ? "(t)" : "", (int)h->entries[i].value.len, h->entries[i].value.base);
}

static void one_round(unsigned long iter)
{
    pool_t pool_o, pool_d;
    headers_t ho = {NULL}, hd = {NULL};
    struct spec init[8], cmds[6];
    size_t ninit = rnd() % 7, ncmds = 1 + rnd() % 5, i;
    char before[1024];

    ours.init_pool(&pool_o);
    deb.init_pool(&pool_d);
    for (i = 0; i != ninit; ++i) {
        init[i] = random_spec();
        iovec_t v = value_iovec(init[i].value);
        if (init[i].use_token && init[i].name < NUM_TOKEN_NAMES) {
            ours.add_header(&pool_o, &ho, name_for(&ours, &init[i]), NULL, v.base, v.len);
            deb.add_header(&pool_d, &hd, name_for(&deb, &init[i]), NULL, v.base, v.len);
        } else {
            ours.add_header_by_str(&pool_o, &ho, string_names[init[i].name].base, string_names[init[i].name].len, 0, NULL, v.base, v.len);
            deb.add_header_by_str(&pool_d, &hd, string_names[init[i].name].base, string_names[init[i].name].len, 0, NULL, v.base, v.len);
        }
    }
    describe(&deb, &hd, before, sizeof(before));
    for (i = 0; i != ncmds; ++i) {
        cmd_t co, cd;
        char a[1024], b[1024];
        size_t k;
        cmds[i] = random_spec();
        co.cmd = cd.cmd = 1 + (int)(rnd() % 6);
        co.name = name_for(&ours, &cmds[i]);
        cd.name = name_for(&deb, &cmds[i]);
        co.value = cd.value = value_iovec(cmds[i].value);
        ours.rewrite(&pool_o, &ho, &co);
        deb.rewrite(&pool_d, &hd, &cd);
        describe(&ours, &ho, a, sizeof(a));
        describe(&deb, &hd, b, sizeof(b));
        CHECK(strcmp(a, b) == 0, "iteration %lu: [%s] after cmd %d %s%s \"%s\": ours [%s], 2.2.5 [%s]", iter, before, co.cmd,
              names[cmds[i].name], cmds[i].use_token && cmds[i].name < NUM_TOKEN_NAMES ? "(t)" : "", values[cmds[i].value], a, b);
        if (strcmp(a, b) != 0)
            break;
        for (k = 0; k != ho.size; ++k) {
            int borrowed_o = ho.entries[k].value.base == co.value.base, borrowed_d = hd.entries[k].value.base == cd.value.base;
            CHECK(borrowed_o == borrowed_d, "iteration %lu: entry %zu's value is %s here, %s in 2.2.5", iter, k,
                  borrowed_o ? "the command's" : "not the command's", borrowed_d ? "the command's" : "not the command's");
        }
        describe(&deb, &hd, before, sizeof(before));
    }
    ours.clear_pool(&pool_o);
    deb.clear_pool(&pool_d);
}

/* h2o_headers_append_command: the same lists */
static void append_lists(void)
{
    cmd_t *lo = NULL, *ld = NULL;
    size_t i, n = 0;
    for (i = 0; i != 7; ++i) {
        struct spec s = random_spec();
        int cmd = 1 + (int)(rnd() % 6);
        ours.append_command(&lo, cmd, name_for(&ours, &s), value_iovec(s.value));
        deb.append_command(&ld, cmd, name_for(&deb, &s), value_iovec(s.value));
    }
    for (n = 0; lo[n].cmd != 0 && ld[n].cmd != 0; ++n) {
        CHECK(lo[n].cmd == ld[n].cmd, "appended command %zu: %d vs %d", n, lo[n].cmd, ld[n].cmd);
        CHECK(same_bytes(*lo[n].name, *ld[n].name) && ours.is_token(lo[n].name) == deb.is_token(ld[n].name), "appended command %zu's name", n);
        CHECK(lo[n].value.base == ld[n].value.base && lo[n].value.len == ld[n].value.len, "appended command %zu's value is borrowed", n);
    }
    CHECK(n == 7 && lo[n].cmd == 0 && ld[n].cmd == 0 && lo[n].name == NULL && ld[n].name == NULL, "7 commands, then the terminator");
    release_shared(lo);
    release_shared(ld);
}

int main(int argc, char **argv)
{
    unsigned long iterations, i;
    DIFF_SETUP(load, ours, deb, rewrite, 20000, iterations);
    for (i = 0; i != NUM_NAMES; ++i) {
        string_names[i].base = (char *)names[i];
        string_names[i].len = strlen(names[i]);
    }
    for (i = 0; i != iterations; ++i)
        one_round(i);
    for (i = 0; i != 50; ++i)
        append_lists();
    printf("headers-cmd-diff: %lu iterations, %lu checks, %lu mismatches\n", iterations, checks, failures);
    return failures != 0;
}
