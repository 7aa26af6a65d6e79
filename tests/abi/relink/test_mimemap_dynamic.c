/*
 * Dynamic MIME types through the 2.2.5 API: h2o_mimemap_define_dynamic (the type and the pathconf
 * it owns: global, the default chunked filter, a config slot, its map), lookups by extension
 * (case) and by type, h2o_mimemap_has_dynamic_type, clones sharing the type, the context hooks
 * h2o_mimemap_on_context_init / _dispose (once per context, also when called twice), and the
 * type's pathconf disposed of (its handlers' dispose) when the last map lets go of it. Also
 * h2o_context_dispose_pathconf_context called before h2o_context_dispose: each module's
 * on_context_dispose runs once, as in 2.2.5.
 * Everything is released so that memcheck finds no leak on either library (2.2.5's type holds a
 * reference to its map: removing the extensions first breaks that cycle).
 */
#include "abi_test.h"

#include <h2o.h>

static int inits, disposes, handler_disposes, path_disposes;

static void on_ctx_init(h2o_handler_t *self, h2o_context_t *ctx)
{
    ++inits;
}
static void on_ctx_dispose(h2o_handler_t *self, h2o_context_t *ctx)
{
    ++disposes;
}
static void on_dispose(h2o_handler_t *self)
{
    ++handler_disposes;
}
static void on_path_ctx_dispose(h2o_handler_t *self, h2o_context_t *ctx)
{
    ++path_disposes;
}

/* the inline h2o_mem_release_shared's reference count, read through the header's layout */
static size_t refcnt(void *p)
{
    return H2O_STRUCT_FROM_MEMBER(struct st_h2o_mem_pool_shared_entry_t, bytes, p)->refcnt;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_mimemap_define_dynamic), ABI_FN(h2o_mimemap_on_context_init),
                                        ABI_FN(h2o_mimemap_on_context_dispose), ABI_FN(h2o_mimemap_has_dynamic_type)};
    static h2o_globalconf_t config;
    static h2o_context_t ctx;
    const char *exts[] = {"php", "PHP5", NULL};
    h2o_evloop_t *loop;
    h2o_hostconf_t *host;
    h2o_pathconf_t *path;
    h2o_mimemap_t *map, *clone;
    h2o_mimemap_type_t *t;
    h2o_handler_t *h;
    size_t slots;

    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    h2o_config_init(&config);
    host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    path = h2o_config_register_path(host, "/", 0);
    h = h2o_create_handler(path, sizeof(*h));
    h->on_context_dispose = on_path_ctx_dispose;

    map = h2o_mimemap_create();
    CHECK(!h2o_mimemap_has_dynamic_type(map), "a new map has no dynamic type");
    slots = config._num_config_slots;
    t = h2o_mimemap_define_dynamic(map, exts, &config);
    CHECK(t != NULL && t->type == H2O_MIMEMAP_TYPE_DYNAMIC, "a dynamic type");
    CHECK(config._num_config_slots == slots + 1, "its pathconf's chunked filter took a slot (%zu)", config._num_config_slots - slots);
    CHECK(t->data.dynamic.pathconf.global == &config, "its pathconf belongs to the globalconf");
    CHECK(t->data.dynamic.pathconf.path.base == NULL, "no path");
    CHECK(t->data.dynamic.pathconf.filters.size == 1 && t->data.dynamic.pathconf.handlers.size == 0, "the chunked filter only");
    CHECK(t->data.dynamic.pathconf.mimemap == map, "its map");
    CHECK(t->data.dynamic.pathconf.error_log.emit_request_errors, "request errors emitted");
    CHECK(h2o_mimemap_has_dynamic_type(map), "the map has a dynamic type now");
    CHECK(!h2o_mimemap_has_dynamic_type(config.mimemap), "other maps do not");
    CHECK(h2o_mimemap_get_type_by_extension(map, h2o_iovec_init(H2O_STRLIT("php"))) == t, "php");
    CHECK(h2o_mimemap_get_type_by_extension(map, h2o_iovec_init(H2O_STRLIT("PHP"))) == t, "PHP (lookups lower-case)");
    CHECK(h2o_mimemap_get_type_by_extension(map, h2o_iovec_init(H2O_STRLIT("php5"))) == h2o_mimemap_get_default_type(map),
          "php5: the extension was defined as PHP5, lookups lower-case theirs: not found");
    CHECK(h2o_mimemap_get_type_by_mimetype(map, h2o_iovec_init(H2O_STRLIT("application/octet-stream")), 1) != t,
          "lookups by type never give a dynamic type");

    h = h2o_create_handler(&t->data.dynamic.pathconf, sizeof(*h));
    h->on_context_init = on_ctx_init;
    h->on_context_dispose = on_ctx_dispose;
    h->dispose = on_dispose;

    /* (not h2o_mimemap_has_dynamic_type on a clone: 2.2.5's clone leaves its dynamic-type count
     * uninitialized) */
    clone = h2o_mimemap_clone(map);
    CHECK(h2o_mimemap_get_type_by_extension(clone, h2o_iovec_init(H2O_STRLIT("php"))) == t, "a clone shares the dynamic type");

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    CHECK(inits == 0, "the dynamic type's pathconf is not a host's: not initialized by h2o_context_init");
    h2o_mimemap_on_context_init(map, &ctx);
    h2o_mimemap_on_context_init(clone, &ctx);
    CHECK(inits == 1, "on_context_init once per context (%d)", inits);
    h2o_mimemap_on_context_dispose(map, &ctx);
    h2o_mimemap_on_context_dispose(clone, &ctx);
    CHECK(disposes == 1, "on_context_dispose once (%d)", disposes);
    h2o_context_dispose_pathconf_context(&ctx, path);
    CHECK(path_disposes == 1, "a host's path disposed of explicitly (%d)", path_disposes);
    h2o_context_dispose(&ctx);
    CHECK(disposes == 1 && path_disposes == 1, "h2o_context_dispose does not dispose of them again (%d, %d)", disposes, path_disposes);

    /* the type lives while a map holds it; its pathconf (and handler) goes with the last one */
    h2o_mimemap_remove_type(clone, "php");
    h2o_mimemap_remove_type(clone, "PHP5");
    CHECK(h2o_mimemap_get_type_by_extension(clone, h2o_iovec_init(H2O_STRLIT("php"))) == h2o_mimemap_get_default_type(clone),
          "removed from the clone");
    CHECK(h2o_mimemap_has_dynamic_type(map) && handler_disposes == 0, "still in the map");
    h2o_mimemap_define_mimetype(map, "php", "text/plain", NULL);
    CHECK(h2o_mimemap_has_dynamic_type(map) && handler_disposes == 0, "one extension left");
    h2o_mimemap_remove_type(map, "PHP5");
    CHECK(!h2o_mimemap_has_dynamic_type(map), "none left");
    CHECK(handler_disposes == 1, "the type's pathconf was disposed of with it (%d)", handler_disposes);
    CHECK(refcnt(map) == 1, "only the caller's reference to the map is left (%zu)", refcnt(map));
    h2o_mem_release_shared(clone);
    h2o_mem_release_shared(map);

    h2o_config_dispose(&config);
    h2o_evloop_destroy(loop);
    return abi_report("test_mimemap_dynamic");
}
