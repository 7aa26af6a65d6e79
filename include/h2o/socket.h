/* h2o/socket.h: the socket API of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * INCOMPLETE ON PURPOSE: for now this header declares the socket layer's buffer settings (which
 * h2o/memory.h's buffers use), the sliding counter, the h2o_socket_t name and the event loop (through
 * h2o/socket/evloop.h). The socket functions and the h2o_socket_t members follow.
 *
 * libh2o-rs has only the evloop backend: H2O_USE_LIBUV defaults to 0 here, and h2o_loop_t is
 * h2o_evloop_t. Defining H2O_USE_LIBUV to non-zero is an error. */
#ifndef h2o__socket_h
#define h2o__socket_h

#include <stdint.h>
#include "h2o/memory.h"

#ifndef H2O_USE_LIBUV
#define H2O_USE_LIBUV 0
#endif
#if H2O_USE_LIBUV
#error "libh2o-rs has no libuv backend: build with H2O_USE_LIBUV=0 (pkg-config --cflags libh2o-evloop)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** A moving average of the last 8 measured periods (96 bytes), e.g. the loop's time spent running
 * callbacks. Zero-fill to initialize; start, then stop with the same clock (milliseconds). */
typedef struct st_h2o_sliding_counter_t {
    uint64_t average; /* 0: the mean of prev.slots */
    struct {
        uint64_t sum;      /* 8 */
        uint64_t slots[8]; /* 16 */
        size_t index;      /* 80: the slot the next period goes to */
    } prev;
    struct {
        uint64_t start_at; /* 88: 0 when not running */
    } cur;
} h2o_sliding_counter_t;

/** Non-zero between h2o_sliding_counter_start() and h2o_sliding_counter_stop(). */
static int h2o_sliding_counter_is_running(h2o_sliding_counter_t *counter);
/** Starts a period at `now` (non-zero). */
static void h2o_sliding_counter_start(h2o_sliding_counter_t *counter, uint64_t now);
/** Ends the running period at `now`, stores its length in the next slot and updates `average`. */
void h2o_sliding_counter_stop(h2o_sliding_counter_t *counter, uint64_t now);

/** Initial capacity of a socket's input buffer is twice this. */
#define H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE 4096

typedef struct st_h2o_socket_t h2o_socket_t;

/** Called when a read or a write completes; `err` is NULL on success, else one of the
 * h2o_socket_error_* strings. */
typedef void (*h2o_socket_cb)(h2o_socket_t *sock, const char *err);

#ifdef __cplusplus
}
#endif
#include "h2o/socket/evloop.h"
#ifdef __cplusplus
extern "C" {
#endif

/** mmap settings of socket buffers: threshold 32 MiB, template "/tmp/h2o.b.XXXXXX". Process-wide;
 * change it before sockets are created. */
extern h2o_buffer_mmap_settings_t h2o_socket_buffer_mmap_settings;
/** Prototype of socket buffers: one per thread (recycles up to 16 buffers of
 * 2 * H2O_SOCKET_INITIAL_INPUT_BUFFER_SIZE bytes; uses h2o_socket_buffer_mmap_settings). */
extern __thread h2o_buffer_prototype_t h2o_socket_buffer_prototype;

/* ---- inline definitions ------------------------------------------------------------------------ */

inline int h2o_sliding_counter_is_running(h2o_sliding_counter_t *counter)
{
    return counter->cur.start_at != 0;
}

inline void h2o_sliding_counter_start(h2o_sliding_counter_t *counter, uint64_t now)
{
    counter->cur.start_at = now;
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__socket_h */
