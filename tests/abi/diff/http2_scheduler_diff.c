/*
 * Differential test of the HTTP/2 priority scheduler (h2o/http2_scheduler.h): our library against
 * Debian's libh2o-evloop 2.2.5, both dlopen()ed (RTLD_LOCAL) into this process.
 *
 *   http2-scheduler-diff OUR_LIB DEBIAN_LIB [ROUNDS [SEED]]
 *
 * Each round gives each library its own root and SLOTS open references (caller-allocated, the
 * 2.2.5 layouts of our header) and applies the same random operations to both: open (below the
 * root or an open reference, weight 1..257, exclusive or not), rebind (to the root, any open
 * reference, often a descendant of the rebound one: RFC 7540 5.3.3), activate, close, and run with
 * a callback that records which reference it was given, keeps it active or deactivates it
 * (`*still_is_active`), sometimes activates another reference meanwhile, and stops the run after k
 * calls by returning a non-zero value. The callback's choices come from a generator seeded the same
 * for both libraries. Compared: every run's trace (the references in call order) and return value;
 * after every operation h2o_http2_scheduler_is_active(root), and for every slot the inline helpers
 * (is_open, get_weight, get_parent, also of closed references: 2.2.5 leaves them as they were),
 * `_self_is_active` and the children lists (`_all_refs`, in order). A round ends by closing every
 * reference in random order (checked the same way) and disposing of the roots.
 *
 * Not generated (2.2.5 asserts or corrupts its lists; see h2o/http2_scheduler.h): closing or
 * rebinding a closed reference, rebinding below itself, changing the tree from the run callback
 * other than by activating.
 *
 * Exits 77 (skip) when Debian's library cannot be loaded.
 */
#include <h2o.h>
#include <h2o/http2_scheduler.h>
#include "diff.h"

#define SLOTS 40
#define MAX_TRACE 4096

struct lib {
    void (*init)(h2o_http2_scheduler_node_t *);
    void (*dispose)(h2o_http2_scheduler_node_t *);
    void (*open)(h2o_http2_scheduler_openref_t *, h2o_http2_scheduler_node_t *, uint16_t, int);
    void (*close)(h2o_http2_scheduler_openref_t *);
    void (*rebind)(h2o_http2_scheduler_openref_t *, h2o_http2_scheduler_node_t *, uint16_t, int);
    void (*activate)(h2o_http2_scheduler_openref_t *);
    int (*run)(h2o_http2_scheduler_node_t *, h2o_http2_scheduler_run_cb, void *);
    int (*is_active)(h2o_http2_scheduler_node_t *);
};

static int load(struct lib *l, const char *path)
{
    void *h = diff_open(path);
    if (h == NULL)
        return -1;
    DIFF_SYM(h, path, l->init, "h2o_http2_scheduler_init");
    DIFF_SYM(h, path, l->dispose, "h2o_http2_scheduler_dispose");
    DIFF_SYM(h, path, l->open, "h2o_http2_scheduler_open");
    DIFF_SYM(h, path, l->close, "h2o_http2_scheduler_close");
    DIFF_SYM(h, path, l->rebind, "h2o_http2_scheduler_rebind");
    DIFF_SYM(h, path, l->activate, "h2o_http2_scheduler_activate");
    DIFF_SYM(h, path, l->run, "h2o_http2_scheduler_run");
    DIFF_SYM(h, path, l->is_active, "h2o_http2_scheduler_is_active");
    return 0;
}

static struct lib ours, deb;

/* one library's tree */
struct world {
    const struct lib *lib;
    const char *name;
    h2o_http2_scheduler_node_t root;
    h2o_http2_scheduler_openref_t refs[SLOTS];
};
static struct world w_ours = {.lib = &ours, .name = "ours"}, w_deb = {.lib = &deb, .name = "2.2.5"};

static h2o_http2_scheduler_node_t *node_of(struct world *w, int slot)
{
    return slot < 0 ? &w->root : &w->refs[slot].node;
}

/* -1 the root, 0..SLOTS-1 a slot, -2 NULL, -3 anything else */
static int slot_of_node(struct world *w, h2o_http2_scheduler_node_t *n)
{
    if (n == &w->root)
        return -1;
    if (n == NULL)
        return -2;
    for (int i = 0; i != SLOTS; ++i)
        if (n == &w->refs[i].node)
            return i;
    return -3;
}

static int slot_of_link(struct world *w, h2o_linklist_t *link)
{
    for (int i = 0; i != SLOTS; ++i)
        if (link == &w->refs[i]._all_link)
            return i;
    return -3;
}

/* the children of `n` as slots; returns how many (at most SLOTS + 1: a cycle or junk shows) */
static int children(struct world *w, h2o_http2_scheduler_node_t *n, int *out)
{
    int cnt = 0;
    if (n->_all_refs.next == NULL)
        return -1;
    for (h2o_linklist_t *l = n->_all_refs.next; l != &n->_all_refs && cnt <= SLOTS; l = l->next) {
        out[cnt++] = slot_of_link(w, l);
        if (out[cnt - 1] < 0)
            break;
    }
    return cnt;
}

