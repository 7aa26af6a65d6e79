/*
 * URL schemes (h2o/url.h): the exported data objects H2O_URL_SCHEME_HTTP / _HTTPS (24 bytes each;
 * this program takes their addresses, so built against Debian's headers its linker copy-relocates
 * them) and the inline h2o_url_get_port / h2o_url_host_is_unix_path.
 */
#include "abi_test.h"

#include <stdint.h>

#include <h2o/memory.h>
#include <h2o/string_.h> /* 2.2.5's url.h needs it first */
#include <h2o/url.h>

static const h2o_url_scheme_t *const schemes[] = {&H2O_URL_SCHEME_HTTP, &H2O_URL_SCHEME_HTTPS};

int main(int argc, char **argv)
{
    h2o_url_t url;
    /* no function of the URL API is exported yet: prove the origin with a memory.h one */
    struct abi_fn fns[] = {ABI_FN(h2o_mem_alloc_pool)};
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    CHECK(sizeof(h2o_url_scheme_t) == 24, "%zu", sizeof(h2o_url_scheme_t));
    CHECK_STR(schemes[0]->name.base, schemes[0]->name.len, "http");
    CHECK(schemes[0]->default_port == 80, "%u", schemes[0]->default_port);
    CHECK_STR(schemes[1]->name.base, schemes[1]->name.len, "https");
    CHECK(schemes[1]->default_port == 443, "%u", schemes[1]->default_port);
    CHECK(schemes[0]->name.base[4] == '\0' && schemes[1]->name.base[5] == '\0', "NUL-terminated names");

    memset(&url, 0, sizeof(url));
    url.scheme = &H2O_URL_SCHEME_HTTPS;
    url._port = 65535;
    CHECK(h2o_url_get_port(&url) == 443, "default port");
    url._port = 8443;
    CHECK(h2o_url_get_port(&url) == 8443, "explicit port");
    CHECK(h2o_url_host_is_unix_path(h2o_iovec_init(H2O_STRLIT("unix:/tmp/s"))), "unix path");
    CHECK(!h2o_url_host_is_unix_path(h2o_iovec_init(H2O_STRLIT("unix"))), "too short");
    CHECK(!h2o_url_host_is_unix_path(h2o_iovec_init(H2O_STRLIT("example.com"))), "host");
    return abi_report("test_url");
}
