/* SPDX-License-Identifier: MIT */
/*
 * Guest test (runs in the guest and natively): pipes, socket pairs,
 * eventfd, timerfd and epoll (level, edge, one-shot, small maxevents,
 * sockets). Prints results that must match a native run.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c) check((c), #c, __LINE__)

static int failures;

static void check(int ok, const char *what, int line)
{
    if (!ok) {
        printf("FAIL line %d: %s (errno %d)\n", line, what, errno);
        failures++;
    }
}

static void test_pipe(void)
{
    int p[2];
    char buf[16];
    struct stat st;
    static char big[70000];

    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "hello", 5) == 5);
    CHECK(read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
    CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK(write(p[0], "x", 1) < 0 && errno == EBADF);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    CHECK(read(p[0], buf, 1) < 0 && errno == EAGAIN);
    close(p[1]);
    CHECK(read(p[0], buf, 1) == 0);
    close(p[0]);

    CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC);
    CHECK((fcntl(p[1], F_GETFL) & O_NONBLOCK) != 0);
    long n = write(p[1], big, sizeof(big));
    printf("pipe capacity %ld\n", n);
    CHECK(write(p[1], big, 1) < 0 && errno == EAGAIN);
    close(p[0]);
    CHECK(write(p[1], "x", 1) < 0 && errno == EPIPE);
    close(p[1]);
    printf("pipe ok\n");
}

static void test_socketpair(void)
{
    int s[2];
    char buf[8];
    struct stat st;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
    CHECK(write(s[0], "ping", 4) == 4);
    CHECK(write(s[1], "pong", 4) == 4);
    CHECK(read(s[1], buf, 8) == 4 && !memcmp(buf, "ping", 4));
    CHECK(read(s[0], buf, 8) == 4 && !memcmp(buf, "pong", 4));
    CHECK(read(s[0], buf, 8) < 0 && errno == EAGAIN);
    CHECK(fstat(s[0], &st) == 0 && S_ISSOCK(st.st_mode));
    close(s[1]);
    CHECK(read(s[0], buf, 8) == 0);
    close(s[0]);
    CHECK(socketpair(AF_INET, SOCK_STREAM, 0, s) < 0);
    printf("socketpair ok\n");
}

static void test_eventfd(void)
{
    int e = eventfd(3, EFD_NONBLOCK);
    uint64_t v = 5;

    CHECK(e >= 0);
    CHECK(write(e, &v, 8) == 8);
    CHECK(read(e, &v, 8) == 8);
    printf("eventfd read %llu\n", (unsigned long long)v);
    CHECK(read(e, &v, 8) < 0 && errno == EAGAIN);
    CHECK(read(e, &v, 4) < 0 && errno == EINVAL);
    close(e);

    e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK(read(e, &v, 8) == 8 && v == 1);
    CHECK(read(e, &v, 8) == 8 && v == 1);
    CHECK(read(e, &v, 8) < 0 && errno == EAGAIN);
    v = UINT64_MAX;
    CHECK(write(e, &v, 8) < 0 && errno == EINVAL);
    close(e);
    printf("eventfd ok\n");
}

static void test_timerfd(void)
{
    int t = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {.it_value = {0, 20000000}};
    struct itimerspec cur;
    struct pollfd pfd = {.fd = t, .events = POLLIN};
    uint64_t ticks;
    struct timespec a, b;

    CHECK(t >= 0);
    CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_sec == 0 &&
          cur.it_value.tv_nsec == 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
    CHECK(timerfd_gettime(t, &cur) == 0 && cur.it_value.tv_nsec > 0);
    CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN));
    CHECK(read(t, &ticks, 8) == 8 && ticks == 1);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("timerfd one-shot after >= 20 ms: %s\n", ms >= 19 ? "yes" : "no");

    its.it_interval.tv_nsec = 10000000;
    its.it_value.tv_nsec = 10000000;
    CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
    CHECK(read(t, &ticks, 8) == 8 && ticks >= 1); /* blocking read */
    usleep(35000);
    CHECK(read(t, &ticks, 8) == 8 && ticks >= 2);
    memset(&its, 0, sizeof(its));
    CHECK(timerfd_settime(t, 0, &its, NULL) == 0);
    fcntl(t, F_SETFL, O_NONBLOCK);
    CHECK(read(t, &ticks, 8) < 0 && errno == EAGAIN);
    close(t);
    printf("timerfd ok\n");
}

