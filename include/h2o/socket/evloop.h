/* h2o/socket/evloop.h: the event loop of libh2o-rs (a drop-in for libh2o-evloop 2.2.5's evloop backend).
 *
 * Hand-written: names and the x86_64 layout of h2o_evloop_t (152 bytes, `_now` at 32) are libh2o
 * 2.2.5's; the engine behind it is libh2o-rs's (Rust, on mio: epoll on Linux).
 *
 * This file is part of h2o/socket.h (which includes it at the right point); including it alone
 * includes h2o/socket.h.
 *
 * The loop is created by h2o_evloop_create() and owned by the caller until h2o_evloop_destroy().
 * Only the library allocates it (the object behind the pointer is larger than h2o_evloop_t); read
 * the public members or call the inline functions below, never copy it. A loop belongs to one
 * thread. Time (h2o_now) is milliseconds since the Unix epoch, updated when h2o_evloop_run() wakes
 * up; unlike 2.2.5 it never goes backwards when the wall clock is set back. */
#ifndef h2o__socket_h
#include "h2o/socket.h"
#else
#ifndef h2o__evloop_h
#define h2o__evloop_h

#include <stdint.h>
#include "h2o/linklist.h"

#ifdef __cplusplus
extern "C" {
#endif

/* flags of h2o_evloop_socket_create() (the others are internal, kept for 2.2.5 source compatibility) */
#define H2O_SOCKET_FLAG_IS_DISPOSED 0x1
#define H2O_SOCKET_FLAG_IS_READ_READY 0x2
#define H2O_SOCKET_FLAG_IS_WRITE_NOTIFY 0x4
#define H2O_SOCKET_FLAG_IS_POLLED_FOR_READ 0x8
#define H2O_SOCKET_FLAG_IS_POLLED_FOR_WRITE 0x10
/** The socket is not read until h2o_socket_read_start() (e.g. a listener handed to h2o_accept later). */
#define H2O_SOCKET_FLAG_DONT_READ 0x20
#define H2O_SOCKET_FLAG_IS_CONNECTING 0x40
#define H2O_SOCKET_FLAG_IS_ACCEPTED_CONNECTION 0x80
#define H2O_SOCKET_FLAG__EPOLL_IS_REGISTERED 0x1000

/** The event loop (152 bytes as seen by C). */
typedef struct st_h2o_evloop_t {
    struct st_h2o_evloop_socket_t *_pending_as_client; /* 0: private */
    struct st_h2o_evloop_socket_t *_pending_as_server; /* 8: private */
    struct {
        struct st_h2o_evloop_socket_t *head;
        struct st_h2o_evloop_socket_t **tail_ref;
    } _statechanged;                   /* 16: private */
    uint64_t _now;                     /* 32: the loop's clock, read it with h2o_now() */
    h2o_linklist_t _timeouts;          /* 40: the h2o_timeout_t registered to this loop */
    h2o_sliding_counter_t exec_time_counter; /* 56: time spent running callbacks per iteration */
} h2o_evloop_t;

/** The loop type of the rest of the API (libh2o-rs has only the evloop backend). */
typedef h2o_evloop_t h2o_loop_t;

/** The backend part of h2o_timeout_t (nothing for the evloop; one byte so C and C++ agree). */
struct st_h2o_timeout_backend_properties_t {
    char _dummy;
};

/** Wraps the connected or listening descriptor `fd` (made non-blocking; owned by the socket from now
 * on) as a socket of `loop`. `flags`: 0 or H2O_SOCKET_FLAG_DONT_READ. NULL when `fd` cannot be polled. */
h2o_socket_t *h2o_evloop_socket_create(h2o_evloop_t *loop, int fd, int flags);
/** Accepts one connection on the listening socket `listener`; NULL when none is pending or on error. */
h2o_socket_t *h2o_evloop_socket_accept(h2o_socket_t *listener);

/** Creates a loop (never NULL: dies through h2o_fatal when the system refuses). Its clock is set. */
h2o_evloop_t *h2o_evloop_create(void);
/** Destroys a loop created by h2o_evloop_create(). Timeouts registered to it must have been
 * disposed of and its sockets closed. */
void h2o_evloop_destroy(h2o_evloop_t *loop);
/** Runs one iteration: waits for I/O at most until the earliest pending timeout is due or
 * `max_wait` milliseconds (negative: no limit from the caller), updates the clock, runs ready I/O
 * callbacks, then every due timeout entry. Returns 0, or -1 when polling failed. */
int h2o_evloop_run(h2o_evloop_t *loop, int32_t max_wait);

/** The loop's clock (milliseconds since the Unix epoch, as of the last wake-up). */
static inline uint64_t h2o_now(h2o_evloop_t *loop)
{
    return loop->_now;
}

/** The time, in milliseconds, an iteration of the loop spent running callbacks (mean of the last 8). */
static inline uint64_t h2o_evloop_get_execution_time(h2o_evloop_t *loop)
{
    return loop->exec_time_counter.average;
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__evloop_h */
#endif /* h2o__socket_h */
