// The kernel's floor for the eventfd ping-pong of EventfdPingPongBench, without a JVM: two
// threads notify each other through two eventfds, each waiting either with epoll_wait + read
// (what vireo's portable engine does) or with io_uring_enter on a ring that keeps a READ of the
// eventfd armed (SINGLE_ISSUER | DEFER_TASKRUN | TASKRUN_FLAG, what vireo's io_uring engine
// sets up), and answering with write(2). Optionally both poll for a while before sleeping
// (epoll_wait(0) / the ring's TASKRUN flag and CQ tail), as LoopOptions.busyPollNanos does.
//
// usage: eventfd-floor epoll|uring ROUND_TRIPS [POLL_NANOS]
// prints: round trips per second, microseconds per round trip, process CPU per notification.
#define _GNU_SOURCE
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int rounds;
static int use_uring;
static long poll_ns;
static const uint64_t one = 1;

static long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

struct ring {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_flags, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned tail;
};

static void ring_setup(struct ring *r) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    r->fd = (int) syscall(__NR_io_uring_setup, 8, &p);
    if (r->fd < 0) die("io_uring_setup");
    size_t sq = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    char *m = mmap(NULL, sq > cq ? sq : cq, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
    r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   r->fd, IORING_OFF_SQES);
    if (m == MAP_FAILED || r->sqes == MAP_FAILED) die("mmap");
    r->sq_tail = (unsigned *) (m + p.sq_off.tail);
    r->sq_mask = (unsigned *) (m + p.sq_off.ring_mask);
    r->sq_flags = (unsigned *) (m + p.sq_off.flags);
    unsigned *array = (unsigned *) (m + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;
    r->cq_head = (unsigned *) (m + p.cq_off.head);
    r->cq_tail = (unsigned *) (m + p.cq_off.tail);
    r->cq_mask = (unsigned *) (m + p.cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *) (m + p.cq_off.cqes);
    r->tail = *r->sq_tail;
}

static void ring_read(struct ring *r, int fd, uint64_t *buf) {
    struct io_uring_sqe *s = &r->sqes[r->tail++ & *r->sq_mask];
    memset(s, 0, sizeof *s);
    s->opcode = IORING_OP_READ;
    s->fd = fd;
    s->addr = (uint64_t) buf;
    s->len = 8;
    s->off = -1;
    s->user_data = 1;
    __atomic_store_n(r->sq_tail, r->tail, __ATOMIC_RELEASE);
}

static void ring_enter(struct ring *r, unsigned submit, unsigned wait) {
    if (syscall(__NR_io_uring_enter, r->fd, submit, wait, IORING_ENTER_GETEVENTS, NULL, 0) < 0) die("io_uring_enter");
}

static int cq_ready(struct ring *r) {
    return *r->cq_head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
}

struct side {
    int in, out, starts;
};

static void *uring_side(void *arg) {
    struct side *s = arg;
    struct ring r;
    uint64_t buf;
    ring_setup(&r);
    ring_read(&r, s->in, &buf);
    unsigned pending = 1;
    if (s->starts && write(s->out, &one, 8) != 8) die("write");
    for (int left = rounds; left > 0;) {
        int got = 0;
        if (poll_ns > 0) {
            if (pending) ring_enter(&r, pending, 0);
            pending = 0;
            for (long until = now() + poll_ns; !got && now() < until;) {
                if (__atomic_load_n(r.sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_TASKRUN) ring_enter(&r, 0, 0);
                got = cq_ready(&r);
            }
        }
        if (!got) ring_enter(&r, pending, 1);
        pending = 0;
        unsigned head = *r.cq_head;
        for (; head != __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE); head++) {
            struct io_uring_cqe *c = &r.cqes[head & *r.cq_mask];
            if (c->res != 8) { fprintf(stderr, "read: %d\n", c->res); exit(1); }
            left--;
            ring_read(&r, s->in, &buf);
            pending++;
            if ((left > 0 || !s->starts) && write(s->out, &one, 8) != 8) die("write");
        }
        __atomic_store_n(r.cq_head, head, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void *epoll_side(void *arg) {
    struct side *s = arg;
    int ep = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN};
    uint64_t buf;
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s->in, &e) < 0) die("epoll");
    if (s->starts && write(s->out, &one, 8) != 8) die("write");
    for (int left = rounds; left > 0;) {
        struct epoll_event ev[8];
        int n = 0;
        for (long until = poll_ns > 0 ? now() + poll_ns : 0; n == 0 && now() < until;) n = epoll_wait(ep, ev, 8, 0);
        if (n == 0) n = epoll_wait(ep, ev, 8, -1);
        if (n <= 0) continue;
        if (read(s->in, &buf, 8) != 8) die("read");
        left--;
        if ((left > 0 || !s->starts) && write(s->out, &one, 8) != 8) die("write");
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s epoll|uring ROUND_TRIPS [POLL_NANOS]\n", argv[0]);
        return 2;
    }
    use_uring = strcmp(argv[1], "uring") == 0;
    rounds = atoi(argv[2]);
    poll_ns = argc > 3 ? atol(argv[3]) : 0;
    int e1 = eventfd(0, EFD_CLOEXEC), e2 = eventfd(0, EFD_CLOEXEC);
    struct side a = {e2, e1, 1}, b = {e1, e2, 0};
    void *(*fn)(void *) = use_uring ? uring_side : epoll_side;
    long t0 = now();
    pthread_t ta, tb;
    pthread_create(&tb, NULL, fn, &b);
    pthread_create(&ta, NULL, fn, &a);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    double s = (now() - t0) / 1e9;
    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    printf("%-5s poll %6ld ns: %8.0f round trips/s %7.2f us/round trip %6.2f us CPU/notification\n", argv[1], poll_ns,
           rounds / s, s * 1e6 / rounds, (cpu.tv_sec * 1e9 + cpu.tv_nsec) / 1e3 / rounds / 2);
    return 0;
}
