/*
 * The hpack-test-case stories (../shared/testdata/hpack-test-case, MIT) for the C tests and
 * benches: a reader for just the JSON they use (objects, arrays, strings with escapes, numbers,
 * null/true/false), each story as its blocks: the wire bytes (empty in raw-data), the header list,
 * and the SETTINGS_HEADER_TABLE_SIZE the story gives for the block (-1 when none).
 *
 *   struct hs_story *stories; size_t n = hs_load_dir(DIR, &stories);   (0 when DIR is absent)
 */
#ifndef H2O_RS_HPACK_STORIES_H
#define H2O_RS_HPACK_STORIES_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hs_field {
    char *name, *value;
    size_t name_len, value_len;
};
struct hs_case {
    uint8_t *wire;
    size_t wire_len;
    struct hs_field *fields;
    size_t num_fields;
    long table_size;
};
struct hs_story {
    char *path;
    struct hs_case *cases;
    size_t num_cases;
    int is_response; /* some block has :status */
};

struct hs_reader {
    const char *p, *end;
    int failed;
};

static void hs_ws(struct hs_reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        ++r->p;
}

static int hs_eat(struct hs_reader *r, char c)
{
    hs_ws(r);
    if (r->p < r->end && *r->p == c) {
        ++r->p;
        return 1;
    }
    return 0;
}

static void hs_utf8(char **o, unsigned cp)
{
    unsigned char *d = (unsigned char *)*o;
    if (cp < 0x80) {
        *d++ = cp;
    } else if (cp < 0x800) {
        *d++ = 0xc0 | cp >> 6;
        *d++ = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
        *d++ = 0xe0 | cp >> 12;
        *d++ = 0x80 | (cp >> 6 & 0x3f);
        *d++ = 0x80 | (cp & 0x3f);
    } else {
        *d++ = 0xf0 | cp >> 18;
        *d++ = 0x80 | (cp >> 12 & 0x3f);
        *d++ = 0x80 | (cp >> 6 & 0x3f);
        *d++ = 0x80 | (cp & 0x3f);
    }
    *o = (char *)d;
}

static unsigned hs_hex4(struct hs_reader *r)
{
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = r->p < r->end ? *r->p++ : 0;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v |= (c | 0x20) - 'a' + 10;
        else
            r->failed = 1;
    }
    return v;
}

/* a string (the opening quote next); returns a malloc'ed copy, NUL-terminated, length in *len */
static char *hs_string(struct hs_reader *r, size_t *len)
{
    if (!hs_eat(r, '"')) {
        r->failed = 1;
        return NULL;
    }
    const char *s = r->p;
    while (r->p < r->end && *r->p != '"')
        r->p += *r->p == '\\' ? 2 : 1;
    char *out = malloc(r->p - s + 1), *o = out;
    for (const char *q = s; q < r->p;) {
        if (*q != '\\') {
            *o++ = *q++;
            continue;
        }
        ++q;
        char e = *q++;
        switch (e) {
        case 'n': *o++ = '\n'; break;
        case 't': *o++ = '\t'; break;
        case 'r': *o++ = '\r'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'u': {
            struct hs_reader h = {q, r->p, 0};
            unsigned cp = hs_hex4(&h);
            if (cp >= 0xd800 && cp < 0xdc00 && h.p + 6 <= h.end && h.p[0] == '\\' && h.p[1] == 'u') {
                h.p += 2;
                unsigned lo = hs_hex4(&h);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            r->failed |= h.failed;
            q = h.p;
            hs_utf8(&o, cp);
        } break;
        default: *o++ = e; break;
        }
    }
    *o = '\0';
    *len = o - out;
    ++r->p; /* closing quote */
    return out;
}

static void hs_skip(struct hs_reader *r)
{
    hs_ws(r);
    if (r->p >= r->end) {
        r->failed = 1;
        return;
    }
    char c = *r->p;
    if (c == '"') {
        size_t l;
        free(hs_string(r, &l));
    } else if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        ++r->p;
        if (hs_eat(r, close))
            return;
        do {
            if (c == '{') {
                size_t l;
                free(hs_string(r, &l));
                if (!hs_eat(r, ':'))
                    r->failed = 1;
            }
            hs_skip(r);
        } while (!r->failed && hs_eat(r, ','));
        if (!hs_eat(r, close))
            r->failed = 1;
    } else {
        while (r->p < r->end && *r->p != ',' && *r->p != '}' && *r->p != ']' && *r->p != ' ' && *r->p != '\n')
            ++r->p;
    }
}

static uint8_t *hs_unhex(const char *s, size_t len, size_t *out_len)
{
    uint8_t *out = malloc(len / 2 + 1);
    size_t n = 0;
    int half = -1;
    for (size_t i = 0; i < len; ++i) {
        char c = s[i];
        int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (v < 0)
            continue;
        if (half < 0) {
            half = v;
        } else {
            out[n++] = (uint8_t)(half << 4 | v);
            half = -1;
        }
    }
    *out_len = n;
    return out;
}

