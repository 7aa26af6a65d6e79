/* h2o/multithread.h: cross-thread message queues of libh2o-rs (a drop-in for libh2o-evloop 2.2.5).
 *
 * Hand-written; names and the x86_64 layout of h2o_multithread_receiver_t (48 bytes, embedded in
 * h2o_context_t) are 2.2.5's. Types only for now: the functions are declared below but NOT YET
 * PROVIDED by libh2o-rs (Tier 2: a program calling them fails to link). */
#ifndef h2o__multithread_h
#define h2o__multithread_h

#include "h2o/linklist.h"
#include "h2o/socket.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct st_h2o_multithread_receiver_t h2o_multithread_receiver_t;
typedef struct st_h2o_multithread_queue_t h2o_multithread_queue_t; /* opaque */
typedef struct st_h2o_multithread_request_t h2o_multithread_request_t;

/** Called on the receiving loop with the messages (h2o_multithread_message_t.link) that arrived. */
typedef void (*h2o_multithread_receiver_cb)(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);
typedef void (*h2o_multithread_response_cb)(h2o_multithread_request_t *req);

/** A receiver, owned by the caller (48 bytes); registered to one queue. */
struct st_h2o_multithread_receiver_t {
    h2o_multithread_queue_t *queue; /* 0 */
    h2o_linklist_t _link;           /* 8: private */
    h2o_linklist_t _messages;       /* 24: private */
    h2o_multithread_receiver_cb cb; /* 40 */
};

/** The head of a message; embed it first in your own message struct. */
typedef struct st_h2o_multithread_message_t {
    h2o_linklist_t link;
} h2o_multithread_message_t;

/* --- not yet provided by libh2o-rs ------------------------------------------------------------ */
h2o_multithread_queue_t *h2o_multithread_create_queue(h2o_loop_t *loop);
void h2o_multithread_destroy_queue(h2o_multithread_queue_t *queue);
void h2o_multithread_register_receiver(h2o_multithread_queue_t *queue, h2o_multithread_receiver_t *receiver,
                                       h2o_multithread_receiver_cb cb);
void h2o_multithread_unregister_receiver(h2o_multithread_queue_t *queue, h2o_multithread_receiver_t *receiver);
void h2o_multithread_send_message(h2o_multithread_receiver_t *receiver, h2o_multithread_message_t *message);
/* ----------------------------------------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif
