/* SPDX-License-Identifier: MIT */
/*
 * Host unit test: the ONYX_HC_POLL ring service (TX, RX, index checks,
 * waiting) with a loopback back end that returns every frame sent.
 */
#include <errno.h>
#include <stdlib.h>

#include "net.h"
#include "testlib.h"

#define LOOP_FRAMES 1024u

struct loop {
    uint32_t head, tail;
    uint32_t len[LOOP_FRAMES];
    uint8_t data[LOOP_FRAMES][ONYX_NET_BUF_SIZE];
};

static void loop_transmit(void *be, const uint8_t *frame, uint32_t len)
{
    struct loop *l = be;

    if (l->head - l->tail == LOOP_FRAMES)
        return;
    memcpy(l->data[l->head % LOOP_FRAMES], frame, len);
    l->len[l->head % LOOP_FRAMES] = len;
    l->head++;
}

static uint32_t loop_receive(void *be, uint8_t *buf, uint32_t cap)
{
    struct loop *l = be;
    uint32_t i = l->tail % LOOP_FRAMES;

    if (l->head == l->tail || l->len[i] > cap)
        return 0;
    memcpy(buf, l->data[i], l->len[i]);
    l->tail++;
    return l->len[i];
}

static int loop_prepare(void *be, struct pollfd *fds, int max,
                        uint64_t *timeout_ns)
{
    return 0;
}

static void loop_dispatch(void *be, struct pollfd *fds, int nfds, bool err)
{
}

static void loop_destroy(void *be)
{
    free(be);
}

static const struct mon_net_ops loop_ops = {
    loop_transmit, loop_receive, loop_prepare, loop_dispatch, loop_destroy,
};

static struct mon_vm vm;
static struct onyx_net_ring *tx, *rx;
static volatile sig_atomic_t stop;

static struct mon_net *fresh(void)
{
    struct mon_net *n = mon_net_wrap(&loop_ops, calloc(1, sizeof(struct loop)));

    memset(vm.mem, 0, vm.mem_size);
    if (!n || mon_net_attach(n, &vm, 0, ONYX_NET_RING_BYTES) < 0)
        abort();
    return n;
}

static void tx_put(uint32_t len, uint8_t fill)
{
    uint32_t slot = tx->head % ONYX_NET_SLOTS;

    tx->slot[slot].len = len;
    memset(vm.mem + ONYX_NET_BUF_OFFSET(slot), fill, len);
    tx->head++;
}

static int poll_now(struct mon_net *n, uint32_t *ready, struct mon_err *err)
{
    return mon_net_poll(n, 0, &stop, ready, err);
}

static void test_loopback(void)
{
    struct mon_net *n = fresh();
    struct mon_err err = {""};
    uint32_t ready = 0;
    uint8_t *rx_buf = vm.mem + ONYX_NET_RING_BYTES;

    tx_put(60, 0xaa);
    tx_put(1514, 0xbb);
    tx_put(5, 0xcc); /* runt: dropped */
    tx_put(2048, 0xdd);
    CHECK("ring/poll-ok", poll_now(n, &ready, &err) == 0);
    CHECK("ring/tx-consumed", tx->tail == 4);
    CHECK("ring/rx-ready", ready == 3 && rx->head == 3 && rx->tail == 0);
    CHECK("ring/rx-frame-0",
          rx->slot[0].len == 60 && rx_buf[ONYX_NET_BUF_OFFSET(0)] == 0xaa);
    CHECK("ring/rx-frame-1", rx->slot[1].len == 1514 &&
                                 rx_buf[ONYX_NET_BUF_OFFSET(1) + 1513] == 0xbb);
    CHECK("ring/rx-frame-full-buffer",
          rx->slot[2].len == 2048 &&
              rx_buf[ONYX_NET_BUF_OFFSET(2) + 2047] == 0xdd);
    rx->tail = 3;
    CHECK("ring/poll-empty", poll_now(n, &ready, &err) == 0 && ready == 0);
    mon_net_destroy(n);
}

