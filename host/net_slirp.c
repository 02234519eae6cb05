/* SPDX-License-Identifier: MIT */
/*
 * Host-side `--net user` back end on libslirp: a user-mode TCP/IP stack
 * with NAT, DNS and `-p` TCP forwards; no root needed. Its timers run
 * on the monitor's clock and frames it sends wait in a bounded queue.
 * libslirp (and glib under it) is loaded with dlopen only when a guest
 * uses it: linking it costs every `onyx run` about 130 us at exec.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <slirp/libslirp.h>

#include "log.h"
#include "net.h"

#define SLIRP_NET "10.0.2.0"
#define SLIRP_MASK "255.255.255.0"
#define SLIRP_HOST "10.0.2.2"
#define SLIRP_DNS "10.0.2.3"
#define SLIRP_GUEST "10.0.2.15"

/* Frames slirp produced that the RX ring has not taken yet. Beyond this
 * they are dropped; TCP retransmits. */
#define RXQ_FRAMES 512u
#define MAX_TIMERS 16

/* The libslirp functions we call, typed from its own header. */
static struct {
    __typeof__(slirp_new) *new_instance;
    __typeof__(slirp_cleanup) *cleanup;
    __typeof__(slirp_input) *input;
    __typeof__(slirp_pollfds_fill) *pollfds_fill;
    __typeof__(slirp_pollfds_poll) *pollfds_poll;
    __typeof__(slirp_handle_timer) *handle_timer;
    __typeof__(slirp_add_hostfwd) *add_hostfwd;
} lib;

static int slirp_load(struct mon_err *err)
{
    void *h;

    if (lib.new_instance)
        return 0;
    h = dlopen("libslirp.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return mon_err_set(err, -ENOENT,
                           "--net user needs libslirp (Debian package "
                           "libslirp0): %s",
                           dlerror());
    lib.cleanup = (__typeof__(lib.cleanup))dlsym(h, "slirp_cleanup");
    lib.input = (__typeof__(lib.input))dlsym(h, "slirp_input");
    lib.pollfds_fill =
        (__typeof__(lib.pollfds_fill))dlsym(h, "slirp_pollfds_fill");
    lib.pollfds_poll =
        (__typeof__(lib.pollfds_poll))dlsym(h, "slirp_pollfds_poll");
    lib.handle_timer =
        (__typeof__(lib.handle_timer))dlsym(h, "slirp_handle_timer");
    lib.add_hostfwd =
        (__typeof__(lib.add_hostfwd))dlsym(h, "slirp_add_hostfwd");
    lib.new_instance = (__typeof__(lib.new_instance))dlsym(h, "slirp_new");
    if (!lib.cleanup || !lib.input || !lib.pollfds_fill || !lib.pollfds_poll ||
        !lib.handle_timer || !lib.add_hostfwd || !lib.new_instance) {
        lib.new_instance = NULL;
        return mon_err_set(err, -ENOENT,
                           "libslirp.so.0 lacks a function we need "
                           "(libslirp 4.7 or later required)");
    }
    return 0;
}

struct rx_frame {
    uint32_t len;
    uint8_t data[ONYX_NET_BUF_SIZE];
};

struct slirp_timer {
    bool used;
    bool armed;
    uint64_t expire_ns;
    SlirpTimerId id;
    void *cb_opaque;
};

