/*
 * The 2.2.5 event loop (h2o/socket/evloop.h): h2o_evloop_create / _run / _destroy, the clock read
 * by the inline h2o_now(), max_wait bounding an idle iteration, a pending timeout bounding a long
 * max_wait, h2o_loop_t being h2o_evloop_t, several loops at once.
 */
#include "abi_test.h"

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include <h2o/memory.h>
#include <h2o/socket.h>
#include <h2o/socket/evloop.h>
#include <h2o/timeout.h>

static uint64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int timer_fired;
static void on_timer(h2o_timeout_entry_t *entry)
{
    (void)entry;
    ++timer_fired;
}

int main(int argc, char **argv)
{
    static const struct abi_fn fns[] = {ABI_FN(h2o_evloop_create), ABI_FN(h2o_evloop_run), ABI_FN(h2o_evloop_destroy)};
    h2o_evloop_t *loop, *other;
    h2o_loop_t *as_loop;
    uint64_t t0, w, prev;
    int i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!abi_check_origin(argc, argv, fns, sizeof(fns) / sizeof(fns[0])))
        return 1;

    w = wall_ms();
    loop = h2o_evloop_create();
    CHECK(loop != NULL, "h2o_evloop_create");
    as_loop = loop; /* h2o_loop_t is h2o_evloop_t */
    CHECK(h2o_now(as_loop) + 1000 > w && h2o_now(loop) < wall_ms() + 1000,
          "h2o_now is wall-clock milliseconds (%llu vs %llu)", (unsigned long long)h2o_now(loop), (unsigned long long)w);
    CHECK(h2o_linklist_is_empty(&loop->_timeouts), "no timeouts yet");
    (void)h2o_evloop_get_execution_time(loop);

    /* idle iterations are bounded by max_wait */
    t0 = mono_ms();
    prev = h2o_now(loop);
    CHECK(h2o_evloop_run(loop, 50) == 0, "run returns 0");
    CHECK(mono_ms() - t0 >= 45 && mono_ms() - t0 < 2000, "an idle run(50) took %llu ms", (unsigned long long)(mono_ms() - t0));
    CHECK(h2o_now(loop) >= prev + 45, "the clock advanced by %llu ms", (unsigned long long)(h2o_now(loop) - prev));
    t0 = mono_ms();
    for (i = 0; i != 10; ++i)
        CHECK(h2o_evloop_run(loop, 0) == 0, "run(0) returns 0");
    CHECK(mono_ms() - t0 < 1000, "ten run(0) took %llu ms", (unsigned long long)(mono_ms() - t0));

    /* a pending timeout shortens a long max_wait */
    {
        h2o_timeout_t timeout;
        h2o_timeout_entry_t entry;
        uint64_t linked_at;
        memset(&entry, 0, sizeof(entry));
        entry.cb = on_timer;
        h2o_timeout_init(loop, &timeout, 40);
        /* the entry is due 40 ms after the loop's cached clock (h2o_now), not after the wall clock at
         * the time of linking: a thread descheduled since the last run (valgrind, a loaded machine)
         * sees it fire sooner by the wall clock, on 2.2.5 as on ours; so the lower bound is checked
         * on the loop's clock */
        linked_at = h2o_now(loop);
        h2o_timeout_link(loop, &timeout, &entry);
        t0 = mono_ms();
        for (i = 0; i != 100 && timer_fired == 0; ++i)
            CHECK(h2o_evloop_run(loop, 10000) == 0, "run returns 0");
        CHECK(timer_fired == 1, "the 40 ms timer fired once (%d)", timer_fired);
        CHECK(h2o_now(loop) - linked_at >= 40, "it fired %llu ms after linking by the loop's clock",
              (unsigned long long)(h2o_now(loop) - linked_at));
        CHECK(mono_ms() - t0 < 5000, "it fired after %llu ms", (unsigned long long)(mono_ms() - t0));
        h2o_timeout_dispose(loop, &timeout);
    }

    /* two loops are independent */
    other = h2o_evloop_create();
    CHECK(other != NULL && other != loop, "a second loop");
    CHECK(h2o_evloop_run(other, 1) == 0, "the second loop runs");
    h2o_evloop_destroy(other);
    CHECK(h2o_evloop_run(loop, 1) == 0, "the first loop still runs");
    h2o_evloop_destroy(loop);
    return abi_report("test_evloop");
}
