/*
 * Socket semantics over loopback, printed as one line per check so the
 * output of an Onyx run can be compared with the same program run
 * natively on Linux. One thread; waits use poll() with timeouts.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;

static const char *err_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EINPROGRESS: return "EINPROGRESS";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case ENOTCONN: return "ENOTCONN";
    case EINVAL: return "EINVAL";
    case EISCONN: return "EISCONN";
    case EALREADY: return "EALREADY";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOTSOCK: return "ENOTSOCK";
    case EBADF: return "EBADF";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EFAULT: return "EFAULT";
    case EMSGSIZE: return "EMSGSIZE";
    default: return "other";
    }
}

/* Prints "name: got" and counts a mismatch with `want`. */
static void check(const char *name, const char *got, const char *want)
{
    printf("%s: %s\n", name, got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "MISMATCH %s: got %s want %s\n", name, got, want);
        failures++;
    }
}

/* Result of a call: "ok" or the errno name. */
static const char *res(long r)
{
    return r >= 0 ? "ok" : err_name(errno);
}

static const char *mask_str(short m)
{
    static char buf[64];

    buf[0] = 0;
    if (m & POLLIN)
        strcat(buf, "IN|");
    if (m & POLLOUT)
        strcat(buf, "OUT|");
    if (m & POLLERR)
        strcat(buf, "ERR|");
    if (m & POLLHUP)
        strcat(buf, "HUP|");
    if (m & POLLRDHUP)
        strcat(buf, "RDHUP|");
    if (!buf[0])
        return "none";
    buf[strlen(buf) - 1] = 0;
    return buf;
}

/* Waits up to `ms` for any of `events`; returns the revents. */
static short wait_for(int fd, short events, int ms)
{
    struct pollfd p = {.fd = fd, .events = events | POLLRDHUP};

    if (poll(&p, 1, ms) < 0)
        return -1;
    return p.revents;
}

/* revents right now, for the full mask we compare. */
static const char *now_mask(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP};

    poll(&p, 1, 0);
    return mask_str(p.revents);
}

static struct sockaddr_in loop_addr(unsigned short port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return a;
}

static unsigned short port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return 0;
    return ntohs(a.sin_port);
}

static int listener(unsigned short *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = loop_addr(0);
    int one = 1;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0)
        return -1;
    *port = port_of(fd);
    return fd;
}

/* A connected pair over loopback: nonblocking client and server. */
static int pair(int lfd, unsigned short port, int *srv)
{
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = loop_addr(port);
    int r = connect(c, (struct sockaddr *)&a, sizeof(a));

    if (r < 0 && errno != EINPROGRESS)
        return -1;
    if (!(wait_for(lfd, POLLIN, 2000) & POLLIN))
        return -1;
    *srv = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
    if (*srv < 0 || !(wait_for(c, POLLOUT, 2000) & POLLOUT))
        return -1;
    return c;
}

