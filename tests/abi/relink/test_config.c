/*
 * Configuration (h2o.h): h2o_config_init's defaults, hosts (lower-cased, host:port, duplicates),
 * paths (copied as given, stored by value), handlers / filters / loggers (zero-filled, config
 * slots, order, dispose callbacks), read back through the structs as an embedder does, then
 * h2o_config_dispose (run under valgrind too: nothing may leak). Every expectation holds for
 * 2.2.5 (the run on Debian's library is the baseline); where the two differ by design (the
 * server name, the mimemap, the filters 2.2.5 pre-registers) only what both promise is checked.
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o.h>

struct my_handler {
    h2o_handler_t super;
    int *disposed;
    char tail[64];
};

static void on_dispose(h2o_handler_t *self)
{
    struct my_handler *h = (struct my_handler *)self;
    ++*h->disposed;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    (void)req;
    return -1;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i != n; ++i)
        if (b[i] != 0)
            return 0;
    return 1;
}

static void test_defaults(void)
{
    static h2o_globalconf_t config;
    memset(&config, 0xa5, sizeof(config)); /* init must not depend on a zeroed struct */
    h2o_config_init(&config);

    CHECK(config.hosts != NULL && config.hosts[0] == NULL, "an empty NULL-terminated host list");
    CHECK(config.server_name.len > 2 && memchr(config.server_name.base, '/', config.server_name.len) != NULL,
          "server_name \"%.*s\" is name/version", (int)config.server_name.len, config.server_name.base);
    CHECK(config.max_request_entity_size == H2O_DEFAULT_MAX_REQUEST_ENTITY_SIZE, "%zu", config.max_request_entity_size);
    CHECK(config.max_delegations == H2O_DEFAULT_MAX_DELEGATIONS, "%u", config.max_delegations);
    CHECK(config.user == NULL, "user");
    CHECK(config.handshake_timeout == H2O_DEFAULT_HANDSHAKE_TIMEOUT, "%llu", (unsigned long long)config.handshake_timeout);
    CHECK(config.http1.req_timeout == H2O_DEFAULT_HTTP1_REQ_TIMEOUT, "%llu", (unsigned long long)config.http1.req_timeout);
    CHECK(config.http1.upgrade_to_http2 == H2O_DEFAULT_HTTP1_UPGRADE_TO_HTTP2, "%d", config.http1.upgrade_to_http2);
    CHECK(config.http2.idle_timeout == H2O_DEFAULT_HTTP2_IDLE_TIMEOUT, "%llu", (unsigned long long)config.http2.idle_timeout);
    CHECK(config.http2.graceful_shutdown_timeout == H2O_DEFAULT_HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT, "%llu",
          (unsigned long long)config.http2.graceful_shutdown_timeout);
    CHECK(config.http2.max_concurrent_requests_per_connection == 100, "%zu", config.http2.max_concurrent_requests_per_connection);
    CHECK(config.http2.max_streams_for_priority == 16, "%zu", config.http2.max_streams_for_priority);
    CHECK(config.http2.latency_optimization.min_rtt == 50 && config.http2.latency_optimization.max_additional_delay == 10 &&
              config.http2.latency_optimization.max_cwnd == 65535,
          "latency_optimization %u %u %u", config.http2.latency_optimization.min_rtt,
          config.http2.latency_optimization.max_additional_delay, config.http2.latency_optimization.max_cwnd);
    CHECK(config.proxy.io_timeout == H2O_DEFAULT_PROXY_IO_TIMEOUT, "%llu", (unsigned long long)config.proxy.io_timeout);
    CHECK(config.proxy.ssl_ctx == NULL, "proxy.ssl_ctx");
    CHECK(!config.proxy.preserve_x_forwarded_proto && !config.proxy.preserve_server_header && config.proxy.emit_x_forwarded_headers &&
              config.proxy.emit_via_header,
          "proxy flags");
    CHECK(config.filecache.capacity == 0, "%zu", config.filecache.capacity);
    CHECK(config.statuses.size == 0, "statuses");
    CHECK(config.configurators.next != NULL && config.configurators.prev != NULL, "configurators is a list");
    h2o_config_dispose(&config);
}

