/*
 * The 2.2.5 timeout API (h2o/timeout.h) on the evloop: entries fire in link order once
 * now >= registered_at + timeout, through h2o_timeout_run with explicit clocks and through
 * h2o_evloop_run in a bounded loop; callbacks that link and unlink entries; the inline
 * h2o_timeout_is_linked and h2o_linklist_* helpers; h2o_timeout_get_wake_at.
 */
#include "abi_test.h"

#include <stdint.h>
#include <sys/time.h>

#include <h2o/linklist.h>
#include <h2o/memory.h>
#include <h2o/socket.h>
#include <h2o/timeout.h>

struct job {
    h2o_timeout_entry_t entry;
    int id;
};

static int fired[64];
static size_t nfired;
static h2o_evloop_t *loop;
static h2o_timeout_t t10, t30, t0;
static struct job *cancel_me;     /* unlinked by the callback of job 2 */
static struct job *relink_once;   /* job 4 links itself again to t10 once */
static uint64_t fired_at[64];

static void on_timeout(h2o_timeout_entry_t *entry)
{
    struct job *job = H2O_STRUCT_FROM_MEMBER(struct job, entry, entry);
    CHECK(!h2o_timeout_is_linked(entry), "job %d: the entry is unlinked before its callback", job->id);
    CHECK(entry->registered_at == 0, "job %d: registered_at is reset", job->id);
    if (nfired < sizeof(fired) / sizeof(fired[0])) {
        fired_at[nfired] = h2o_now(loop);
        fired[nfired++] = job->id;
    }
    if (job->id == 2 && cancel_me != NULL) {
        h2o_timeout_unlink(&cancel_me->entry);
        h2o_timeout_unlink(&cancel_me->entry); /* a second unlink is a no-op */
        cancel_me = NULL;
    }
    if (job == relink_once) {
        relink_once = NULL;
        h2o_timeout_link(loop, &t10, entry);
    }
}

static void check_fired(const char *what, const int *want, size_t n)
{
    size_t i;
    int same = nfired == n;
    for (i = 0; same && i != n; ++i)
        same = fired[i] == want[i];
    CHECK(same, "%s: %zu callbacks fired, expected %zu in order", what, nfired, n);
    if (!same) {
        for (i = 0; i != nfired; ++i)
            fprintf(stderr, "  fired[%zu] = %d\n", i, fired[i]);
    }
}

static void test_linklist(void)
{
    h2o_linklist_t a, b, n1 = {NULL, NULL}, n2 = {NULL, NULL}, n3 = {NULL, NULL};
    h2o_linklist_init_anchor(&a);
    h2o_linklist_init_anchor(&b);
    CHECK(h2o_linklist_is_empty(&a), "a new anchor is empty");
    CHECK(!h2o_linklist_is_linked(&n1), "a zeroed node is not linked");
    h2o_linklist_insert(&a, &n1);
    h2o_linklist_insert(&a, &n2);
    h2o_linklist_insert(&n1, &n3); /* before n1: n3 n1 n2 */
    CHECK(a.next == &n3 && n3.next == &n1 && n1.next == &n2 && n2.next == &a && a.prev == &n2, "insert order");
    h2o_linklist_insert_list(&b, &a);
    CHECK(h2o_linklist_is_empty(&a) && b.next == &n3 && b.prev == &n2 && n2.next == &b, "insert_list moves all");
    h2o_linklist_unlink(&n1);
    CHECK(!h2o_linklist_is_linked(&n1) && n3.next == &n2 && n2.prev == &n3, "unlink");
}

static void test_explicit_clock(void)
{
    struct job a = {{0}, 101}, b = {{0}, 102};
    uint64_t now = h2o_now(loop);
    a.entry.cb = on_timeout;
    b.entry.cb = on_timeout;
    nfired = 0;
    h2o_timeout_link(loop, &t30, &a.entry);
    h2o_timeout_link(loop, &t30, &b.entry);
    CHECK(a.entry.registered_at == now, "registered_at is h2o_now(loop)");
    CHECK(h2o_timeout_is_linked(&a.entry), "linked");
    CHECK(h2o_timeout_get_wake_at(&loop->_timeouts) == now + 30, "wake_at %llu, want now + 30",
          (unsigned long long)(h2o_timeout_get_wake_at(&loop->_timeouts) - now));
    h2o_timeout_run(loop, &t30, now + 29);
    CHECK(nfired == 0, "nothing is due 1 ms early");
    h2o_timeout_run(loop, &t30, now + 30);
    {
        static const int want[] = {101, 102};
        check_fired("h2o_timeout_run at the deadline", want, 2);
    }
    CHECK(h2o_timeout_get_wake_at(&loop->_timeouts) == UINT64_MAX, "no entry: wake_at is UINT64_MAX");
}