static void test_tcp_basic(void)
{
    unsigned short port;
    int lfd = listener(&port);
    int c, s, v;
    socklen_t len;
    char buf[64];
    struct sockaddr_in peer;
    struct stat st;

    check("tcp listen", lfd >= 0 && port ? "ok" : "fail", "ok");
    check("tcp listen idle poll", now_mask(lfd), "none");
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    check("tcp fresh poll", now_mask(c), "OUT|HUP");
    struct sockaddr_in a = loop_addr(port);
    long r = connect(c, (struct sockaddr *)&a, sizeof(a));
    check("tcp nb connect", r == 0 || errno == EINPROGRESS ? "ok" : "fail",
          "ok");
    check("tcp listen ready", mask_str(wait_for(lfd, POLLIN, 2000) & POLLIN),
          "IN");
    len = sizeof(peer);
    s = accept(lfd, (struct sockaddr *)&peer, &len);
    check("tcp accept",
          s >= 0 && len == sizeof(peer) && peer.sin_family == AF_INET &&
                  peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
                  ntohs(peer.sin_port) == port_of(c)
              ? "ok"
              : "fail",
          "ok");
    check("tcp accepted blocking", fcntl(s, F_GETFL) & O_NONBLOCK ? "nb" : "b",
          "b");
    fcntl(s, F_SETFL, O_NONBLOCK);
    wait_for(c, POLLOUT, 2000);
    check("tcp client writable", now_mask(c), "OUT");
    len = sizeof(v);
    getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &len);
    check("tcp SO_ERROR", err_name(v), "0");
    /* After a nonblocking connect, the next connect() reports the result
     * once, then EISCONN. */
    check("tcp connect again",
          res(connect(c, (struct sockaddr *)&a, sizeof(a))),
          r == 0 ? "EISCONN" : "ok");
    check("tcp connect third",
          res(connect(c, (struct sockaddr *)&a, sizeof(a))), "EISCONN");
    check("tcp fstat",
          fstat(s, &st) == 0 && S_ISSOCK(st.st_mode) ? "sock" : "fail", "sock");
    check("tcp recv empty", res(recv(s, buf, sizeof(buf), 0)), "EAGAIN");
    check("tcp send", res(send(c, "hello", 5, 0)), "ok");
    wait_for(s, POLLIN, 2000);
    check("tcp server readable", now_mask(s), "IN|OUT");
    ioctl(s, FIONREAD, &v);
    snprintf(buf, sizeof(buf), "%d", v);
    check("tcp FIONREAD", buf, "5");
    check("tcp recv bad buffer", res(recv(s, (void *)16, 5, 0)), "EFAULT");
    check("tcp send bad buffer", res(send(c, (void *)16, 5, 0)), "EFAULT");
    memset(buf, 0, sizeof(buf));
    r = recv(s, buf, 3, MSG_PEEK);
    check("tcp peek", r == 3 ? buf : "fail", "hel");
    memset(buf, 0, sizeof(buf));
    r = recv(s, buf, sizeof(buf), 0);
    check("tcp recv", r == 5 ? buf : "fail", "hello");
    check("tcp shutdown wr", res(shutdown(c, SHUT_WR)), "ok");
    wait_for(s, POLLRDHUP, 2000);
    check("tcp server sees fin", now_mask(s), "IN|OUT|RDHUP");
    check("tcp recv eof", res(recv(s, buf, sizeof(buf), 0)), "ok");
    check("tcp send after shut", res(send(c, "x", 1, MSG_NOSIGNAL)), "EPIPE");
    check("tcp half-closed send", res(send(s, "bye", 3, 0)), "ok");
    wait_for(c, POLLIN, 2000);
    memset(buf, 0, sizeof(buf));
    r = recv(c, buf, sizeof(buf), 0);
    check("tcp half-closed recv", r == 3 ? buf : "fail", "bye");
    close(s);
    wait_for(c, POLLRDHUP, 2000);
    check("tcp both closed poll", now_mask(c), "IN|OUT|HUP|RDHUP");
    check("tcp recv after close", res(recv(c, buf, sizeof(buf), 0)), "ok");
    close(c);
    close(lfd);
}

static void test_tcp_errors(void)
{
    unsigned short port;
    int lfd = listener(&port);
    int fd, v;
    socklen_t len;
    char b;
    struct sockaddr_in a;

    /* A port nobody listens on: bind one, note it, close it. */
    close(lfd);
    a = loop_addr(port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    check("tcp refused", res(connect(fd, (struct sockaddr *)&a, sizeof(a))),
          "ECONNREFUSED");
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    long r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    if (r < 0 && errno == EINPROGRESS)
        wait_for(fd, POLLOUT, 2000);
    check("tcp nb refused poll", now_mask(fd), "IN|OUT|ERR|HUP|RDHUP");
    len = sizeof(v);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len);
    check("tcp nb refused SO_ERROR",
          r < 0 && errno == ECONNREFUSED ? "ECONNREFUSED" : err_name(v),
          "ECONNREFUSED");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    check("tcp send unconnected", res(send(fd, "x", 1, MSG_NOSIGNAL)), "EPIPE");
    check("tcp recv unconnected", res(recv(fd, &b, 1, 0)), "ENOTCONN");
    len = sizeof(a);
    check("tcp getpeername unconnected",
          res(getpeername(fd, (struct sockaddr *)&a, &len)), "ENOTCONN");
    check("tcp accept not listening", res(accept(fd, NULL, NULL)), "EINVAL");
    a = loop_addr(0);
    check("tcp bind", res(bind(fd, (struct sockaddr *)&a, sizeof(a))), "ok");
    check("tcp bind twice", res(bind(fd, (struct sockaddr *)&a, sizeof(a))),
          "EINVAL");
    close(fd);

    lfd = listener(&port);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    a = loop_addr(port);
    check("tcp bind in use", res(bind(fd, (struct sockaddr *)&a, sizeof(a))),
          "EADDRINUSE");
    a.sin_addr.s_addr = htonl(0x0a0b0c0d);
    check("tcp bind foreign addr",
          res(bind(fd, (struct sockaddr *)&a, sizeof(a))), "EADDRNOTAVAIL");
    check("tcp bind short len", res(bind(fd, (struct sockaddr *)&a, 8)),
          "EINVAL");
    close(fd);
    close(lfd);

    check("socket udp listen", res(listen(socket(AF_INET, SOCK_DGRAM, 0), 1)),
          "EOPNOTSUPP");
    check("not a socket", res(listen(1, 1)), "ENOTSOCK");
    check("bad fd", res(listen(999, 1)), "EBADF");
    check("socket bad type", res(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)),
          "other");
}