static unsigned long ops, runs, callbacks, trace_entries, descendant_rebinds, exclusive_ops;

/* everything the inline helpers and the lists show, both libraries */
static void compare(const char *after)
{
    CHECK(ours.is_active(&w_ours.root) == deb.is_active(&w_deb.root), "after %s: is_active(root) ours %d, 2.2.5 %d", after,
          ours.is_active(&w_ours.root), deb.is_active(&w_deb.root));
    CHECK(w_ours.root._parent == NULL, "after %s: the root has a parent", after);
    for (int i = -1; i != SLOTS; ++i) {
        if (i >= 0) {
            h2o_http2_scheduler_openref_t *a = &w_ours.refs[i], *b = &w_deb.refs[i];
            int open = h2o_http2_scheduler_is_open(b);
            CHECK(h2o_http2_scheduler_is_open(a) == open, "after %s: slot %d is_open ours %d, 2.2.5 %d", after, i,
                  h2o_http2_scheduler_is_open(a), open);
            CHECK(h2o_http2_scheduler_get_weight(a) == h2o_http2_scheduler_get_weight(b), "after %s: slot %d weight ours %u, 2.2.5 %u",
                  after, i, h2o_http2_scheduler_get_weight(a), h2o_http2_scheduler_get_weight(b));
            int pa = slot_of_node(&w_ours, h2o_http2_scheduler_get_parent(a)), pb = slot_of_node(&w_deb, h2o_http2_scheduler_get_parent(b));
            CHECK(pa == pb, "after %s: slot %d parent ours %d, 2.2.5 %d", after, i, pa, pb);
            if (!open)
                continue;
            CHECK(!a->_self_is_active == !b->_self_is_active, "after %s: slot %d _self_is_active ours %d, 2.2.5 %d", after, i,
                  a->_self_is_active, b->_self_is_active);
        }
        int ca[SLOTS + 1], cb[SLOTS + 1];
        int na = children(&w_ours, node_of(&w_ours, i), ca), nb = children(&w_deb, node_of(&w_deb, i), cb);
        int same = na == nb && (na <= 0 || memcmp(ca, cb, sizeof(int) * na) == 0);
        CHECK(same, "after %s: children of %d differ (ours %d, 2.2.5 %d entries; first ours %d, 2.2.5 %d)", after, i, na, nb,
              na > 0 ? ca[0] : -9, nb > 0 ? cb[0] : -9);
    }
}

/* --- the run callback ------------------------------------------------------------------------------- */

struct run_ctx {
    struct world *w;
    uint64_t rng;
    int deactivate_pct, activate_pct, stop_after, stop_value, calls;
    int trace[MAX_TRACE];
    int n;
};

static uint32_t local_rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

static int on_run(h2o_http2_scheduler_openref_t *ref, int *still_is_active, void *arg)
{
    struct run_ctx *c = arg;
    int slot = (int)(ref - c->w->refs);
    if (slot < 0 || slot >= SLOTS)
        slot = -3;
    if (c->n != MAX_TRACE)
        c->trace[c->n++] = slot;
    uint32_t r = local_rnd(&c->rng);
    *still_is_active = (int)(r % 100) >= c->deactivate_pct;
    if ((int)((r >> 8) % 100) < c->activate_pct) {
        int other = (r >> 16) % SLOTS;
        if (h2o_http2_scheduler_is_open(&c->w->refs[other]))
            c->w->lib->activate(&c->w->refs[other]);
    }
    return ++c->calls >= c->stop_after ? c->stop_value : 0;
}

static struct run_ctx rc_ours, rc_deb;

static void do_run(void)
{
    struct run_ctx params = {NULL};
    params.rng = ((uint64_t)rnd() << 32 | rnd()) | 1;
    params.deactivate_pct = (int)(rnd() % 5) * 20;  /* 0, 20, .. 80 % */
    params.activate_pct = rnd() % 3 == 0 ? 10 : 0;
    params.stop_after = rnd() % 4 == 0 ? 1 + (int)(rnd() % 3) : 1 + (int)(rnd() % (MAX_TRACE - 1));
    params.stop_value = rnd() % 2 ? 1 : -7;
    if (params.deactivate_pct == 0 && params.stop_after > 200)
        params.stop_after = 200;
    rc_ours = params;
    rc_ours.w = &w_ours;
    rc_deb = params;
    rc_deb.w = &w_deb;
    int ra = ours.run(&w_ours.root, on_run, &rc_ours), rb = deb.run(&w_deb.root, on_run, &rc_deb);
    ++runs;
    callbacks += rc_deb.calls;
    trace_entries += rc_deb.n;
    CHECK(ra == rb, "run %lu returned ours %d, 2.2.5 %d", runs, ra, rb);
    int at = 0;
    while (at < rc_ours.n && at < rc_deb.n && rc_ours.trace[at] == rc_deb.trace[at])
        ++at;
    CHECK(at == rc_ours.n && at == rc_deb.n, "run %lu: traces differ at call %d of ours %d / 2.2.5 %d (ours %d, 2.2.5 %d)", runs, at,
          rc_ours.n, rc_deb.n, at < rc_ours.n ? rc_ours.trace[at] : -9, at < rc_deb.n ? rc_deb.trace[at] : -9);
}

