/* h2o/linklist.h: the intrusive doubly-linked list of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written: names, layout (16 bytes: next 0, prev 8) and semantics are libh2o 2.2.5's.
 *
 * One type serves as both the list head (the "anchor") and the node embedded in an element:
 *   - an anchor is circular; h2o_linklist_init_anchor() makes it point at itself (an empty list);
 *   - a node that is not on a list is all zero (next == NULL); zero-fill elements before use;
 *   - h2o_linklist_insert(pos, node) puts `node` just before `pos`, so inserting before the anchor
 *     appends at the tail;
 *   - h2o_linklist_unlink() takes a node off its list and zeroes its links again.
 * Reach the element from its node with H2O_STRUCT_FROM_MEMBER (h2o/memory.h). */
#ifndef h2o__linklist_h
#define h2o__linklist_h

#include <assert.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A list anchor or a list node (16 bytes). */
typedef struct st_h2o_linklist_t {
    struct st_h2o_linklist_t *next; /* 0: NULL when a node is not linked */
    struct st_h2o_linklist_t *prev; /* 8 */
} h2o_linklist_t;

/** Makes `anchor` an empty list. */
static void h2o_linklist_init_anchor(h2o_linklist_t *anchor);
/** Non-zero when the list anchored at `anchor` has no nodes. */
static int h2o_linklist_is_empty(h2o_linklist_t *anchor);
/** Non-zero when `node` is on a list. */
static int h2o_linklist_is_linked(h2o_linklist_t *node);
/** Links `node` (which must not be linked) just before `pos` (a node or the anchor: the tail). */
static void h2o_linklist_insert(h2o_linklist_t *pos, h2o_linklist_t *node);
/** Moves every node of the list anchored at `list` before `pos`, keeping their order; `list` ends empty. */
static void h2o_linklist_insert_list(h2o_linklist_t *pos, h2o_linklist_t *list);
/** Takes `node` (which must be linked) off its list; its links become NULL. */
static void h2o_linklist_unlink(h2o_linklist_t *node);

/* ---- inline definitions ------------------------------------------------------------------------ */

inline void h2o_linklist_init_anchor(h2o_linklist_t *anchor)
{
    anchor->prev = anchor;
    anchor->next = anchor;
}

inline int h2o_linklist_is_empty(h2o_linklist_t *anchor)
{
    return anchor->next == anchor;
}

inline int h2o_linklist_is_linked(h2o_linklist_t *node)
{
    return node->next != NULL;
}

inline void h2o_linklist_insert(h2o_linklist_t *pos, h2o_linklist_t *node)
{
    h2o_linklist_t *before = pos->prev;
    assert(!h2o_linklist_is_linked(node));
    node->next = pos;
    node->prev = before;
    before->next = node;
    pos->prev = node;
}

inline void h2o_linklist_insert_list(h2o_linklist_t *pos, h2o_linklist_t *list)
{
    h2o_linklist_t *first, *last, *before;
    if (h2o_linklist_is_empty(list))
        return;
    first = list->next;
    last = list->prev;
    before = pos->prev;
    before->next = first;
    first->prev = before;
    last->next = pos;
    pos->prev = last;
    h2o_linklist_init_anchor(list);
}

inline void h2o_linklist_unlink(h2o_linklist_t *node)
{
    h2o_linklist_t *next = node->next, *prev = node->prev;
    assert(h2o_linklist_is_linked(node));
    next->prev = prev;
    prev->next = next;
    node->next = NULL;
    node->prev = NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* h2o__linklist_h */