static void test_tree(void)
{
    static h2o_globalconf_t config;
    int disposed = 0;
    size_t filters_before, slot0, i;
    h2o_config_init(&config);

    h2o_hostconf_t *host = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("Example.COM")), 65535);
    CHECK(host != NULL, "register_host");
    CHECK(host->global == &config, "global");
    CHECK_STR(host->authority.host.base, host->authority.host.len, "example.com");
    CHECK_STR(host->authority.hostport.base, host->authority.hostport.len, "example.com");
    CHECK(host->authority.host.base[host->authority.host.len] == '\0', "NUL-terminated host");
    CHECK(host->authority.port == 65535, "%u", host->authority.port);
    CHECK(host->paths.size == 0, "no paths yet");
    CHECK(host->fallback_path.global == &config && host->fallback_path.path.base == NULL && host->fallback_path.path.len == 0,
          "fallback path");
    CHECK(host->fallback_path.handlers.size == 0 && host->fallback_path.loggers.size == 0, "fallback lists");
    CHECK(host->fallback_path.error_log.emit_request_errors == 1, "emit_request_errors");
    CHECK(host->http2.push_preload == 1 && host->http2.reprioritize_blocking_assets == 0, "http2 flags");
    CHECK(host->http2.casper.capacity_bits == 0, "casper off");

    CHECK(h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("example.com")), 65535) == NULL, "duplicate host");
    h2o_hostconf_t *host2 = h2o_config_register_host(&config, h2o_iovec_init(H2O_STRLIT("a.B")), 8080);
    CHECK(host2 != NULL && host2 != host, "second host");
    CHECK_STR(host2->authority.hostport.base, host2->authority.hostport.len, "a.b:8080");
    CHECK_STR(host2->authority.host.base, host2->authority.host.len, "a.b");
    CHECK(host2->authority.port == 8080, "%u", host2->authority.port);
    CHECK(config.hosts[0] == host && config.hosts[1] == host2 && config.hosts[2] == NULL, "hosts list in order");

    h2o_pathconf_t *path = h2o_config_register_path(host, "/Static/", 0);
    CHECK(path == &host->paths.entries[0] && host->paths.size == 1, "paths[0]");
    CHECK_STR(path->path.base, path->path.len, "/Static/");
    CHECK(path->path.base[path->path.len] == '\0', "NUL-terminated path");
    CHECK(path->global == &config && path->mimemap == host->mimemap && path->env == NULL, "path fields");
    CHECK(path->error_log.emit_request_errors == 1, "emit_request_errors");

    struct my_handler *h1 = (struct my_handler *)h2o_create_handler(path, sizeof(*h1));
    CHECK(h1 != NULL, "handler");
    CHECK(h1->super.on_context_init == NULL && h1->super.on_context_dispose == NULL && h1->super.dispose == NULL &&
              h1->super.on_req == NULL && h1->disposed == NULL && all_zero(h1->tail, sizeof(h1->tail)),
          "zero-filled (all %zu bytes)", sizeof(*h1));
    h1->super.on_req = on_req;
    h1->super.dispose = on_dispose;
    h1->disposed = &disposed;
    slot0 = h1->super._config_slot;
    struct my_handler *h2 = (struct my_handler *)h2o_create_handler(path, sizeof(*h2));
    h2->super.dispose = on_dispose;
    h2->disposed = &disposed;
    CHECK(h2->super._config_slot == slot0 + 1, "slots count up: %zu then %zu", slot0, h2->super._config_slot);
    CHECK(slot0 < config._num_config_slots && h2->super._config_slot < config._num_config_slots, "slots below the count");
    CHECK(path->handlers.size == 2 && path->handlers.entries[0] == &h1->super && path->handlers.entries[1] == &h2->super,
          "handlers in registration order");
    CHECK(path->handlers.entries[0]->on_req == on_req, "on_req read back");

    filters_before = path->filters.size;
    h2o_filter_t *f1 = h2o_create_filter(path, sizeof(*f1));
    h2o_filter_t *f2 = h2o_create_filter(path, sizeof(*f2));
    CHECK(path->filters.size == filters_before + 2, "two filters");
    CHECK(path->filters.entries[0] == f2 && path->filters.entries[1] == f1, "the filter registered last comes first");
    h2o_logger_t *l1 = h2o_create_logger(path, sizeof(*l1));
    h2o_logger_t *l2 = h2o_create_logger(path, sizeof(*l2) + 16);
    CHECK(path->loggers.size == 2 && path->loggers.entries[0] == l1 && path->loggers.entries[1] == l2, "loggers appended");

    /* a handler on the fallback path, and more paths (the vector may move: re-read through host) */
    struct my_handler *fb = (struct my_handler *)h2o_create_handler(&host->fallback_path, sizeof(*fb));
    fb->super.dispose = on_dispose;
    fb->disposed = &disposed;
    for (i = 0; i != 9; ++i) {
        char name[16];
        snprintf(name, sizeof(name), "/p%zu", i);
        h2o_pathconf_t *p = h2o_config_register_path(host, name, 0);
        CHECK(p == &host->paths.entries[host->paths.size - 1], "returned the last entry");
        struct my_handler *h = (struct my_handler *)h2o_create_handler(p, sizeof(*h));
        h->super.dispose = on_dispose;
        h->disposed = &disposed;
    }
    CHECK(host->paths.size == 10, "%zu paths", host->paths.size);
    CHECK_STR(host->paths.entries[0].path.base, host->paths.entries[0].path.len, "/Static/");
    CHECK(host->paths.entries[0].handlers.size == 2, "first path kept its handlers");
    CHECK_STR(host->paths.entries[9].path.base, host->paths.entries[9].path.len, "/p8");
    h2o_pathconf_t *other = h2o_config_register_path(host2, "/", 0);
    CHECK(other->global == &config && host2->paths.size == 1, "second host's path");

    h2o_config_dispose(&config);
    CHECK(disposed == 12, "every handler's dispose was called once (%d)", disposed);
}

static void test_own_pathconf(void)
{
    static h2o_globalconf_t config;
    h2o_pathconf_t pathconf;
    int disposed = 0;
    h2o_config_init(&config);
    h2o_config_init_pathconf(&pathconf, &config, "/own", config.mimemap); /* 2.2.5 needs a mimemap here */
    CHECK(pathconf.global == &config, "global");
    CHECK_STR(pathconf.path.base, pathconf.path.len, "/own");
    struct my_handler *h = (struct my_handler *)h2o_create_handler(&pathconf, sizeof(*h));
    h->super.dispose = on_dispose;
    h->disposed = &disposed;
    CHECK(pathconf.handlers.size == 1, "handler added");
    h2o_config_dispose_pathconf(&pathconf);
    CHECK(disposed == 1, "dispose called");
    h2o_config_dispose(&config);
}

int main(int argc, char **argv)
{
    struct abi_fn fns[] = {ABI_FN(h2o_config_init), ABI_FN(h2o_config_register_host), ABI_FN(h2o_config_register_path),
                           ABI_FN(h2o_create_handler), ABI_FN(h2o_config_dispose)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;
    test_defaults();
    test_tree();
    test_own_pathconf();
    return abi_report("test_config");
}
