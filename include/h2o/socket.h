/* h2o/socket.h: the socket API of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * INCOMPLETE ON PURPOSE: for now this header only declares the socket layer's buffer settings,
 * which h2o/memory.h's buffers use. The event-loop issue completes it (h2o_socket_t, the loop, ...). */
#ifndef h2o__socket_h
#define h2o__socket_h

#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Initial capacity of a socket's input buffer is twice this. */
#define H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE 4096

/** mmap settings of socket buffers: threshold 32 MiB, template "/tmp/h2o.b.XXXXXX". Process-wide;
 * change it before sockets are created. */
extern h2o_buffer_mmap_settings_t h2o_socket_buffer_mmap_settings;
/** Prototype of socket buffers: one per thread (recycles up to 16 buffers of
 * 2 * H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE bytes; uses h2o_socket_buffer_mmap_settings). */
extern __thread h2o_buffer_prototype_t h2o_socket_buffer_prototype;

#ifdef __cplusplus
}
#endif

#endif /* h2o__socket_h */