static void test_tcp_reset(void)
{
    unsigned short port;
    int lfd = listener(&port);
    int s, c = pair(lfd, port, &s);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    char buf[8];

    check("linger pair", c >= 0 ? "ok" : "fail", "ok");
    send(s, "ab", 2, 0);
    wait_for(c, POLLIN, 2000);
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(s);
    wait_for(c, POLLHUP | POLLERR, 2000);
    check("reset poll", now_mask(c), "IN|OUT|ERR|HUP|RDHUP");
    memset(buf, 0, sizeof(buf));
    long r = recv(c, buf, sizeof(buf), 0);
    /* Linux drops queued data on reset only sometimes; accept both. */
    if (r == 2)
        r = recv(c, buf, sizeof(buf), 0);
    check("reset recv", res(r), "ECONNRESET");
    check("reset recv again", res(recv(c, buf, sizeof(buf), 0)), "ok");
    check("reset send", res(send(c, "x", 1, MSG_NOSIGNAL)), "EPIPE");
    close(c);
    close(lfd);
}

static unsigned long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

static void test_tcp_options(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int v = 1, got = 0;
    socklen_t len = sizeof(got);
    struct timeval tv = {.tv_sec = 0, .tv_usec = 150000};
    char buf[32];

    check("opt nodelay set",
          res(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v))), "ok");
    getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &got, &len);
    check("opt nodelay get", got ? "1" : "0", "1");
    len = sizeof(got);
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &got, &len);
    check("opt type", got == SOCK_STREAM ? "stream" : "other", "stream");
    len = sizeof(got);
    getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &got, &len);
    check("opt reuseaddr default", got ? "1" : "0", "0");
    v = 1000;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
    len = sizeof(got);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
    check("opt rcvbuf doubled", got >= 2000 && got <= 5000 ? "ok" : "fail",
          "ok");
    v = 30;
    check("opt keepidle",
          res(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v))), "ok");
    v = 0;
    check("opt keepidle zero",
          res(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v))),
          "EINVAL");
    check("opt unknown", res(setsockopt(fd, SOL_SOCKET, 9999, &v, sizeof(v))),
          "ENOPROTOOPT");
    check("opt short", res(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, 2)),
          "EINVAL");
    close(fd);

    unsigned short port;
    int lfd = listener(&port);
    int s, c = pair(lfd, port, &s);

    fcntl(c, F_SETFL, 0);
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    unsigned long long t0 = now_ms();
    long r = recv(c, buf, sizeof(buf), 0);
    unsigned long long dt = now_ms() - t0;
    check("rcvtimeo recv", res(r), "EAGAIN");
    check("rcvtimeo waited", dt >= 140 && dt < 1000 ? "ok" : "fail", "ok");
    len = sizeof(tv);
    memset(&tv, 0, sizeof(tv));
    getsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
    check("rcvtimeo get",
          tv.tv_sec == 0 && tv.tv_usec >= 150000 && tv.tv_usec < 160000
              ? "ok"
              : "fail",
          "ok");
    close(c);
    close(s);
    close(lfd);
}

/* 1 MiB each way at once through nonblocking sockets. */
static void test_tcp_bulk(void)
{
    enum { N = 1 << 20 };
    unsigned short port;
    int lfd = listener(&port);
    int s, c = pair(lfd, port, &s);
    static unsigned char out[N], in[N];
    size_t sent = 0, got = 0;
    unsigned long long t0 = now_ms();

    for (size_t i = 0; i < N; i++)
        out[i] = (unsigned char)(i * 7 + (i >> 10));
    while (got < N && now_ms() - t0 < 20000) {
        struct pollfd p[2] = {{.fd = c, .events = sent < N ? POLLOUT : 0},
                              {.fd = s, .events = POLLIN}};

        poll(p, 2, 1000);
        if (p[0].revents & POLLOUT) {
            long n = send(c, out + sent, N - sent, 0);
            if (n > 0)
                sent += n;
        }
        if (p[1].revents & POLLIN) {
            long n = recv(s, in + got, N - got, 0);
            if (n > 0)
                got += n;
        }
    }
    check("tcp bulk 1MiB", got == N && memcmp(in, out, N) == 0 ? "ok" : "fail",
          "ok");
    close(c);
    close(s);
    close(lfd);
}