/* --- the operations ------------------------------------------------------------------------------- */

static int open_slot[SLOTS];
static int num_open;

static int random_slot(int want_open)
{
    if ((want_open ? num_open : SLOTS - num_open) == 0)
        return -1;
    for (;;) {
        int s = rnd() % SLOTS;
        if (open_slot[s] == want_open)
            return s;
    }
}

static uint16_t random_weight(void)
{
    switch (rnd() % 16) {
    case 0:
        return 1;
    case 1:
        return 16;
    case 2:
        return 256;
    case 3:
        return rnd() % 4 == 0 ? 257 : 32;
    default:
        return 1 + rnd() % 256;
    }
}

/* the root (-1) or an open slot; in 2.2.5's tree (both trees have the same shape unless a mismatch
 * was reported already) */
static int random_parent(void)
{
    if (num_open == 0 || rnd() % 3 == 0)
        return -1;
    return random_slot(1);
}

/* a random descendant of `slot` (in 2.2.5's tree), or -1 when it has none */
static int random_descendant(int slot)
{
    int kids[SLOTS + 1], n = children(&w_deb, node_of(&w_deb, slot), kids), found = -1;
    for (int depth = 0; n > 0 && kids[0] >= 0 && depth != SLOTS; ++depth) {
        found = kids[rnd() % n];
        if (found < 0 || rnd() % 2 == 0)
            break;
        n = children(&w_deb, node_of(&w_deb, found), kids);
    }
    return found;
}

static void op_open(void)
{
    int s = random_slot(0);
    if (s < 0)
        return;
    int parent = random_parent(), exclusive = rnd() % 4 == 0;
    exclusive_ops += exclusive;
    uint16_t weight = random_weight();
    ours.open(&w_ours.refs[s], node_of(&w_ours, parent), weight, exclusive);
    deb.open(&w_deb.refs[s], node_of(&w_deb, parent), weight, exclusive);
    open_slot[s] = 1;
    ++num_open;
    compare("open");
}

static void op_close(int s)
{
    ours.close(&w_ours.refs[s]);
    deb.close(&w_deb.refs[s]);
    open_slot[s] = 0;
    --num_open;
    compare("close");
}

static void op_rebind(void)
{
    int s = random_slot(1);
    if (s < 0)
        return;
    int to_descendant = rnd() % 3 == 0, parent = to_descendant ? random_descendant(s) : random_parent();
    if (parent == s || parent < -1)
        parent = -1;
    descendant_rebinds += to_descendant && parent >= 0;
    int exclusive = rnd() % 3 == 0;
    exclusive_ops += exclusive;
    uint16_t weight = rnd() % 4 == 0 ? h2o_http2_scheduler_get_weight(&w_deb.refs[s]) : random_weight();
    ours.rebind(&w_ours.refs[s], node_of(&w_ours, parent), weight, exclusive);
    deb.rebind(&w_deb.refs[s], node_of(&w_deb, parent), weight, exclusive);
    compare("rebind");
}

static void op_activate(void)
{
    int s = random_slot(1);
    if (s < 0)
        return;
    ours.activate(&w_ours.refs[s]);
    deb.activate(&w_deb.refs[s]);
    compare("activate");
}

int main(int argc, char **argv)
{
    unsigned long rounds;
    DIFF_SETUP(load, ours, deb, open, 300, rounds);

    for (unsigned long round = 0; round != rounds; ++round) {
        memset(w_ours.refs, 0, sizeof(w_ours.refs));
        memset(w_deb.refs, 0, sizeof(w_deb.refs));
        memset(open_slot, 0, sizeof(open_slot));
        num_open = 0;
        ours.init(&w_ours.root);
        deb.init(&w_deb.root);
        compare("init");
        unsigned steps = 20 + rnd() % 800;
        for (unsigned step = 0; step != steps; ++step, ++ops) {
            unsigned r = rnd() % 100;
            if (r < 30)
                op_activate();
            else if (r < 50)
                op_open();
            else if (r < 65)
                op_rebind();
            else if (r < 77) {
                int s = random_slot(1);
                if (s >= 0)
                    op_close(s);
            } else {
                do_run();
                compare("run");
            }
        }
        while (num_open != 0) {
            op_close(random_slot(1));
            ++ops;
        }
        CHECK(ours.is_active(&w_ours.root) == deb.is_active(&w_deb.root), "round %lu: is_active after closing all", round);
        ours.dispose(&w_ours.root);
        deb.dispose(&w_deb.root);
    }

    printf("%lu rounds, %lu operations (%lu rebinds below a descendant, %lu exclusive), %lu runs, %lu callbacks (%lu traced), "
           "%lu checks, %lu mismatches\n",
           rounds, ops, descendant_rebinds, exclusive_ops, runs, callbacks, trace_entries, checks, failures);
    return failures != 0;
}
