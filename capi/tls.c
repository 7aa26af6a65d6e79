/* h2o_socket_buffer_prototype: the socket layer's buffer prototype, thread-local as in libh2o 2.2.5
 * (readelf shows an STT_TLS object of 72 bytes). Stable Rust cannot define an exported thread-local,
 * so this one definition is C; build.rs compiles it with the cc crate and src/ffi/memory.rs declares
 * it (kind = "static") so that the cdylib exports it; src/buffer/mod.rs declares the accessor.
 *
 * Initial values as 2.2.5: recycle up to 16 buffers, initial capacity twice
 * H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE, the process-wide h2o_socket_buffer_mmap_settings. */
#include "h2o/memory.h"

#define H2O_RS_SOCKET_INITIAL_INPUT_BUFFER_SIZE 4096 /* = H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE (h2o/socket.h) */

extern h2o_buffer_mmap_settings_t h2o_socket_buffer_mmap_settings;

__thread h2o_buffer_prototype_t h2o_socket_buffer_prototype = {
    {16, 0, NULL},
    {H2O_RS_SOCKET_INITIAL_INPUT_BUFFER_SIZE * 2, 0, NULL, NULL, -1, {0}},
    &h2o_socket_buffer_mmap_settings,
};

/* The calling thread's instance, for the Rust side (not exported). */
h2o_buffer_prototype_t *h2o_rs__socket_buffer_prototype(void);
h2o_buffer_prototype_t *h2o_rs__socket_buffer_prototype(void)
{
    return &h2o_socket_buffer_prototype;
}
