/*
 * delayline: a user-space WAN link between two network namespaces (no tc netem needed).
 *
 *   delayline NS_A TUN_A NS_B TUN_B RTT_MS RATE_KBIT QUEUE_BYTES MAX_SECONDS
 *
 * Attaches to the (persistent, already configured) TUN device TUN_A inside the network namespace
 * /var/run/netns/NS_A and to TUN_B inside NS_B (setns(2) before each open, so each device stays
 * in its own namespace), then forwards every IP packet read from one device to the other:
 *
 *   - each direction delays by RTT_MS / 2 (a packet leaves the link RTT/2 after it finished
 *     crossing the bottleneck);
 *   - RATE_KBIT > 0: each direction is a bottleneck of that rate (a packet occupies the link for
 *     len * 8 / rate); packets wait in a FIFO router queue bounded to QUEUE_BYTES (tail drop when
 *     the bytes not yet serialized would exceed it). RATE_KBIT = 0: no cap (no queue, no drops
 *     except when the in-flight ring is full).
 *
 * DELAYLINE_TRACE=FILE in the environment: one line per packet taken in (milliseconds since the
 * start, direction, IP length, and for TCP: ports, seq, ack, flags, payload length; "drop" when
 * the queue drops it), to see what a run did on the wire (there is no tcpdump on CI's machine).
 *
 * Exits after MAX_SECONDS (or on SIGTERM / SIGINT) and prints its counters on stderr. It prints
 * "ready" on stdout once both devices are attached.
 *
 * Single-threaded: ppoll(2) on both devices with the time of the next departure as the timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOT_BYTES 1600 /* > the devices' MTU (1500) */
#define RING_SLOTS 32768 /* per direction: ~45 MB of 1500-byte packets in flight at most */

struct slot {
    uint64_t release_ns;
    uint32_t len;
    unsigned char data[SLOT_BYTES];
};

