/* SPDX-License-Identifier: MIT */
/*
 * lwIP 2.1.3 configuration for the Onyx guest kernel (guest side): one
 * cooperative vCPU, lwIP's raw API driven under the core lock, heap from
 * the kernel allocator, IPv4 only.
 */
#ifndef ONYX_LWIPOPTS_H
#define ONYX_LWIPOPTS_H

#include <stddef.h>
#include <stdint.h>

/* ---- threading model ------------------------------------------------- */
/* tcpip_thread runs lwIP's timers and loopback input; every other entry
 * (socket calls, ring input) takes the core lock and calls lwIP directly,
 * so no request hops to another thread. */
#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define SYS_LIGHTWEIGHT_PROT 1
#define TCPIP_THREAD_NAME "lwip"
#define TCPIP_THREAD_STACKSIZE (32 * 1024)
#define TCPIP_THREAD_PRIO 1
#define TCPIP_MBOX_SIZE 256
#define DEFAULT_THREAD_STACKSIZE (16 * 1024)
/* Catches any lwIP call made without the core lock (see sys_arch.c). */
void k_net_assert_core_locked(void);
#define LWIP_ASSERT_CORE_LOCKED() k_net_assert_core_locked()

/* Sockets are ours (guest/net/sock_*.c) over the raw API: they need exact
 * readiness and waits on kernel wait queues, which lwIP's netconn and
 * socket layers (blocking on their own semaphores) cannot give. */
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_NETIF_API 0

/* ---- memory ------------------------------------------------------------ */
/* Everything comes from the kernel heap through a budget (net_mem.c), so
 * no fixed pools limit connections and total use stays bounded. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
void *k_net_mem_alloc(size_t size);
void *k_net_mem_calloc(size_t n, size_t size);
void k_net_mem_free(void *ptr);
#define mem_clib_malloc k_net_mem_alloc
#define mem_clib_calloc k_net_mem_calloc
#define mem_clib_free k_net_mem_free
/* Pool sizes only feed lwIP's compile-time sanity checks: with
 * MEMP_MEM_MALLOC no pool is allocated or counted. */
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 256
#define MEMP_NUM_TCP_SEG 4096
#define MEMP_NUM_REASSDATA 16
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_SYS_TIMEOUT 64
#define PBUF_POOL_SIZE 1024

/* ---- protocols ----------------------------------------------------------- */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DNS 0 /* musl's resolver speaks UDP to the server itself */
#define LWIP_DHCP 0 /* addresses come from the boot info */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
/* Room to reassemble two 64 KiB datagrams at once (about 45 fragments
 * each); the default of 10 caps datagrams near 14 KiB. */
#define IP_REASS_MAX_PBUFS 100
#define IP_DEFAULT_TTL 64
#define IP_SOF_BROADCAST 1 /* sending broadcast needs SO_BROADCAST */
#define IP_SOF_BROADCAST_RECV 0
#define ARP_TABLE_SIZE 32
#define ARP_QUEUEING 1
#define ARP_QUEUE_LEN 16
#define ETHARP_TABLE_MATCH_NETIF 1
#define ETH_PAD_SIZE 0
#define SO_REUSE 1

/* ---- TCP ----------------------------------------------------------------- */
#define TCP_MSS 1460
#define TCP_TTL 64
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN ((4 * (TCP_SND_BUF) + (TCP_MSS - 1)) / (TCP_MSS))
/* Writable (POLLOUT) once this much send buffer is free; lwIP keeps the
 * low-water mark below 64 KiB - 4 MSS. */
#define TCP_SNDLOWAT (32 * 1024)
#define TCP_SNDQUEUELOWAT ((TCP_SND_QUEUELEN) / 2)
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_BYTES TCP_WND
#define TCP_OOSEQ_MAX_PBUFS 512
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_MAX_SACK_NUM 4
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 255
#define TCP_OVERSIZE TCP_MSS
#define TCP_CALCULATE_EFF_SEND_MSS 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_MAXRTX 12
#define TCP_SYNMAXRTX 6
/* TIME-WAIT lasts 2 * MSL = 60 s, as on Linux; net_init.c also caps how
 * many TIME-WAIT pcbs may exist. */
#define TCP_MSL 30000UL
/* RFC 6528 initial sequence numbers (net_rand.c). */
struct ip4_addr;
uint32_t k_net_tcp_isn(const struct ip4_addr *local_ip, uint16_t local_port,
                       const struct ip4_addr *remote_ip, uint16_t remote_port);
#define LWIP_HOOK_TCP_ISN k_net_tcp_isn

/* ---- netifs -------------------------------------------------------------- */
#define LWIP_SINGLE_NETIF 0
#define LWIP_HAVE_LOOPIF 1 /* 127.0.0.1 works without a device */
#define LWIP_NETIF_LOOPBACK 1 /* and so does talking to our own IP */
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_LOOPBACK_MULTITHREADING 1
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_NETIF_HOSTNAME 0
#define LWIP_NETIF_STATUS_CALLBACK 0
#define LWIP_NETIF_LINK_CALLBACK 0

/* ---- checksums ----------------------------------------------------------- */
/* Checksums are computed while tcp_write copies the user data. */
#define LWIP_CHECKSUM_ON_COPY 1
/* Our own sum (net_chksum.c), several times lwIP's portable ones. */
uint16_t k_net_chksum(const void *data, int len);
#define LWIP_CHKSUM k_net_chksum

/* -ffreestanding turns off builtin memcpy; small fixed-size copies (headers,
 * addresses) should still compile to plain moves. */
#define MEMCPY(dst, src, len) __builtin_memcpy(dst, src, len)
#define SMEMCPY(dst, src, len) __builtin_memcpy(dst, src, len)

/* ---- misc ---------------------------------------------------------------- */
#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0
#define LWIP_ERRNO_STDINCLUDE 1 /* musl's errno values are Linux's */
#define LWIP_DBG_MIN_LEVEL LWIP_DBG_LEVEL_SERIOUS

#endif /* ONYX_LWIPOPTS_H */
