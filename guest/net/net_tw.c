/* SPDX-License-Identifier: MIT */
/*
 * TIME-WAIT housekeeping for lwIP (guest side): caps how many TIME-WAIT
 * pcbs exist, and lets a client's new SYN reopen a connection still in
 * TIME-WAIT here, as Linux does (RFC 1122 4.2.2.13). Without the latter,
 * a server that closes first refuses a client that reuses a port within
 * the 60 s TIME-WAIT: lwIP answers the SYN with an ACK the client resets,
 * and the connection attempt hangs.
 */
#include <stdint.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

#include "net_internal.h"

/* Most TIME-WAIT pcbs kept; beyond this the oldest go first, like
 * Linux's tcp_max_tw_buckets. Each costs a few hundred bytes. */
#define TW_MAX 4096u
#define TW_CHECK_MS 1000u
/* Offsets in an Ethernet frame carrying IPv4. */
#define ETH_HLEN 14u
#define IP_MIN_HLEN 20u
#define TCP_MIN_HLEN 20u

static bool tw_watching;

/* The connection last reopened from TIME-WAIT: its new ISN must lie
 * beyond every sequence number the old one used (4.2.2.13, rule 1). */
static struct {
    bool valid;
    uint32_t local_ip, remote_ip;
    uint16_t local_port, remote_port;
    uint32_t isn_floor;
} reopened;

static void tw_free(struct tcp_pcb *pcb)
{
    tcp_pcb_purge(pcb);
    tcp_free(pcb);
}

static void tw_check(void *arg)
{
    struct tcp_pcb *pcb = tcp_tw_pcbs;
    struct tcp_pcb *victim;
    unsigned n = 1;

    (void)arg;
    tw_watching = false;
    if (pcb == NULL)
        return;
    /* New TIME-WAIT pcbs are added at the head, so the list runs from
     * newest to oldest: keep the first TW_MAX, cut off the rest in one
     * go (tcp_abort would search the list for each one). A TIME-WAIT pcb
     * has no user and sends nothing when dropped. */
    while (pcb->next != NULL && n < TW_MAX) {
        pcb = pcb->next;
        n++;
    }
    victim = pcb->next;
    pcb->next = NULL;
    while (victim != NULL) {
        struct tcp_pcb *next = victim->next;

        tw_free(victim);
        victim = next;
    }
    k_net_tw_watch();
}

void k_net_tw_watch(void)
{
    if (tw_watching)
        return;
    tw_watching = true;
    sys_timeout(TW_CHECK_MS, tw_check, NULL);
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

void k_net_tw_syn(const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HLEN;
    const uint8_t *th;
    struct tcp_pcb *prev = NULL;
    uint32_t src, dst, seq;
    uint16_t sport, dport;
    size_t ihl;

    if (tcp_tw_pcbs == NULL || len < ETH_HLEN + IP_MIN_HLEN + TCP_MIN_HLEN)
        return;
    if (frame[12] != 0x08 || frame[13] != 0x00 || (ip[0] >> 4) != 4)
        return; /* not IPv4 */
    ihl = (size_t)(ip[0] & 0x0f) * 4;
    if (ihl < IP_MIN_HLEN || ip[9] != IP_PROTO_TCP ||
        len < ETH_HLEN + ihl + TCP_MIN_HLEN)
        return;
    if ((ip[6] & 0x3f) != 0 || ip[7] != 0)
        return; /* a fragment */
    th = ip + ihl;
    if ((th[13] & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return;
    memcpy(&src, ip + 12, 4); /* addresses stay in network order */
    memcpy(&dst, ip + 16, 4);
    sport = get_be16(th);
    dport = get_be16(th + 2);
    seq = get_be32(th + 4);
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL;
         prev = pcb, pcb = pcb->next) {
        if (pcb->remote_port != sport || pcb->local_port != dport ||
            ip4_addr_get_u32(&pcb->remote_ip) != src ||
            ip4_addr_get_u32(&pcb->local_ip) != dst)
            continue;
        /* RFC 1122 reopens only for a SYN beyond the old connection;
         * Linux also takes any SYN whose timestamp is newer (PAWS). Peers
         * without timestamps (libslirp, lwIP) pick ISNs that fall behind
         * half the time, and lwIP would answer those with an ACK that the
         * client resets, for the whole TIME-WAIT. A fresh SYN from the
         * same port is a new connection, so take it; the ISN floor below
         * keeps stray segments of the old one out of the new one. */
        (void)seq;
        reopened.valid = true;
        reopened.local_ip = dst;
        reopened.remote_ip = src;
        reopened.local_port = dport;
        reopened.remote_port = sport;
        /* Past everything we sent, by a full unscaled window, as Linux
         * does. */
        reopened.isn_floor = pcb->snd_nxt + 0xffffu + 2;
        if (prev != NULL)
            prev->next = pcb->next;
        else
            tcp_tw_pcbs = pcb->next;
        tw_free(pcb);
        return;
    }
}

uint32_t k_net_tw_isn(uint32_t isn, uint32_t local_ip, uint16_t local_port,
                      uint32_t remote_ip, uint16_t remote_port)
{
    if (!reopened.valid || reopened.local_ip != local_ip ||
        reopened.remote_ip != remote_ip || reopened.local_port != local_port ||
        reopened.remote_port != remote_port)
        return isn;
    reopened.valid = false;
    return TCP_SEQ_LT(isn, reopened.isn_floor) ? reopened.isn_floor : isn;
}