struct slirp_be {
    Slirp *slirp;
    struct rx_frame *rxq;
    uint32_t rxq_head;
    uint32_t rxq_tail;
    struct slirp_timer timers[MAX_TIMERS];
    /* ppoll set being filled (prepare) or read (dispatch). */
    struct pollfd *fds;
    int nfds;
    int maxfds;
    bool warned_drop;
    bool warned_big;
    bool warned_fds;
};

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_be *s = opaque;
    struct rx_frame *f;

    if (len > ONYX_NET_BUF_SIZE) {
        mon_warn_once(&s->warned_big,
                      "net: dropping a %zu-byte frame for the guest "
                      "(larger than a ring buffer)",
                      len);
        return (ssize_t)len;
    }
    if (s->rxq_head - s->rxq_tail == RXQ_FRAMES) {
        mon_warn_once(&s->warned_drop,
                      "net: guest is not taking frames fast enough; "
                      "dropping (TCP will retransmit)");
        return (ssize_t)len;
    }
    f = &s->rxq[s->rxq_head % RXQ_FRAMES];
    f->len = (uint32_t)len;
    memcpy(f->data, buf, len);
    s->rxq_head++;
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    mon_warn("net: slirp: guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    return (int64_t)mon_now_ns();
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    struct slirp_be *s = opaque;

    for (int i = 0; i < MAX_TIMERS; i++) {
        struct slirp_timer *t = &s->timers[i];

        if (t->used)
            continue;
        *t = (struct slirp_timer){
            .used = true, .id = id, .cb_opaque = cb_opaque};
        return t;
    }
    mon_error("net: slirp wants more than %d timers", MAX_TIMERS);
    return NULL;
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    /* Only reached with SlirpConfig older than version 4. */
    mon_error("net: slirp asked for a callback timer, which we lack");
    return NULL;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct slirp_timer *t = timer;

    if (t)
        t->used = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    struct slirp_timer *t = timer;

    if (!t)
        return;
    t->armed = true;
    t->expire_ns = expire_ms < 0 ? 0 : (uint64_t)expire_ms * 1000000ull;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

static void slirp_transmit(void *be, const uint8_t *frame, uint32_t len)
{
    struct slirp_be *s = be;

    lib.input(s->slirp, frame, (int)len);
}

static uint32_t slirp_receive(void *be, uint8_t *buf, uint32_t cap)
{
    struct slirp_be *s = be;
    struct rx_frame *f;

    if (s->rxq_head == s->rxq_tail)
        return 0;
    f = &s->rxq[s->rxq_tail % RXQ_FRAMES];
    s->rxq_tail++;
    if (f->len > cap)
        return 0;
    memcpy(buf, f->data, f->len);
    return f->len;
}

static int cb_add_poll(int fd, int events, void *opaque)
{
    struct slirp_be *s = opaque;
    short ev = 0;

    if (s->nfds == s->maxfds) {
        mon_warn_once(&s->warned_fds,
                      "net: more than %d host sockets; some wait longer",
                      s->maxfds);
        return -1;
    }
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    s->fds[s->nfds] = (struct pollfd){.fd = fd, .events = ev};
    return s->nfds++;
}

static int cb_get_revents(int idx, void *opaque)
{
    struct slirp_be *s = opaque;
    short re;
    int out = 0;

    if (idx < 0 || idx >= s->nfds)
        return 0;
    re = s->fds[idx].revents;
    if (re & POLLIN)
        out |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        out |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        out |= SLIRP_POLL_PRI;
    if (re & POLLERR)
        out |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        out |= SLIRP_POLL_HUP;
    return out;
}

static int slirp_prepare(void *be, struct pollfd *fds, int max,
                         uint64_t *timeout_ns)
{
    struct slirp_be *s = be;
    uint64_t now = mon_now_ns();
    uint32_t ms;

    /* Frames already queued: do not sleep at all. */
    if (s->rxq_head != s->rxq_tail)
        *timeout_ns = 0;
    for (int i = 0; i < MAX_TIMERS; i++) {
        const struct slirp_timer *t = &s->timers[i];

        if (!t->used || !t->armed)
            continue;
        if (t->expire_ns <= now)
            *timeout_ns = 0;
        else if (t->expire_ns - now < *timeout_ns)
            *timeout_ns = t->expire_ns - now;
    }
    ms = *timeout_ns >= (uint64_t)UINT32_MAX * 1000000ull
             ? UINT32_MAX
             : (uint32_t)((*timeout_ns + 999999) / 1000000);
    s->fds = fds;
    s->nfds = 0;
    s->maxfds = max;
    lib.pollfds_fill(s->slirp, &ms, cb_add_poll, s);
    if (ms != UINT32_MAX && (uint64_t)ms * 1000000ull < *timeout_ns)
        *timeout_ns = (uint64_t)ms * 1000000ull;
    return s->nfds;
}

static void slirp_dispatch(void *be, struct pollfd *fds, int nfds, bool error)
{
    struct slirp_be *s = be;
    uint64_t now;

    s->fds = fds;
    s->nfds = nfds;
    lib.pollfds_poll(s->slirp, error ? 1 : 0, cb_get_revents, s);
    now = mon_now_ns();
    for (int i = 0; i < MAX_TIMERS; i++) {
        struct slirp_timer *t = &s->timers[i];

        if (!t->used || !t->armed || t->expire_ns > now)
            continue;
        t->armed = false;
        lib.handle_timer(s->slirp, t->id, t->cb_opaque);
    }
    s->fds = NULL;
    s->nfds = 0;
}

static void slirp_destroy(void *be)
{
    struct slirp_be *s = be;

    /* slirp_cleanup closes every host socket, listeners included. */
    if (s->slirp)
        lib.cleanup(s->slirp);
    free(s->rxq);
    free(s);
}

const struct mon_net_ops mon_net_slirp_ops = {
    .transmit = slirp_transmit,
    .receive = slirp_receive,
    .prepare = slirp_prepare,
    .dispatch = slirp_dispatch,
    .destroy = slirp_destroy,
};

/*
 * libslirp listens on forwarded ports with a backlog of 1, so a burst of
 * connections (ab -c 100) overflows the host's accept queue and clients
 * stall in SYN retries. Find the listener slirp just made for `port` and
 * listen again with a real backlog (listen() on a listening socket only
 * changes its backlog).
 */
static void slirp_widen_backlog(const struct mon_net_forward *f)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d))) {
        int fd = atoi(e->d_name), listening = 0;
        struct sockaddr_in sa;
        socklen_t len = sizeof(listening), salen = sizeof(sa);

        if (fd <= 2 || fd == dirfd(d))
            continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) ||
            !listening)
            continue;
        if (getsockname(fd, (struct sockaddr *)&sa, &salen) ||
            sa.sin_family != AF_INET || ntohs(sa.sin_port) != f->host_port)
            continue;
        if (listen(fd, SOMAXCONN) != 0)
            mon_warn("net: -p %s: cannot widen the accept backlog: %s",
                     f->text, strerror(errno));
    }
    closedir(d);
}

