/* h2o/timeout.h: timeouts of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written: names, the x86_64 layouts (h2o_timeout_t 48 bytes, h2o_timeout_entry_t 32) and the
 * semantics are libh2o 2.2.5's.
 *
 * A timeout (h2o_timeout_t) is one duration, registered to a loop, with a FIFO of entries. An entry
 * (h2o_timeout_entry_t) is embedded in the caller's object; zero-fill it and set `cb`. Linking an
 * entry stamps it with h2o_now(loop) and appends it, so the FIFO is sorted by deadline. Once
 * `now >= registered_at + timeout`, h2o_evloop_run() unlinks the entry and calls `cb`, in link
 * order. A callback may link or unlink any entry, including the one it is called for.
 *
 * Ownership: the caller owns every h2o_timeout_t and entry; they must stay in place while linked
 * (the lists point into them). Dispose of a timeout only when it has no linked entries. */
#ifndef h2o__timeout_h
#define h2o__timeout_h

#include <stdint.h>
#include "h2o/linklist.h"
#include "h2o/socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_h2o_timeout_entry_t h2o_timeout_entry_t;
/** Called with the entry that expired (already unlinked: it may be linked again). */
typedef void (*h2o_timeout_cb)(h2o_timeout_entry_t *entry);

/** An entry (32 bytes), embedded in the caller's object. */
struct st_h2o_timeout_entry_t {
    uint64_t registered_at; /* 0: h2o_now() when linked; 0 when not linked */
    h2o_timeout_cb cb;      /* 8 */
    h2o_linklist_t _link;   /* 16: node in the timeout's `_entries` */
};

/** A duration and the entries waiting on it (48 bytes). */
typedef struct st_h2o_timeout_t {
    uint64_t timeout;        /* 0: milliseconds */
    h2o_linklist_t _link;    /* 8: node in the loop's `_timeouts` */
    h2o_linklist_t _entries; /* 24: anchor of the linked h2o_timeout_entry_t, oldest first */
    struct st_h2o_timeout_backend_properties_t _backend; /* 40 */
} h2o_timeout_t;

/** Initializes `timeout` to `millis` milliseconds and registers it to `loop`. */
void h2o_timeout_init(h2o_loop_t *loop, h2o_timeout_t *timeout, uint64_t millis);
/** Unregisters `timeout` from `loop`; no entry may be linked to it. */
void h2o_timeout_dispose(h2o_loop_t *loop, h2o_timeout_t *timeout);
/** Links `entry` (which must not be linked) at the tail of `timeout`, stamped with h2o_now(loop). */
void h2o_timeout_link(h2o_loop_t *loop, h2o_timeout_t *timeout, h2o_timeout_entry_t *entry);
/** Unlinks `entry` if it is linked; does nothing otherwise. */
void h2o_timeout_unlink(h2o_timeout_entry_t *entry);
/** Non-zero when `entry` is linked (its callback is pending). */
static int h2o_timeout_is_linked(h2o_timeout_entry_t *entry);

/** Fires the entries of `timeout` that are due at `now`, oldest first (h2o_evloop_run does this). */
void h2o_timeout_run(h2o_loop_t *loop, h2o_timeout_t *timeout, uint64_t now);
/** The earliest deadline among the timeouts on the list `timeouts` (a loop's `_timeouts`);
 * UINT64_MAX when no entry is linked. */
uint64_t h2o_timeout_get_wake_at(h2o_linklist_t *timeouts);
/* backend hooks, called by the functions above (exported as in 2.2.5) */
void h2o_timeout__do_init(h2o_loop_t *loop, h2o_timeout_t *timeout);
void h2o_timeout__do_dispose(h2o_loop_t *loop, h2o_timeout_t *timeout);
void h2o_timeout__do_link(h2o_loop_t *loop, h2o_timeout_t *timeout, h2o_timeout_entry_t *entry);
void h2o_timeout__do_post_callback(h2o_loop_t *loop);

/* ---- inline definitions ------------------------------------------------------------------------ */

inline int h2o_timeout_is_linked(h2o_timeout_entry_t *entry)
{
    return h2o_linklist_is_linked(&entry->_link);
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__timeout_h */