/* Fresh connections, each closed by the server first (TIME-WAIT here). */
static void test_tcp_churn(void)
{
    unsigned short port;
    int lfd = listener(&port);
    int ok = 0;

    for (int i = 0; i < 3000; i++) {
        int s, c = pair(lfd, port, &s);
        char b;

        if (c < 0)
            break;
        send(c, "q", 1, 0);
        wait_for(s, POLLIN, 2000);
        if (recv(s, &b, 1, 0) == 1 && send(s, "a", 1, 0) == 1) {
            close(s);
            wait_for(c, POLLIN, 2000);
            if (recv(c, &b, 1, 0) == 1)
                ok++;
        }
        close(c);
    }
    check("tcp 3000 connections", ok == 3000 ? "ok" : "fail", "ok");
    close(lfd);
}

static void test_udp(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0);
    int b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in sa = loop_addr(0), from;
    socklen_t len;
    char buf[64];
    int v;

    bind(a, (struct sockaddr *)&sa, sizeof(sa));
    bind(b, (struct sockaddr *)&sa, sizeof(sa));
    struct sockaddr_in to_b = loop_addr(port_of(b));
    check("udp poll empty", now_mask(b), "OUT");
    check("udp recv empty", res(recv(b, buf, sizeof(buf), 0)), "EAGAIN");
    check("udp send no dest", res(send(a, "x", 1, 0)), "EDESTADDRREQ");
    check("udp sendto",
          res(sendto(a, "datagram", 8, 0, (struct sockaddr *)&to_b,
                     sizeof(to_b))),
          "ok");
    sendto(a, "second", 6, 0, (struct sockaddr *)&to_b, sizeof(to_b));
    wait_for(b, POLLIN, 2000);
    check("udp poll ready", now_mask(b), "IN|OUT");
    ioctl(b, FIONREAD, &v);
    snprintf(buf, sizeof(buf), "%d", v);
    check("udp FIONREAD", buf, "8");
    len = sizeof(from);
    memset(buf, 0, sizeof(buf));
    long r = recvfrom(b, buf, 4, 0, (struct sockaddr *)&from, &len);
    check("udp truncated", r == 4 ? buf : "fail", "data");
    check("udp from",
          from.sin_port == htons(port_of(a)) &&
                  from.sin_addr.s_addr == htonl(INADDR_LOOPBACK)
              ? "ok"
              : "fail",
          "ok");
    struct iovec iov = {.iov_base = buf, .iov_len = 3};
    struct msghdr mh = {.msg_name = &from,
                        .msg_namelen = sizeof(from),
                        .msg_iov = &iov,
                        .msg_iovlen = 1};
    r = recvmsg(b, &mh, 0);
    check("udp recvmsg trunc",
          r == 3 && (mh.msg_flags & MSG_TRUNC) ? "ok" : "fail", "ok");
    check("udp connect",
          res(connect(a, (struct sockaddr *)&to_b, sizeof(to_b))), "ok");
    len = sizeof(from);
    getsockname(a, (struct sockaddr *)&from, &len);
    check("udp connected local addr",
          from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "loopback" : "other",
          "loopback");
    check("udp send connected", res(send(a, "c", 1, 0)), "ok");
    wait_for(b, POLLIN, 2000);
    r = recv(b, buf, sizeof(buf), MSG_TRUNC);
    check("udp recv", r == 1 ? "ok" : "fail", "ok");
    struct sockaddr_in un = {.sin_family = AF_UNSPEC};
    check("udp disconnect", res(connect(a, (struct sockaddr *)&un, sizeof(un))),
          "ok");
    len = sizeof(from);
    getsockname(a, (struct sockaddr *)&from, &len);
    /* Bound to an address: disconnect keeps it. */
    check("udp bound local addr after disconnect",
          from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "loopback" : "other",
          "loopback");
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    connect(c, (struct sockaddr *)&to_b, sizeof(to_b));
    len = sizeof(from);
    getsockname(c, (struct sockaddr *)&from, &len);
    check("udp unbound connect local addr",
          from.sin_addr.s_addr == htonl(INADDR_LOOPBACK) ? "loopback" : "other",
          "loopback");
    connect(c, (struct sockaddr *)&un, sizeof(un));
    len = sizeof(from);
    getsockname(c, (struct sockaddr *)&from, &len);
    check("udp unbound disconnect local addr",
          from.sin_addr.s_addr == htonl(INADDR_ANY) ? "any" : "other", "any");
    close(c);
    check("udp send after disconnect", res(send(a, "x", 1, 0)), "EDESTADDRREQ");
    static char big[70000];
    check("udp big",
          res(sendto(a, big, sizeof(big), 0, (struct sockaddr *)&to_b,
                     sizeof(to_b))),
          "EMSGSIZE");
    close(a);
    close(b);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_tcp_basic();
    test_tcp_errors();
    test_tcp_reset();
    test_tcp_options();
    test_tcp_bulk();
    test_udp();
    test_tcp_churn();
    printf("done: %d mismatches\n", failures);
    return failures ? 1 : 0;
}