struct direction {
    const char *name;
    int in_fd, out_fd;
    struct slot *ring;
    size_t head, count;
    uint64_t link_free_ns; /* when the bottleneck finishes serializing what it holds */
    uint64_t forwarded, dropped_queue, dropped_ring, bytes;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int open_tun_in(const char *ns, const char *ifname)
{
    char path[256];
    struct ifreq ifr;
    int nsfd, fd;

    snprintf(path, sizeof(path), "/var/run/netns/%s", ns);
    if ((nsfd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "delayline: open %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (setns(nsfd, CLONE_NEWNET) != 0) {
        fprintf(stderr, "delayline: setns %s: %s\n", ns, strerror(errno));
        close(nsfd);
        return -1;
    }
    close(nsfd);
    if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
        fprintf(stderr, "delayline: open /dev/net/tun: %s\n", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        fprintf(stderr, "delayline: TUNSETIFF %s in %s: %s\n", ifname, ns, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static uint64_t one_way_ns, rate_kbit, queue_bytes, start_ns;
static FILE *trace;

static void trace_packet(const struct direction *d, const unsigned char *p, size_t n, uint64_t now, int dropped)
{
    fprintf(trace, "%.3f %s %zu", (double)(now - start_ns) / 1e6, d->name, n);
    if (n >= 20 && (p[0] >> 4) == 4 && p[9] == 6) {
        size_t ihl = (size_t)(p[0] & 15) * 4, tot = (size_t)p[2] << 8 | p[3];
        if (n >= ihl + 20) {
            const unsigned char *t = p + ihl;
            size_t doff = (size_t)(t[12] >> 4) * 4;
            unsigned f = t[13];
            fprintf(trace, " %u>%u seq %u ack %u %s%s%s%s len %zu", (unsigned)(t[0] << 8 | t[1]), (unsigned)(t[2] << 8 | t[3]),
                    (unsigned)t[4] << 24 | (unsigned)t[5] << 16 | (unsigned)t[6] << 8 | t[7],
                    (unsigned)t[8] << 24 | (unsigned)t[9] << 16 | (unsigned)t[10] << 8 | t[11], f & 2 ? "S" : "", f & 1 ? "F" : "",
                    f & 8 ? "P" : "", f & 16 ? "." : "", tot > ihl + doff ? tot - ihl - doff : 0);
        }
    }
    fprintf(trace, "%s\n", dropped ? " drop" : "");
}

/* reads every packet waiting on d->in_fd into the ring */
static void take(struct direction *d)
{
    for (;;) {
        struct slot *s = &d->ring[(d->head + d->count) % RING_SLOTS];
        ssize_t n = read(d->in_fd, s->data, SLOT_BYTES);
        if (n <= 0)
            return;
        uint64_t now = now_ns();
        if (d->count == RING_SLOTS) {
            d->dropped_ring++;
            continue;
        }
        uint64_t depart = now;
        if (rate_kbit != 0) {
            uint64_t start = d->link_free_ns > now ? d->link_free_ns : now;
            /* bytes still waiting for the bottleneck, ahead of this packet */
            uint64_t backlog = (start - now) * rate_kbit / 8000000u;
            if (backlog + (uint64_t)n > queue_bytes) {
                if (trace != NULL)
                    trace_packet(d, s->data, (size_t)n, now, 1);
                d->dropped_queue++;
                continue;
            }
            depart = start + (uint64_t)n * 8000000u / rate_kbit;
            d->link_free_ns = depart;
        }
        if (trace != NULL)
            trace_packet(d, s->data, (size_t)n, now, 0);
        s->len = (uint32_t)n;
        s->release_ns = depart + one_way_ns;
        d->count++;
    }
}

/* writes the packets whose time has come; returns the next release time (0: none) */
static uint64_t give(struct direction *d, uint64_t now)
{
    while (d->count != 0) {
        struct slot *s = &d->ring[d->head];
        if (s->release_ns > now)
            return s->release_ns;
        if (write(d->out_fd, s->data, s->len) == (ssize_t)s->len) {
            d->forwarded++;
            d->bytes += s->len;
        }
        d->head = (d->head + 1) % RING_SLOTS;
        d->count--;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct direction dirs[2];
    int fa, fb;

    if (argc != 9) {
        fprintf(stderr, "usage: %s NS_A TUN_A NS_B TUN_B RTT_MS RATE_KBIT QUEUE_BYTES MAX_SECONDS\n", argv[0]);
        return 2;
    }
    one_way_ns = strtoull(argv[5], NULL, 10) * 1000000u / 2;
    rate_kbit = strtoull(argv[6], NULL, 10);
    queue_bytes = strtoull(argv[7], NULL, 10);
    uint64_t max_ns = strtoull(argv[8], NULL, 10) * 1000000000u;
    if (max_ns == 0 || (rate_kbit != 0 && queue_bytes < SLOT_BYTES)) {
        fprintf(stderr, "delayline: MAX_SECONDS must be > 0 and QUEUE_BYTES >= %d with a rate\n", SLOT_BYTES);
        return 2;
    }
    if ((fa = open_tun_in(argv[1], argv[2])) < 0 || (fb = open_tun_in(argv[3], argv[4])) < 0)
        return 1;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    memset(dirs, 0, sizeof(dirs));
    dirs[0] = (struct direction){.name = "a->b", .in_fd = fa, .out_fd = fb};
    dirs[1] = (struct direction){.name = "b->a", .in_fd = fb, .out_fd = fa};
    for (int i = 0; i != 2; ++i) {
        if ((dirs[i].ring = malloc(sizeof(struct slot) * RING_SLOTS)) == NULL) {
            fprintf(stderr, "delayline: out of memory\n");
            return 1;
        }
    }
    const char *tp = getenv("DELAYLINE_TRACE");
    if (tp != NULL && *tp != '\0' && (trace = fopen(tp, "w")) == NULL) {
        fprintf(stderr, "delayline: cannot open %s\n", tp);
        return 1;
    }
    start_ns = now_ns();
    printf("ready\n");
    fflush(stdout);

    uint64_t end = now_ns() + max_ns;
    while (!stop) {
        uint64_t now = now_ns();
        if (now >= end)
            break;
        uint64_t next = end;
        for (int i = 0; i != 2; ++i) {
            uint64_t t = give(&dirs[i], now);
            if (t != 0 && t < next)
                next = t;
        }
        struct pollfd pfd[2] = {{.fd = fa, .events = POLLIN}, {.fd = fb, .events = POLLIN}};
        uint64_t wait = next > now ? next - now : 0;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000u), .tv_nsec = (long)(wait % 1000000000u)};
        int r = ppoll(pfd, 2, &ts, NULL);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "delayline: ppoll: %s\n", strerror(errno));
            return 1;
        }
        if (r > 0) {
            if (pfd[0].revents & POLLIN)
                take(&dirs[0]);
            if (pfd[1].revents & POLLIN)
                take(&dirs[1]);
        }
    }
    if (trace != NULL)
        fclose(trace);
    for (int i = 0; i != 2; ++i)
        fprintf(stderr, "delayline %s: %llu packets (%llu bytes) forwarded, %llu dropped by the queue, %llu by the ring\n",
                dirs[i].name, (unsigned long long)dirs[i].forwarded, (unsigned long long)dirs[i].bytes,
                (unsigned long long)dirs[i].dropped_queue, (unsigned long long)dirs[i].dropped_ring);
    return 0;
}