static void test_run_loop(void)
{
    struct job jobs[6];
    uint64_t start;
    int i, rounds;
    for (i = 0; i != 6; ++i) {
        memset(&jobs[i], 0, sizeof(jobs[i]));
        jobs[i].id = i;
        jobs[i].entry.cb = on_timeout;
    }
    nfired = 0;
    start = h2o_now(loop);
    /* t30: 1 then 3 (3 is cancelled by 2's callback); t10: 2 then 4; t0: 5; job 0 on t30 last */
    h2o_timeout_link(loop, &t30, &jobs[1].entry);
    h2o_timeout_link(loop, &t30, &jobs[3].entry);
    h2o_timeout_link(loop, &t10, &jobs[2].entry);
    h2o_timeout_link(loop, &t10, &jobs[4].entry);
    h2o_timeout_link(loop, &t0, &jobs[5].entry);
    h2o_timeout_link(loop, &t30, &jobs[0].entry);
    cancel_me = &jobs[3];
    relink_once = &jobs[4];
    for (rounds = 0; rounds != 500 && nfired < 6; ++rounds)
        CHECK(h2o_evloop_run(loop, 1000) == 0, "h2o_evloop_run returns 0");
    {
        /* the order within one timeout is link order: 2 then 4 (10 ms), 1 then 0 (30 ms); across
         * timeouts it depends on when the iterations happen, so only deadlines are checked there */
        int pos[6] = {-1, -1, -1, -1, -1, -1}, n4 = 0;
        uint64_t first4 = 0;
        CHECK(nfired == 6, "6 callbacks (got %zu) within %d iterations", nfired, rounds);
        for (i = 0; i != (int)nfired; ++i) {
            CHECK(fired[i] != 3, "the cancelled job never fires");
            if (fired[i] == 4 && n4++ == 0)
                first4 = fired_at[i];
            if (pos[fired[i]] < 0)
                pos[fired[i]] = i;
        }
        CHECK(pos[2] >= 0 && pos[4] > pos[2], "the 10 ms entries in link order (2 at %d, 4 at %d)", pos[2], pos[4]);
        CHECK(pos[1] >= 0 && pos[0] > pos[1], "the 30 ms entries in link order (1 at %d, 0 at %d)", pos[1], pos[0]);
        CHECK(pos[5] >= 0, "the 0 ms entry fired");
        CHECK(n4 == 2, "the relinked job fired twice (%d)", n4);
        for (i = 0; i != (int)nfired; ++i) {
            uint64_t min = fired[i] == 5 ? 0 : fired[i] == 2 ? 10 : fired[i] == 4 ? (fired_at[i] == first4 && i == pos[4] ? 10 : 20) : 30;
            CHECK(fired_at[i] - start >= min, "job %d fired %llu ms after start, before its %llu ms", fired[i],
                  (unsigned long long)(fired_at[i] - start), (unsigned long long)min);
            CHECK(fired_at[i] - start < 5000, "job %d fired late: %llu ms", fired[i], (unsigned long long)(fired_at[i] - start));
            if (fired[i] == 4 && i != pos[4])
                CHECK(fired_at[i] >= first4 + 10, "the relinked entry waited its 10 ms again");
        }
    }
    for (i = 0; i != 6; ++i)
        CHECK(!h2o_timeout_is_linked(&jobs[i].entry), "job %d is unlinked at the end", i);
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_timeout_link), ABI_FN(h2o_timeout_init), ABI_FN(h2o_timeout_run),
                                        ABI_FN(h2o_evloop_run), ABI_FN(h2o_evloop_create)};
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    test_linklist();
    loop = h2o_evloop_create();
    CHECK(loop != NULL, "h2o_evloop_create");
    h2o_timeout_init(loop, &t10, 10);
    h2o_timeout_init(loop, &t30, 30);
    h2o_timeout_init(loop, &t0, 0);
    CHECK(t10.timeout == 10 && h2o_linklist_is_empty(&t10._entries), "h2o_timeout_init");
    CHECK(h2o_linklist_is_linked(&t30._link), "the timeout is registered to the loop");
    test_explicit_clock();
    test_run_loop();
    h2o_timeout_dispose(loop, &t10);
    h2o_timeout_dispose(loop, &t30);
    h2o_timeout_dispose(loop, &t0);
    CHECK(h2o_linklist_is_empty(&loop->_timeouts), "disposed timeouts leave the loop");
    h2o_evloop_destroy(loop);
    return abi_report("test_timeout");
}
