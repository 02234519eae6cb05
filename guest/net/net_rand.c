/* SPDX-License-Identifier: MIT */
/*
 * Randomness for lwIP (guest side): LWIP_RAND for ephemeral ports, and
 * RFC 6528 TCP initial sequence numbers keyed from the kernel's CSPRNG.
 */
#include <stdint.h>

#include "lwip/ip_addr.h"

#include "k/random.h"
#include "k/time.h"

#include "net_internal.h"

/* Secret key of the ISN function. */
static uint64_t isn_key[2];

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> ((64 - k) & 63));
}

void k_net_rand_init(void)
{
    k_random_bytes(isn_key, sizeof(isn_key));
}

uint32_t k_net_rand(void)
{
    return k_random_u32();
}

/* One SipHash round over the four state words. */
#define SIP_ROUND(v0, v1, v2, v3) \
    do {                          \
        v0 += v1;                 \
        v1 = rotl(v1, 13);        \
        v1 ^= v0;                 \
        v0 = rotl(v0, 32);        \
        v2 += v3;                 \
        v3 = rotl(v3, 16);        \
        v3 ^= v2;                 \
        v0 += v3;                 \
        v3 = rotl(v3, 21);        \
        v3 ^= v0;                 \
        v2 += v1;                 \
        v1 = rotl(v1, 17);        \
        v1 ^= v2;                 \
        v2 = rotl(v2, 32);        \
    } while (0)

/* SipHash-2-4 of two 64-bit words under isn_key. */
static uint64_t siphash2(uint64_t m0, uint64_t m1)
{
    uint64_t v0 = isn_key[0] ^ 0x736f6d6570736575ull;
    uint64_t v1 = isn_key[1] ^ 0x646f72616e646f6dull;
    uint64_t v2 = isn_key[0] ^ 0x6c7967656e657261ull;
    uint64_t v3 = isn_key[1] ^ 0x7465646279746573ull;
    uint64_t m[3] = {m0, m1, (uint64_t)16 << 56};

    for (int i = 0; i < 3; i++) {
        v3 ^= m[i];
        SIP_ROUND(v0, v1, v2, v3);
        SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m[i];
    }
    v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        SIP_ROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * RFC 6528: ISN = M + F(local ip, local port, remote ip, remote port,
 * key) where M ticks every 4 microseconds, so a new connection on the
 * same 4-tuple starts above the old one and off-path guessing is hopeless.
 */
uint32_t k_net_tcp_isn(const struct ip4_addr *local_ip, uint16_t local_port,
                       const struct ip4_addr *remote_ip, uint16_t remote_port)
{
    uint64_t m0 = ((uint64_t)ip4_addr_get_u32(local_ip) << 32) |
                  ip4_addr_get_u32(remote_ip);
    uint64_t m1 = ((uint64_t)local_port << 16) | remote_port;
    uint64_t ticks = k_time_monotonic_ns() / 4000;
    uint32_t isn = (uint32_t)ticks + (uint32_t)siphash2(m0, m1);

    return k_net_tw_isn(isn, ip4_addr_get_u32(local_ip), local_port,
                        ip4_addr_get_u32(remote_ip), remote_port);
}
