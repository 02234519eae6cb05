/* SPDX-License-Identifier: MIT */
/*
 * TIME-WAIT housekeeping for lwIP (guest side): caps how many TIME-WAIT
 * pcbs exist, and lets a client's new SYN reopen a connection still in
 * TIME-WAIT (or closing) here, as Linux does (RFC 1122 4.2.2.13).
 * Without that, a server that closes first refuses a client that reuses
 * a port within the 60 s TIME-WAIT: lwIP answers the SYN with an ACK the
 * client resets, and the connection attempt hangs.
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

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static bool tuple_is(const struct tcp_pcb *pcb, uint32_t remote_ip,
                     uint16_t remote_port, uint32_t local_ip,
                     uint16_t local_port)
{
    return pcb->remote_port == remote_port && pcb->local_port == local_port &&
           ip4_addr_get_u32(&pcb->remote_ip) == remote_ip &&
           ip4_addr_get_u32(&pcb->local_ip) == local_ip;
}

/* Remembers that the next connection on pcb's 4-tuple replaces it. */
static void reopen_from(const struct tcp_pcb *pcb)
{
    reopened.valid = true;
    reopened.local_ip = ip4_addr_get_u32(&pcb->local_ip);
    reopened.remote_ip = ip4_addr_get_u32(&pcb->remote_ip);
    reopened.local_port = pcb->local_port;
    reopened.remote_port = pcb->remote_port;
    /* Past everything the old connection sent, by a full unscaled
     * window, as Linux does. */
    reopened.isn_floor = pcb->snd_nxt + 0xffffu + 2;
}

void k_net_tw_syn(const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HLEN;
    const uint8_t *th;
    struct tcp_pcb *prev = NULL;
    uint32_t src, dst;
    uint16_t sport, dport;
    size_t ihl;

    if (len < ETH_HLEN + IP_MIN_HLEN + TCP_MIN_HLEN)
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
    /* The peer reuses the port only once it has no connection left on
     * it, so a matching pcb we still hold is history: in TIME-WAIT, or
     * closed by the app and waiting for the peer's last ACK or FIN (with
     * slirp the new SYN can overtake that FIN, as the two connections
     * are separate sockets on the host).
     *
     * RFC 1122 reopens TIME-WAIT only for a SYN beyond the old sequence
     * numbers, and Linux also for a newer timestamp (PAWS). Peers
     * without timestamps (libslirp, lwIP) pick ISNs that fall behind
     * half the time; lwIP would answer those with an ACK that the client
     * resets, for the whole TIME-WAIT. So any SYN reopens; the ISN floor
     * keeps stray segments of the old connection out of the new one. */
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL;
         prev = pcb, pcb = pcb->next) {
        if (!tuple_is(pcb, src, sport, dst, dport))
            continue;
        reopen_from(pcb);
        if (prev != NULL)
            prev->next = pcb->next;
        else
            tcp_tw_pcbs = pcb->next;
        tw_free(pcb);
        return;
    }
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb != NULL; pcb = pcb->next) {
        if (!tuple_is(pcb, src, sport, dst, dport))
            continue;
        if (pcb->callback_arg == NULL &&
            (pcb->state == FIN_WAIT_1 || pcb->state == FIN_WAIT_2 ||
             pcb->state == CLOSING || pcb->state == LAST_ACK)) {
            reopen_from(pcb);
            tcp_abandon(pcb, 0); /* no RST: it would hit the new one */
        }
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