static void hs_case(struct hs_reader *r, struct hs_case *c, int *is_response)
{
    memset(c, 0, sizeof(*c));
    c->table_size = -1;
    if (!hs_eat(r, '{')) {
        r->failed = 1;
        return;
    }
    if (hs_eat(r, '}'))
        return;
    do {
        size_t kl;
        char *key = hs_string(r, &kl);
        if (key == NULL || !hs_eat(r, ':')) {
            free(key);
            r->failed = 1;
            return;
        }
        hs_ws(r);
        if (strcmp(key, "wire") == 0) {
            size_t l;
            char *hex = hs_string(r, &l);
            if (hex != NULL)
                c->wire = hs_unhex(hex, l, &c->wire_len);
            free(hex);
        } else if (strcmp(key, "header_table_size") == 0 && r->p < r->end && *r->p >= '0' && *r->p <= '9') {
            c->table_size = strtol(r->p, NULL, 10);
            hs_skip(r);
        } else if (strcmp(key, "headers") == 0 && hs_eat(r, '[')) {
            size_t cap = 0;
            if (!hs_eat(r, ']')) {
                do {
                    if (!hs_eat(r, '{')) {
                        r->failed = 1;
                        break;
                    }
                    if (c->num_fields == cap) {
                        cap = cap ? cap * 2 : 16;
                        c->fields = realloc(c->fields, cap * sizeof(*c->fields));
                    }
                    struct hs_field *f = c->fields + c->num_fields++;
                    f->name = hs_string(r, &f->name_len);
                    if (!hs_eat(r, ':'))
                        r->failed = 1;
                    f->value = hs_string(r, &f->value_len);
                    if (f->name != NULL && strcmp(f->name, ":status") == 0)
                        *is_response = 1;
                    if (!hs_eat(r, '}'))
                        r->failed = 1;
                } while (!r->failed && hs_eat(r, ','));
                if (!hs_eat(r, ']'))
                    r->failed = 1;
            }
        } else {
            hs_skip(r);
        }
        free(key);
    } while (!r->failed && hs_eat(r, ','));
    if (!hs_eat(r, '}'))
        r->failed = 1;
}

/* one story file; 0 on success */
static int hs_load_story(const char *path, struct hs_story *s)
{
    memset(s, 0, sizeof(*s));
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc(size + 1);
    size_t got = fread(text, 1, size, fp);
    fclose(fp);
    struct hs_reader r = {text, text + got, 0};
    s->path = strdup(path);
    if (!hs_eat(&r, '{'))
        r.failed = 1;
    while (!r.failed) {
        size_t kl;
        char *key = hs_string(&r, &kl);
        if (key == NULL || !hs_eat(&r, ':')) {
            free(key);
            r.failed = 1;
            break;
        }
        if (strcmp(key, "cases") == 0 && hs_eat(&r, '[')) {
            size_t cap = 0;
            if (!hs_eat(&r, ']')) {
                do {
                    if (s->num_cases == cap) {
                        cap = cap ? cap * 2 : 64;
                        s->cases = realloc(s->cases, cap * sizeof(*s->cases));
                    }
                    hs_case(&r, s->cases + s->num_cases++, &s->is_response);
                } while (!r.failed && hs_eat(&r, ','));
                if (!hs_eat(&r, ']'))
                    r.failed = 1;
            }
        } else {
            hs_skip(&r);
        }
        free(key);
        if (!hs_eat(&r, ','))
            break;
    }
    free(text);
    if (r.failed) {
        fprintf(stderr, "%s: cannot parse\n", path);
        return -1;
    }
    return 0;
}

static int hs_cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int hs_is_json(const struct dirent *d)
{
    size_t l = strlen(d->d_name);
    return l > 5 && strcmp(d->d_name + l - 5, ".json") == 0;
}

/* every story of DIR, sorted by file name; returns their number (0: none or DIR absent) */
static size_t hs_load_dir(const char *dir, struct hs_story **out)
{
    struct dirent **names;
    int n = scandir(dir, &names, hs_is_json, hs_cmp_names);
    *out = NULL;
    if (n <= 0)
        return 0;
    struct hs_story *stories = calloc(n, sizeof(*stories));
    size_t count = 0;
    for (int i = 0; i < n; ++i) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        if (hs_load_story(path, stories + count) == 0)
            ++count;
        free(names[i]);
    }
    free(names);
    *out = stories;
    return count;
}

static int hs_is_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    closedir(d);
    return 1;
}

/* the implementation directories of ROOT (every subdirectory but raw-data), sorted; their count */
static size_t hs_encoded_dirs(const char *root, char ***out)
{
    struct dirent **names;
    int n = scandir(root, &names, NULL, hs_cmp_names);
    size_t count = 0;
    *out = NULL;
    if (n <= 0)
        return 0;
    *out = calloc(n, sizeof(char *));
    for (int i = 0; i < n; ++i) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", root, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && strcmp(names[i]->d_name, "raw-data") != 0 && hs_is_dir(path))
            (*out)[count++] = strdup(path);
        free(names[i]);
    }
    free(names);
    return count;
}

#endif