static void test_epoll_basic(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
    struct epoll_event out[4];

    CHECK(ep >= 0);
    CHECK(pipe(p) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0 && errno == EEXIST);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    write(p[1], "ab", 2);
    /* level-triggered: reported until drained */
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].data.u64 == 42 &&
          out[0].events == EPOLLIN);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);

    /* edge-triggered: once per change */
    ev.events = EPOLLIN | EPOLLET;
    CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    write(p[1], "c", 1);
    CHECK(epoll_wait(ep, out, 4, 100) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);

    /* one-shot: once until re-armed */
    ev.events = EPOLLIN | EPOLLONESHOT;
    CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);

    /* hang-up, delete, closed fds vanish */
    ev.events = EPOLLOUT;
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
    close(p[0]);
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && (out[0].events & EPOLLERR));
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) < 0 && errno == ENOENT);
    close(p[1]);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);

    /* timeout */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(epoll_wait(ep, out, 4, 30) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    printf("epoll timeout >= 30 ms: %s\n", ms >= 29 ? "yes" : "no");
    close(ep);
    printf("epoll basic ok\n");
}

/*
 * Edge-triggered EPOLLOUT on always-writable sockets fires once, not
 * again for activity on other fds, and again after a write once the
 * peer made room.
 */
static void test_epoll_et_out(void)
{
    int ep = epoll_create1(0);
    int a[2], b[2];
    int e = eventfd(0, EFD_NONBLOCK);
    struct epoll_event ev, out[8];
    uint64_t one = 1;
    char buf[8];
    int n;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a) == 0);
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b) == 0);
    ev = (struct epoll_event){.events = EPOLLOUT | EPOLLIN | EPOLLET,
                              .data.u32 = 1};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev) == 0);
    ev.data.u32 = 2;
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev) == 0);
    ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = 3};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) == 0);
    n = epoll_wait(ep, out, 8, 0);
    printf("et out: first wait %d\n", n);
    CHECK(write(e, &one, 8) == 8);
    n = epoll_wait(ep, out, 8, 0);
    printf("et out: after other fd's event %d (id %u)\n", n,
           n > 0 ? out[0].data.u32 : 0);
    CHECK(read(e, &one, 8) == 8);
    CHECK(write(a[1], "x", 1) == 1); /* a[0] gets data */
    n = epoll_wait(ep, out, 8, 0);
    printf("et out: after data for one %d (id %u in %d)\n", n,
           n > 0 ? out[0].data.u32 : 0, n > 0 && (out[0].events & EPOLLIN));
    CHECK(read(a[0], buf, sizeof(buf)) == 1);
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    close(e);
    close(ep);
}

/* Ten ready fds, maxevents 3: every fd is reported within four calls. */
static void test_epoll_fair(void)
{
    int ep = epoll_create(1);
    int e[10];
    int seen[10] = {0};
    struct epoll_event out[3];
    int total = 0;

    for (int i = 0; i < 10; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};

        e[i] = eventfd(1, 0);
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, e[i], &ev) == 0);
    }
    for (int round = 0; round < 4; round++) {
        int n = epoll_wait(ep, out, 3, 0);

        CHECK(n == 3);
        for (int j = 0; j < n; j++)
            seen[out[j].data.u32]++;
    }
    for (int i = 0; i < 10; i++)
        total += seen[i] > 0;
    printf("epoll maxevents 3 over 10 ready: %d distinct in 4 calls\n", total);
    CHECK(epoll_wait(ep, out, 0, 0) < 0 && errno == EINVAL);
    for (int i = 0; i < 10; i++)
        close(e[i]);
    close(ep);
}

static void test_epoll_kinds(void)
{
    int ep = epoll_create1(0);
    int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int s[2];
    int inner = epoll_create1(0);
    struct itimerspec its = {.it_value = {0, 15000000}};
    struct epoll_event ev, out[8];
    int n, got = 0;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = 1};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, t, &ev) == 0);
    ev = (struct epoll_event){.events = EPOLLOUT | EPOLLET, .data.u32 = 2};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, u, &ev) == 0);
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE,
                              .data.u32 = 4};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, s[1], &ev) == 0);
    ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = 8};
    CHECK(epoll_ctl(inner, EPOLL_CTL_ADD, s[0], &ev) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev) == 0);
    CHECK(epoll_ctl(inner, EPOLL_CTL_ADD, ep, &ev) < 0 && errno == ELOOP);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) < 0 && errno == EINVAL);
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EPERM);
    close(fd);

    timerfd_settime(t, 0, &its, NULL);
    n = epoll_wait(ep, out, 8, 1000);
    for (int i = 0; i < n; i++)
        got |= (int)out[i].data.u32;
    printf("epoll first: udp writable %d\n", !!(got & 2));
    write(s[0], "x", 1);
    write(s[1], "y", 1);
    for (int tries = 0; tries < 10 && got != 15; tries++) {
        char c;

        n = epoll_wait(ep, out, 8, 1000);
        for (int i = 0; i < n; i++) {
            got |= (int)out[i].data.u32;
            if (out[i].data.u32 == 4)
                read(s[1], &c, 1); /* drained: stops reporting */
            if (out[i].data.u32 == 8)
                read(s[0], &c, 1);
        }
    }
    printf("epoll kinds seen: timer %d udp %d pair %d nested %d\n",
           !!(got & 1), !!(got & 2), !!(got & 4), !!(got & 8));
    close(ep);
    close(inner);
    close(t);
    close(u);
    close(s[0]);
    close(s[1]);
}