static void test_rx_full(void)
{
    struct mon_net *n = fresh();
    struct mon_err err = {""};
    uint32_t ready = 0;

    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 200; i++)
            tx_put(64, (uint8_t)i);
        poll_now(n, &ready, &err);
    }
    CHECK("ring/rx-stops-when-full",
          ready == ONYX_NET_SLOTS && rx->head == ONYX_NET_SLOTS);
    rx->tail = 100;
    poll_now(n, &ready, &err);
    CHECK("ring/rx-refills-after-consume",
          ready == ONYX_NET_SLOTS && rx->head == 356);
    rx->tail = 356;
    poll_now(n, &ready, &err);
    CHECK("ring/rx-drains-queue", ready == 44 && rx->head == 400);
    mon_net_destroy(n);
}

static void expect_hostile(const char *name, struct mon_net *n,
                           const char *needle)
{
    struct mon_err err = {""};
    uint32_t ready;
    int rc = poll_now(n, &ready, &err);

    test_check(rc == -EPROTO && strstr(err.msg, needle), name,
               "rc=%d message '%s'", rc, err.msg);
    mon_net_destroy(n);
}

static void test_hostile(void)
{
    struct mon_net *n = fresh();

    tx->head = ONYX_NET_SLOTS + 1;
    expect_hostile("ring/tx-head-too-far", n, "TX ring head");
    n = fresh();
    tx->head = UINT32_MAX;
    expect_hostile("ring/tx-head-behind", n, "TX ring head");
    n = fresh();
    tx_put(64, 1);
    tx->slot[0].len = ONYX_NET_BUF_SIZE + 1;
    expect_hostile("ring/tx-len-too-big", n, "claims");
    n = fresh();
    rx->tail = 1;
    expect_hostile("ring/rx-tail-ahead", n, "RX ring tail");
    n = fresh();
    rx->tail = (uint32_t) - (int32_t)(ONYX_NET_SLOTS + 1);
    expect_hostile("ring/rx-tail-too-far-behind", n, "RX ring tail");
}

static void test_wait(void)
{
    struct mon_net *n = fresh();
    struct mon_err err = {""};
    uint32_t ready = 1;
    uint64_t t0 = mon_now_ns();
    int rc = mon_net_poll(n, t0 + 20000000, &stop, &ready, &err);
    uint64_t waited = mon_now_ns() - t0;

    test_check(rc == 0 && ready == 0 && waited >= 20000000 &&
                   waited < 500000000,
               "ring/wait-until-deadline", "rc=%d waited %llu ns", rc,
               (unsigned long long)waited);
    t0 = mon_now_ns();
    rc = mon_net_poll(NULL, t0 + 10000000, &stop, &ready, &err);
    waited = mon_now_ns() - t0;
    test_check(rc == 0 && waited >= 10000000, "ring/wait-without-net",
               "waited %llu ns", (unsigned long long)waited);
    tx_put(64, 1);
    t0 = mon_now_ns();
    rc = mon_net_poll(n, UINT64_MAX, &stop, &ready, &err);
    test_check(rc == 0 && ready == 1 && mon_now_ns() - t0 < 100000000,
               "ring/no-wait-when-frames-ready", "ready=%u", ready);
    stop = 1;
    rx->tail = rx->head;
    t0 = mon_now_ns();
    rc = mon_net_poll(n, UINT64_MAX, &stop, &ready, &err);
    test_check(rc == 0 && mon_now_ns() - t0 < 100000000, "ring/stop-ends-wait",
               "rc=%d", rc);
    stop = 0;
    mon_net_destroy(n);
}

int main(void)
{
    struct mon_net *n;

    vm.mem_size = 2 * MON_MIB;
    vm.mem = aligned_alloc(4096, vm.mem_size);
    if (!vm.mem)
        return 1;
    tx = (struct onyx_net_ring *)vm.mem;
    rx = (struct onyx_net_ring *)(vm.mem + ONYX_NET_RING_BYTES);
    n = mon_net_wrap(&loop_ops, NULL);
    CHECK("ring/attach-outside-refused",
          mon_net_attach(n, &vm, vm.mem_size, 0) == -EINVAL);
    mon_net_destroy(n);
    test_loopback();
    test_rx_full();
    test_hostile();
    test_wait();
    free(vm.mem);
    return test_done();
}
