/*
 * Blocking socket calls across threads: one thread blocks in accept,
 * recv or send while another connects, writes, shuts down or closes.
 * One result line per check, compared with the same program on Linux.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BIG (4 << 20)

static int failures;
static unsigned char out[BIG], in[BIG];

static void check(const char *name, int ok)
{
    printf("%s: %s\n", name, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static struct sockaddr_in lo(unsigned short port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return a;
}

static int listen_lo(unsigned short *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo(0);
    socklen_t len = sizeof(a);

    bind(fd, (struct sockaddr *)&a, sizeof(a));
    listen(fd, 64);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Echoes one connection until EOF. */
static void *echo_server(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    int s = accept(lfd, NULL, NULL);
    static char buf[65536];
    long r;

    while ((r = recv(s, buf, sizeof(buf), 0)) > 0) {
        for (long off = 0; off < r;) {
            long w = send(s, buf + off, r - off, 0);
            if (w <= 0)
                break;
            off += w;
        }
    }
    close(s);
    return NULL;
}

/* Reads everything the peer sends until EOF. */
static void *drain(void *arg)
{
    int fd = (int)(intptr_t)arg;
    long total = 0, r;

    while ((r = recv(fd, in + total, BIG - total, 0)) > 0)
        total += r;
    return (void *)total;
}

static int blocked_fd;
static long blocked_ret;
static int blocked_errno;

static void *block_recv(void *arg)
{
    char b[8];

    (void)arg;
    blocked_ret = recv(blocked_fd, b, sizeof(b), 0);
    blocked_errno = errno;
    return NULL;
}

static void *block_accept(void *arg)
{
    (void)arg;
    blocked_ret = accept(blocked_fd, NULL, NULL);
    blocked_errno = errno;
    return NULL;
}

int main(void)
{
    unsigned short port;
    int lfd = listen_lo(&port);
    struct sockaddr_in a = lo(port);
    pthread_t t;
    void *res;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < BIG; i++)
        out[i] = (unsigned char)(i * 31 + (i >> 12));

    /* Echo 4 MiB through a server thread while another thread drains. */
    pthread_create(&t, NULL, echo_server, (void *)(intptr_t)lfd);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    check("blocking connect",
          connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
    pthread_t d;
    pthread_create(&d, NULL, drain, (void *)(intptr_t)c);
    check("blocking send 4MiB", send(c, out, BIG, 0) == BIG);
    shutdown(c, SHUT_WR);
    pthread_join(d, &res);
    check("echo 4MiB back", (long)res == BIG && !memcmp(in, out, BIG));
    pthread_join(t, NULL);
    close(c);

    /* MSG_WAITALL gathers several sends. */
    pthread_create(&t, NULL, echo_server, (void *)(intptr_t)lfd);
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    for (int i = 0; i < 4; i++)
        send(c, out + i * 1000, 1000, 0);
    check("recv waitall",
          recv(c, in, 4000, MSG_WAITALL) == 4000 && !memcmp(in, out, 4000));
    shutdown(c, SHUT_WR);
    check("eof", recv(c, in, 1, 0) == 0);
    pthread_join(t, NULL);
    close(c);

    /* SO_SNDTIMEO ends a send the peer never reads with a partial count. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    struct timeval tv = {0, 200000};
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    long w = send(c, out, BIG, 0);
    check("sndtimeo partial send", w > 0 && w < BIG);
    close(c);
    int s = accept(lfd, NULL, NULL);
    close(s);

    /* shutdown(SHUT_RD) from another thread ends a blocked UDP recv. */
    blocked_fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in u = lo(0);
    bind(blocked_fd, (struct sockaddr *)&u, sizeof(u));
    connect(blocked_fd, (struct sockaddr *)&u, sizeof(u));
    blocked_ret = 12345;
    pthread_create(&t, NULL, block_recv, NULL);
    usleep(100000);
    check("udp recv blocks", blocked_ret == 12345);
    shutdown(blocked_fd, SHUT_RD);
    pthread_join(t, NULL);
    check("udp recv woken by shutdown", blocked_ret == 0);
    close(blocked_fd);

    /* A peer's data wakes a blocked TCP recv. */
    pthread_create(&t, NULL, echo_server, (void *)(intptr_t)lfd);
    blocked_fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(blocked_fd, (struct sockaddr *)&a, sizeof(a));
    blocked_ret = 12345;
    pthread_t r;
    pthread_create(&r, NULL, block_recv, NULL);
    usleep(100000);
    check("tcp recv blocks", blocked_ret == 12345);
    send(blocked_fd, "ping", 4, 0);
    pthread_join(r, NULL);
    check("tcp recv woken by data", blocked_ret == 4);
    shutdown(blocked_fd, SHUT_WR);
    pthread_join(t, NULL);
    close(blocked_fd);

    /* shutdown of a listener ends a blocked accept with EINVAL. */
    blocked_fd = listen_lo(&port);
    blocked_ret = 12345;
    pthread_create(&t, NULL, block_accept, NULL);
    usleep(100000);
    check("accept blocks", blocked_ret == 12345);
    shutdown(blocked_fd, SHUT_RDWR);
    pthread_join(t, NULL);
    check("accept woken by shutdown",
          blocked_ret == -1 && blocked_errno == EINVAL);
    close(blocked_fd);

    close(lfd);
    printf("done: %d failures\n", failures);
    return failures != 0;
}
