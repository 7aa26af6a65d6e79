/*
 * The context (h2o.h): h2o_context_init on an evloop with a configuration of two hosts, read back
 * through the struct as an embedder does (loop, globalconf, the timeouts' durations), each handler's
 * and logger's on_context_init / on_context_dispose called once per pathconf, per-handler context
 * slots and storage slots (the inline helpers), h2o_get_timestamp and its strings,
 * h2o_context_request_shutdown, then h2o_context_dispose (under valgrind too). Expectations are
 * 2.2.5's (the run on Debian's library is the baseline).
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o.h>

static int inits, disposes, storage_disposed;
static h2o_context_t *seen_ctx;

static void on_init(h2o_handler_t *self, h2o_context_t *ctx)
{
    ++inits;
    seen_ctx = ctx;
    h2o_context_set_handler_context(ctx, self, self);
}

static void on_dispose(h2o_handler_t *self, h2o_context_t *ctx)
{
    CHECK(h2o_context_get_handler_context(ctx, self) == self, "the handler's slot kept its value");
    ++disposes;
}

static void log_init(h2o_logger_t *self, h2o_context_t *ctx)
{
    (void)self;
    (void)ctx;
    ++inits;
}

static void log_dispose(h2o_logger_t *self, h2o_context_t *ctx)
{
    (void)self;
    (void)ctx;
    ++disposes;
}

static void storage_dispose(void *data)
{
    CHECK(data == (void *)&storage_disposed, "storage data");
    ++storage_disposed;
}

int main(int argc, char **argv)
{
    static h2o_globalconf_t config;
    static h2o_context_t ctx;
    h2o_evloop_t *loop;
    h2o_hostconf_t *hosts[2];
    size_t i, key = SIZE_MAX;
    void **slot;
    h2o_mem_pool_t pool;
    h2o_timestamp_t ts;
    struct timeval *tv;

    struct abi_fn fns[] = {ABI_FN(h2o_context_init), ABI_FN(h2o_context_dispose), ABI_FN(h2o_context_update_timestamp_cache)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    h2o_config_init(&config);
    config.http1.req_timeout = 7000;
    config.http2.idle_timeout = 8000;
    hosts[0] = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("a")), 65535);
    hosts[1] = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("b")), 65535);
    for (i = 0; i != 2; ++i) {
        h2o_pathconf_t *p = h2o_config_register_path(hosts[i], "/", 0);
        h2o_handler_t *h = h2o_create_handler(p, sizeof(*h));
        h->on_context_init = on_init;
        h->on_context_dispose = on_dispose;
        h = h2o_create_handler(&hosts[i]->fallback_path, sizeof(*h));
        h->on_context_init = on_init;
        h->on_context_dispose = on_dispose;
    }
    {
        h2o_logger_t *l = h2o_create_logger(&hosts[0]->paths.entries[0], sizeof(*l));
        l->on_context_init = log_init;
        l->on_context_dispose = log_dispose;
    }

    loop = h2o_evloop_create();
    h2o_context_init(&ctx, loop, &config);
    CHECK(ctx.loop == loop && ctx.globalconf == &config, "loop and globalconf");
    CHECK(inits == 5, "on_context_init calls: %d", inits);
    CHECK(seen_ctx == &ctx, "called with the context");
    CHECK(ctx.zero_timeout.timeout == 0 && ctx.one_sec_timeout.timeout == 1000 && ctx.hundred_ms_timeout.timeout == 100,
          "%llu %llu %llu", (unsigned long long)ctx.zero_timeout.timeout, (unsigned long long)ctx.one_sec_timeout.timeout,
          (unsigned long long)ctx.hundred_ms_timeout.timeout);
    CHECK(ctx.handshake_timeout.timeout == 10000, "%llu", (unsigned long long)ctx.handshake_timeout.timeout);
    CHECK(ctx.http1.req_timeout.timeout == 7000, "%llu", (unsigned long long)ctx.http1.req_timeout.timeout);
    CHECK(ctx.http2.idle_timeout.timeout == 8000, "%llu", (unsigned long long)ctx.http2.idle_timeout.timeout);
    CHECK(ctx.proxy.io_timeout.timeout == 30000, "%llu", (unsigned long long)ctx.proxy.io_timeout.timeout);
    CHECK(ctx.proxy.client_ctx.loop == loop && ctx.proxy.client_ctx.io_timeout == &ctx.proxy.io_timeout, "proxy client ctx");
    CHECK(h2o_linklist_is_empty(&ctx.http1._conns) && h2o_linklist_is_empty(&ctx.http2._conns), "no connections");
    CHECK(ctx.shutdown_requested == 0, "shutdown_requested");
    CHECK(ctx._pathconfs_inited.size >= 4, "%zu pathconfs", ctx._pathconfs_inited.size);
    for (i = 0; i != H2O_STATUS_ERROR_MAX; ++i)
        CHECK(ctx.emitted_error_status[i] == 0, "emitted_error_status[%zu]", i);

    /* initializing a pathconf again does nothing */
    h2o_context_init_pathconf_context(&ctx, &hosts[0]->paths.entries[0]);
    CHECK(inits == 5, "once per pathconf: %d", inits);

    /* storage slots */
    slot = h2o_context_get_storage(&ctx, &key, storage_dispose);
    CHECK(key != SIZE_MAX, "key assigned");
    *slot = &storage_disposed;
    CHECK(h2o_context_get_storage(&ctx, &key, storage_dispose) == slot, "same slot");

    /* timestamps: the inline refreshes the cache when the loop's clock moved */
    h2o_mem_init_pool(&pool);
    tv = h2o_get_timestamp(&ctx, &pool, &ts);
    CHECK(tv != NULL && tv->tv_sec > 1600000000, "time %ld", tv != NULL ? (long)tv->tv_sec : 0L);
    CHECK(ts.str != NULL, "strings");
    if (ts.str != NULL) {
        CHECK(strlen(ts.str->rfc1123) == H2O_TIMESTR_RFC1123_LEN, "\"%s\"", ts.str->rfc1123);
        CHECK(memcmp(ts.str->rfc1123 + H2O_TIMESTR_RFC1123_LEN - 4, " GMT", 4) == 0 && ts.str->rfc1123[3] == ',', "\"%s\"",
              ts.str->rfc1123);
        CHECK(strlen(ts.str->log) == H2O_TIMESTR_LOG_LEN, "\"%s\"", ts.str->log);
        CHECK(ts.str->log[2] == '/' && ts.str->log[6] == '/' && ts.str->log[11] == ':' && ts.str->log[20] == ' ', "\"%s\"",
              ts.str->log);
    }
    CHECK(ts.at.tv_sec == tv->tv_sec, "ts.at");
    h2o_context_update_timestamp_cache(&ctx); /* the pool keeps the old strings alive */
    CHECK(ts.str != NULL && strlen(ts.str->rfc1123) == H2O_TIMESTR_RFC1123_LEN, "old strings still readable");
    h2o_mem_clear_pool(&pool);

    /* connection ids: the inline h2o_create_connection increments the exported h2o_connection_id */
    {
        struct timeval now = {1, 0};
        h2o_conn_t *c1 = h2o_create_connection(sizeof(h2o_conn_t), &ctx, config.hosts, now, NULL);
        h2o_conn_t *c2 = h2o_create_connection(sizeof(h2o_conn_t) + 8, &ctx, config.hosts, now, NULL);
        CHECK(c1->ctx == &ctx && c1->hosts == config.hosts && c1->connected_at.tv_sec == 1 && c1->callbacks == NULL, "conn fields");
        CHECK(c2->id == c1->id + 1 && h2o_connection_id == c2->id, "ids %llu %llu, counter %llu", (unsigned long long)c1->id,
              (unsigned long long)c2->id, (unsigned long long)h2o_connection_id);
        free(c1);
        free(c2);
    }

    h2o_context_request_shutdown(&ctx);
    CHECK(ctx.shutdown_requested == 1, "shutdown_requested");
    /* 2.2.5's HTTP/2 layer links a one-second graceful-shutdown timer; let it fire (bounded) */
    for (i = 0; i != 30 && !h2o_linklist_is_empty(&ctx.one_sec_timeout._entries); ++i)
        h2o_evloop_run(loop, 100);
    CHECK(h2o_linklist_is_empty(&ctx.one_sec_timeout._entries), "no timer left");

    h2o_context_dispose(&ctx);
    CHECK(disposes == 5, "on_context_dispose calls: %d", disposes);
    CHECK(storage_disposed == 1, "storage dispose: %d", storage_disposed);
    h2o_evloop_destroy(loop);
    h2o_config_dispose(&config);
    return abi_report("test_context");
}
