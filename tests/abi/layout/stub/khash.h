/* A stand-in for klib's khash.h, which 2.2.5's h2o/http2_internal.h includes and Debian's
 * libh2o-dev-common does not ship: just enough for that header to compile in the layout checks
 * (check-layouts.sh). The hash map it declares is opaque here; no layout row depends on it. */
#ifndef h2o_rs_khash_stub_h
#define h2o_rs_khash_stub_h
typedef unsigned khint_t;
typedef khint_t khiter_t;
#define KHASH_MAP_INIT_INT64(name, khval_t) typedef struct kh_##name##_s kh_##name##_t;
#define khash_t(name) kh_##name##_t
#define kh_get(name, h, k) ((khiter_t)0)
#define kh_end(h) ((khiter_t)0)
#define kh_val(h, x) NULL
#endif
