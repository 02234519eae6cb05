/* SPDX-License-Identifier: MIT */
/*
 * The guest's network device (guest side): an lwIP netif over the shared
 * TX/RX rings of onyx/abi.h. Frames are copied once each way between
 * pbufs and ring slots; the monitor sees TX frames and refills RX only at
 * ONYX_HC_POLL, so a whole batch costs one VM exit.
 */
#include <errno.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "k/boot.h"
#include "k/hypercall.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/net.h"
#include "k/sched.h"

#include "net_internal.h"

/* Ethernet header; shorter frames from the monitor are dropped. */
#define ETH_HDR_LEN 14u

static struct netif vnet_netif;
static volatile struct onyx_net_ring *tx_ring;
static volatile struct onyx_net_ring *rx_ring;
static uint8_t *tx_bufs;
static uint8_t *rx_bufs;
/* Our own copies of the indices we produce (TX head) and consume (RX
 * tail): the monitor never writes them, so no need to read them back. */
static uint32_t tx_head;
static uint32_t rx_tail;
static bool vnet_up;
static bool warned_len;
static bool warned_mem;

static inline void compiler_barrier(void)
{
    __asm__ volatile("" ::: "memory");
}

/* Lets the monitor drain the TX ring now (it also refills RX, which the
 * next k_net_input picks up). */
static void vnet_kick(void)
{
    uint32_t stop = 0;

    k_hc_poll(0, &stop);
}

static err_t vnet_linkoutput(struct netif *netif, struct pbuf *p)
{
    uint32_t slot;

    (void)netif;
    if (p->tot_len > ONYX_NET_BUF_SIZE)
        return ERR_BUF;
    if (tx_head - tx_ring->tail >= ONYX_NET_SLOTS) {
        vnet_kick();
        if (tx_head - tx_ring->tail >= ONYX_NET_SLOTS)
            return ERR_MEM; /* the monitor is stuck; TCP will resend */
    }
    slot = tx_head % ONYX_NET_SLOTS;
    pbuf_copy_partial(p, tx_bufs + (uint64_t)slot * ONYX_NET_BUF_SIZE,
                      p->tot_len, 0);
    tx_ring->slot[slot].len = p->tot_len;
    tx_ring->slot[slot].flags = 0;
    /* The slot must be complete before the monitor can see the index;
     * x86 keeps stores in order, the compiler must too. */
    compiler_barrier();
    tx_head++;
    tx_ring->head = tx_head;
    return ERR_OK;
}

static err_t vnet_netif_init(struct netif *netif)
{
    const struct onyx_net_config *cfg = &k_boot_info->net;

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = vnet_linkoutput;
    netif->mtu =
        cfg->mtu != 0 && cfg->mtu <= ONYX_NET_MTU ? cfg->mtu : ONYX_NET_MTU;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, cfg->mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static uint32_t prefix_to_mask(unsigned prefix)
{
    if (prefix == 0)
        return 0;
    return lwip_htonl(~0u << (32 - (prefix > 32 ? 32 : prefix)));
}

int vnet_init(void)
{
    const struct onyx_boot_info *bi = k_boot_info;
    ip4_addr_t ip, mask, gw;

    if (bi->net_tx_ring == 0 || bi->net_rx_ring == 0) {
        k_err("net: device present but rings missing: tx=%llx rx=%llx",
              (unsigned long long)bi->net_tx_ring,
              (unsigned long long)bi->net_rx_ring);
        return -ENODEV;
    }
    tx_ring = k_phys_to_virt(bi->net_tx_ring);
    rx_ring = k_phys_to_virt(bi->net_rx_ring);
    tx_bufs = (uint8_t *)k_phys_to_virt(bi->net_tx_ring) + ONYX_PAGE_SIZE;
    rx_bufs = (uint8_t *)k_phys_to_virt(bi->net_rx_ring) + ONYX_PAGE_SIZE;
    tx_head = tx_ring->head;
    rx_tail = rx_ring->tail;

    ip4_addr_set_u32(&ip, bi->net.ip);
    ip4_addr_set_u32(&mask, prefix_to_mask(bi->net.prefix));
    ip4_addr_set_u32(&gw, bi->net.gateway);
    /* Input is called with the core lock held (k_net_input), so frames go
     * straight to ethernet_input, not through tcpip_input. */
    if (netif_add(&vnet_netif, &ip, &mask, &gw, NULL, vnet_netif_init,
                  ethernet_input) == NULL)
        return -ENOMEM;
    netif_set_default(&vnet_netif);
    netif_set_link_up(&vnet_netif);
    netif_set_up(&vnet_netif);
    vnet_up = true;
    return 0;
}

bool k_net_tx_pending(void)
{
    return vnet_up && tx_head != tx_ring->tail;
}

/* Copies one RX slot into a fresh pbuf; NULL when the frame is dropped. */
static struct pbuf *vnet_rx_frame(uint32_t slot)
{
    uint32_t len = rx_ring->slot[slot].len;
    struct pbuf *p;

    if (len < ETH_HDR_LEN || len > ONYX_NET_BUF_SIZE) {
        if (!warned_len)
            k_err("net: dropping received frames of bad length: len=%u", len);
        warned_len = true;
        return NULL;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (p == NULL) {
        /* TCP recovers by retransmitting; say once that it has to. */
        if (!warned_mem)
            k_warn("net: out of memory, dropping received frames");
        warned_mem = true;
        return NULL;
    }
    memcpy(p->payload, rx_bufs + (uint64_t)slot * ONYX_NET_BUF_SIZE, len);
    return p;
}

void k_net_input(void)
{
    if (!vnet_up || rx_ring->head == rx_tail)
        return;
    /* Never re-enter lwIP: if the lock is taken (it is never held across
     * a thread switch, so this means we were called from inside lwIP),
     * the frames wait in the ring for the next call. */
    if (!k_net_core_trylock())
        return;

    /* head is re-read each time: sending ACKs may kick the monitor, which
     * then queues more frames. */
    while (rx_ring->head != rx_tail) {
        uint32_t slot = rx_tail % ONYX_NET_SLOTS;
        struct pbuf *p;

        if (rx_ring->head - rx_tail > ONYX_NET_SLOTS) {
            k_err("net: rx ring corrupt: head=%u tail=%u", rx_ring->head,
                  rx_tail);
            rx_tail = rx_ring->head;
            rx_ring->tail = rx_tail;
            break;
        }
        p = vnet_rx_frame(slot);
        /* The slot is ours until tail moves past it. */
        compiler_barrier();
        rx_tail++;
        rx_ring->tail = rx_tail;
        if (p == NULL)
            continue;
        k_net_tw_syn(p->payload, p->len);
        if (vnet_netif.input(p, &vnet_netif) != ERR_OK)
            pbuf_free(p);
    }
    k_net_unlock();
    k_waitq_wake_all(&k_io_waitq);
}

void k_net_flush(void)
{
    if (!vnet_up)
        return;
    if (k_net_tx_pending())
        vnet_kick();
    if (rx_ring->head != rx_tail)
        k_net_input();
}
