/* SPDX-License-Identifier: MIT */
/*
 * Host-side `--net tap:IFACE` back end: frames go straight to and from
 * a Linux tap device (IFF_TAP | IFF_NO_PI, non-blocking).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "net.h"

struct tap_be {
    int fd;
    bool warned_tx;
    bool warned_rx;
    uint64_t tx_dropped;
};

static void tap_transmit(void *be, const uint8_t *frame, uint32_t len)
{
    struct tap_be *t = be;
    ssize_t n;

    do {
        n = write(t->fd, frame, len);
    } while (n < 0 && errno == EINTR);
    if (n >= 0)
        return;
    if (errno == EAGAIN) {
        t->tx_dropped++;
        return;
    }
    mon_warn_once(&t->warned_tx, "net: tap write: %s", strerror(errno));
}

static uint32_t tap_receive(void *be, uint8_t *buf, uint32_t cap)
{
    struct tap_be *t = be;
    ssize_t n;

    do {
        n = read(t->fd, buf, cap);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        return (uint32_t)n;
    if (n < 0 && errno != EAGAIN)
        mon_warn_once(&t->warned_rx, "net: tap read: %s", strerror(errno));
    return 0;
}

static int tap_prepare(void *be, struct pollfd *fds, int max,
                       uint64_t *timeout_ns)
{
    struct tap_be *t = be;

    if (max < 1)
        return 0;
    fds[0] = (struct pollfd){.fd = t->fd, .events = POLLIN};
    return 1;
}

static void tap_dispatch(void *be, struct pollfd *fds, int nfds, bool error)
{
    /* Frames are read in tap_receive; nothing else to do. */
}

static void tap_destroy(void *be)
{
    struct tap_be *t = be;

    if (t->tx_dropped)
        mon_info("net: tap dropped %llu TX frames (device busy)",
                 (unsigned long long)t->tx_dropped);
    close(t->fd);
    free(t);
}

const struct mon_net_ops mon_net_tap_ops = {
    .transmit = tap_transmit,
    .receive = tap_receive,
    .prepare = tap_prepare,
    .dispatch = tap_dispatch,
    .destroy = tap_destroy,
};

int mon_net_tap_create(void **be, const struct mon_net_options *opt,
                       struct onyx_net_config *cfg, struct mon_err *err)
{
    struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
    struct tap_be *t;
    int fd;

    if (strlen(opt->ifname) >= IFNAMSIZ)
        return mon_err_set(err, -EINVAL, "tap:%s: interface name too long",
                           opt->ifname);
    /* TUNSETIFF would quietly create a missing device (down, without an
     * address) and the guest would talk to nothing: require it. */
    char sys_path[64];

    snprintf(sys_path, sizeof(sys_path), "/sys/class/net/%s", opt->ifname);
    if (access(sys_path, F_OK) != 0)
        return mon_err_set(err, -ENODEV,
                           "tap:%s: no such network interface (create it "
                           "first: ip tuntap add %s mode tap)",
                           opt->ifname, opt->ifname);
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mon_err_set(err, -errno, "/dev/net/tun: %s", strerror(errno));
    memcpy(ifr.ifr_name, opt->ifname, strlen(opt->ifname));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;

        close(fd);
        return mon_err_set(err, -e, "tap:%s: %s%s", opt->ifname, strerror(e),
                           e == EPERM ? " (needs CAP_NET_ADMIN, or create "
                                        "it first: ip tuntap add NAME mode "
                                        "tap user $USER)"
                           : e == EINVAL ? " (not a tap device?)"
                                         : "");
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        close(fd);
        return mon_err_set(err, -ENOMEM, "out of memory");
    }
    t->fd = fd;
    cfg->ip = opt->ip;
    cfg->prefix = opt->prefix;
    cfg->gateway = opt->gateway;
    cfg->dns = opt->dns;
    *be = t;
    return 0;
}
