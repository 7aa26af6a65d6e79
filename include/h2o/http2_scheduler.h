/* h2o/http2_scheduler.h: the HTTP/2 priority scheduler of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names, semantics, the inline helpers and the x86_64 layouts are 2.2.5's
 * (h2o_http2_scheduler_queue_node_t 24 bytes, h2o_http2_scheduler_node_t 32,
 * h2o_http2_scheduler_openref_t 96): the caller allocates the root node (one per connection) and one
 * open reference per stream, and must not move them while they are in use.
 *
 * A dependency tree (RFC 7540 5.3): each reference hangs below the root or below another open
 * reference, with a weight (1..256; 257 = before all its siblings, as 2.2.5 uses it internally);
 * h2o_http2_scheduler_run() calls back the active references in 2.2.5's order (weighted round robin
 * per level, an active reference before its descendants). The order equals 2.2.5's for the same
 * sequence of calls (tests/abi/diff/http2_scheduler_diff.c compares them against Debian's library).
 *
 * Fields: `weight`, `node._parent` and `_all_link` (linked into the parent's `node._all_refs`, in
 * 2.2.5's order) are kept as 2.2.5 keeps them, so the inline helpers below and code that walks the
 * children work. The others are private and used differently: the root's `_queue` holds the tree
 * (allocated by h2o_http2_scheduler_init, freed by h2o_http2_scheduler_dispose), an open
 * reference's `node._queue` points to the same tree and `_queue_node._deficit` holds its index in
 * it, `_self_is_active` is 1 while the reference itself is active; `_active_cnt` and
 * `_queue_node._link` stay zero.
 *
 * Differences from 2.2.5 (where 2.2.5 asserts or corrupts its lists, this library is defined):
 * closing or rebinding a reference that is not open, or rebinding a reference below itself, does
 * nothing; a parent that is a closed reference is taken as the root of its tree; the run callback
 * may close, rebind or deactivate the reference it was given (then `*still_is_active` is ignored
 * for it). Disposing of a root whose references are still open leaves them unusable. */
#ifndef h2o__http2__scheduler_h
#define h2o__http2__scheduler_h

#include <assert.h>
#include <stdint.h>
#include "h2o/linklist.h"
#include "h2o/memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Queue membership of a reference (24 bytes; private). */
typedef struct st_h2o_http2_scheduler_queue_node_t {
    h2o_linklist_t _link; /* 0 */
    size_t _deficit;      /* 16 */
} h2o_http2_scheduler_queue_node_t;

typedef struct st_h2o_http2_scheduler_queue_t h2o_http2_scheduler_queue_t;

/** A node of the tree (32 bytes): the root of a connection, or the `node` of an open reference. */
typedef struct st_h2o_http2_scheduler_node_t {
    struct st_h2o_http2_scheduler_node_t *_parent; /* 0: NULL for the root */
    h2o_linklist_t _all_refs;                      /* 8: the children (their _all_link) */
    h2o_http2_scheduler_queue_t *_queue;           /* 24: private */
} h2o_http2_scheduler_node_t;

/** A stream's place in the tree (96 bytes). */
typedef struct st_h2o_http2_scheduler_openref_t {
    h2o_http2_scheduler_node_t node;             /* 0 */
    uint16_t weight;                             /* 32 */
    h2o_linklist_t _all_link;                    /* 40: linked while open */
    size_t _active_cnt;                          /* 56: private */
    int _self_is_active;                         /* 64: private */
    h2o_http2_scheduler_queue_node_t _queue_node; /* 72: private */
} h2o_http2_scheduler_openref_t;

/**
 * Called by h2o_http2_scheduler_run for the active reference that may send next. Set
 * `*still_is_active` to non-zero to keep it active, zero to deactivate it; return non-zero to stop
 * the run (h2o_http2_scheduler_run then returns that value), zero to go on.
 */
typedef int (*h2o_http2_scheduler_run_cb)(h2o_http2_scheduler_openref_t *ref, int *still_is_active, void *cb_arg);

/** Makes `root` an empty tree. */
void h2o_http2_scheduler_init(h2o_http2_scheduler_node_t *root);
/** Frees the tree of `root`; close every reference first. */
void h2o_http2_scheduler_dispose(h2o_http2_scheduler_node_t *root);
/** Opens `ref` below `parent` (the root or an open reference's node) with `weight` (1..257);
 * `exclusive`: the parent's other children move below `ref`. `ref` is inactive. */
void h2o_http2_scheduler_open(h2o_http2_scheduler_openref_t *ref, h2o_http2_scheduler_node_t *parent, uint16_t weight,
                              int exclusive);
/** Closes `ref`: its children move to its parent, sharing its weight in proportion to theirs. */
void h2o_http2_scheduler_close(h2o_http2_scheduler_openref_t *ref);
/** Moves `ref` below `new_parent` with `weight` (RFC 7540 5.3.3: a descendant as the new parent
 * first moves to `ref`'s parent; `exclusive`: the new parent's other children move below `ref`). */
void h2o_http2_scheduler_rebind(h2o_http2_scheduler_openref_t *ref, h2o_http2_scheduler_node_t *new_parent, uint16_t weight,
                                int exclusive);
/** Non-zero when `ref` is open. */
static int h2o_http2_scheduler_is_open(h2o_http2_scheduler_openref_t *ref);
/** The weight of `ref`. */
static uint16_t h2o_http2_scheduler_get_weight(h2o_http2_scheduler_openref_t *ref);
/** The parent of `ref`. */
static h2o_http2_scheduler_node_t *h2o_http2_scheduler_get_parent(h2o_http2_scheduler_openref_t *ref);
/** Marks `ref` active: it has something to send (h2o_http2_scheduler_run will call it back). */
void h2o_http2_scheduler_activate(h2o_http2_scheduler_openref_t *ref);
/** Calls `cb` for the active references one at a time, in the tree's order, until none is active
 * (returns 0) or `cb` returns non-zero (returns that value). */
int h2o_http2_scheduler_run(h2o_http2_scheduler_node_t *root, h2o_http2_scheduler_run_cb cb, void *cb_arg);
/** Non-zero when a reference of the tree may be active: as 2.2.5's, it may say yes when none is,
 * and says no only when none is (except inside a run callback). */
int h2o_http2_scheduler_is_active(h2o_http2_scheduler_node_t *root);

/* ---- inline definitions ------------------------------------------------------------------------ */

inline int h2o_http2_scheduler_is_open(h2o_http2_scheduler_openref_t *ref)
{
    return h2o_linklist_is_linked(&ref->_all_link);
}

inline uint16_t h2o_http2_scheduler_get_weight(h2o_http2_scheduler_openref_t *ref)
{
    return ref->weight;
}

inline h2o_http2_scheduler_node_t *h2o_http2_scheduler_get_parent(h2o_http2_scheduler_openref_t *ref)
{
    return ref->node._parent;
}

#ifdef __cplusplus
}
#endif

#endif