/*
 * An edge-triggered event loop over TCP on loopback: a listening
 * socket, five non-blocking clients and their accepted peers, all in
 * one epoll set polled with maxevents 1. Each client sends a line and
 * must get it echoed back.
 */
#define CLIENTS 5

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void echo_ready(int fd)
{
    char buf[256];
    long n;

    while ((n = read(fd, buf, sizeof(buf))) > 0)
        CHECK(write(fd, buf, (size_t)n) == n);
}

static void test_epoll_tcp(void)
{
    int ep = epoll_create1(0);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof(sa);
    int cl[CLIENTS], done[CLIENTS] = {0};
    struct epoll_event ev, out[1];
    int finished = 0, loops = 0;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CHECK(listen(ls, 16) == 0);
    CHECK(getsockname(ls, (struct sockaddr *)&sa, &sl) == 0);
    ev = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u64 = 1000};
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev) == 0);
    for (int i = 0; i < CLIENTS; i++) {
        cl[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        CHECK(connect(cl[i], (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
              errno == EINPROGRESS);
        ev = (struct epoll_event){.events = EPOLLOUT | EPOLLIN | EPOLLET,
                                  .data.u64 = (uint64_t)i};
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, cl[i], &ev) == 0);
    }
    while (finished < CLIENTS && loops++ < 10000) {
        int n = epoll_wait(ep, out, 1, 2000);
        uint64_t id;

        if (n <= 0)
            break;
        id = out[0].data.u64;
        if (id == 1000) { /* accept every pending connection */
            int c;

            while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                ev = (struct epoll_event){.events = EPOLLIN | EPOLLET,
                                          .data.u64 = 2000 + (uint64_t)c};
                CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) == 0);
                echo_ready(c);
            }
            CHECK(errno == EAGAIN);
        } else if (id >= 2000) {
            echo_ready((int)(id - 2000));
        } else {
            char line[32], buf[32];
            int len = snprintf(line, sizeof(line), "client %d\n", (int)id);
            long r;

            if ((out[0].events & EPOLLOUT) && done[id] == 0) {
                CHECK(write(cl[id], line, (size_t)len) == len);
                done[id] = 1;
            }
            if ((out[0].events & EPOLLIN) && done[id] == 1) {
                r = read(cl[id], buf, sizeof(buf));
                if (r == len && !memcmp(buf, line, (size_t)len)) {
                    done[id] = 2;
                    finished++;
                }
            }
        }
    }
    printf("tcp echo through one edge-triggered epoll: %d of %d\n", finished,
           CLIENTS);
    for (int i = 0; i < CLIENTS; i++)
        close(cl[i]);
    close(ls);
    close(ep);
}

/* Threads blocked in epoll_wait and in read are woken by another. */
struct waiter {
    int ep, pipe_rd;
    int got_event, got_bytes;
};

static void *epoll_waiter(void *arg)
{
    struct waiter *w = arg;
    struct epoll_event out;

    w->got_event = epoll_wait(w->ep, &out, 1, 5000);
    return NULL;
}

static void *pipe_reader(void *arg)
{
    struct waiter *w = arg;
    char buf[8];

    w->got_bytes = (int)read(w->pipe_rd, buf, sizeof(buf));
    return NULL;
}

static void test_threads(void)
{
    struct waiter w = {.ep = epoll_create1(0)};
    int e = eventfd(0, 0);
    int p[2];
    uint64_t one = 1;
    struct epoll_event ev = {.events = EPOLLIN};
    pthread_t a, b;

    CHECK(pipe(p) == 0);
    w.pipe_rd = p[0];
    CHECK(epoll_ctl(w.ep, EPOLL_CTL_ADD, e, &ev) == 0);
    CHECK(pthread_create(&a, NULL, epoll_waiter, &w) == 0);
    CHECK(pthread_create(&b, NULL, pipe_reader, &w) == 0);
    usleep(20000);
    /* closing the fds a thread waits on does not pull them away */
    close(w.ep);
    close(p[0]);
    usleep(5000);
    CHECK(write(e, &one, 8) == 8);
    CHECK(write(p[1], "abc", 3) == 3);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("threads woken: epoll %d pipe %d\n", w.got_event, w.got_bytes);
    close(e);
    close(p[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN); /* EPIPE instead */
    test_pipe();
    test_socketpair();
    test_eventfd();
    test_timerfd();
    test_epoll_basic();
    test_epoll_fair();
    test_epoll_et_out();
    test_epoll_kinds();
    test_epoll_tcp();
    test_threads();
    printf("failures %d\n", failures);
    return failures != 0;
}