static int slirp_forward(struct slirp_be *s, const struct mon_net_forward *f,
                         struct mon_err *err)
{
    struct in_addr guest;
    char host[INET_ADDRSTRLEN];

    inet_pton(AF_INET, SLIRP_GUEST, &guest);
    errno = 0;
    if (lib.add_hostfwd(s->slirp, 0, f->host_addr, f->host_port, guest,
                        f->guest_port) == 0) {
        slirp_widen_backlog(f);
        return 0;
    }
    inet_ntop(AF_INET, &f->host_addr, host, sizeof(host));
    return mon_err_set(err, -EADDRINUSE, "-p %s: cannot listen on %s:%u: %s",
                       f->text, host, f->host_port,
                       errno ? strerror(errno) : "address in use");
}

int mon_net_slirp_create(void **be, const struct mon_net_options *opt,
                         struct onyx_net_config *cfg, struct mon_err *err)
{
    SlirpConfig sc = {
        .version = 4,
        .in_enabled = true,
        /* The guest must not reach services bound to the host's
         * loopback (127.0.0.1-only admin ports) through 10.0.2.2. */
        .disable_host_loopback = true,
        .if_mtu = ONYX_NET_MTU,
        .if_mru = ONYX_NET_MTU,
    };
    struct slirp_be *s;
    int rc = slirp_load(err);

    if (rc < 0)
        return rc;
    s = calloc(1, sizeof(*s));
    if (!s)
        return mon_err_set(err, -ENOMEM, "out of memory");
    /* Frame storage is touched only as frames arrive. */
    s->rxq = malloc(RXQ_FRAMES * sizeof(*s->rxq));
    if (!s->rxq) {
        free(s);
        return mon_err_set(err, -ENOMEM, "out of memory");
    }
    inet_pton(AF_INET, SLIRP_NET, &sc.vnetwork);
    inet_pton(AF_INET, SLIRP_MASK, &sc.vnetmask);
    inet_pton(AF_INET, SLIRP_HOST, &sc.vhost);
    inet_pton(AF_INET, SLIRP_GUEST, &sc.vdhcp_start);
    inet_pton(AF_INET, SLIRP_DNS, &sc.vnameserver);
    s->slirp = lib.new_instance(&sc, &slirp_callbacks, s);
    if (!s->slirp) {
        slirp_destroy(s);
        return mon_err_set(err, -EIO, "net: libslirp failed to start");
    }
    for (unsigned i = 0; i < opt->nforwards; i++) {
        rc = slirp_forward(s, &opt->forwards[i], err);
        if (rc < 0) {
            slirp_destroy(s);
            return rc;
        }
    }
    inet_pton(AF_INET, SLIRP_GUEST, &cfg->ip);
    inet_pton(AF_INET, SLIRP_HOST, &cfg->gateway);
    inet_pton(AF_INET, SLIRP_DNS, &cfg->dns);
    cfg->prefix = 24;
    *be = s;
    return 0;
}
