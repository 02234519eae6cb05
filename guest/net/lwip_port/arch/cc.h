/* SPDX-License-Identifier: MIT */
/*
 * Compiler and platform glue for lwIP in the Onyx guest kernel (guest
 * side): freestanding build against musl's headers, asserts become kernel
 * panics, randomness from the kernel.
 */
#ifndef ONYX_LWIP_ARCH_CC_H
#define ONYX_LWIP_ARCH_CC_H

#include <stdint.h>

#include "k/log.h"

/* musl's <ctype.h> declares library functions the kernel does not link;
 * lwIP then uses its own character macros. */
#define LWIP_NO_CTYPE_H 1

#define BYTE_ORDER LITTLE_ENDIAN

/* Byte swaps as compiler builtins instead of lwIP's C loops. */
#define lwip_htons(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define lwip_ntohs(x) lwip_htons(x)
#define lwip_htonl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#define lwip_ntohl(x) lwip_htonl(x)

void k_net_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint32_t k_net_rand(void);

#define LWIP_PLATFORM_ASSERT(x) \
    k_panic("lwip: assertion failed: %s at %s:%d", (x), __FILE__, __LINE__)
#define LWIP_PLATFORM_DIAG(x) \
    do {                      \
        k_net_diag x;         \
    } while (0)
#define LWIP_RAND() k_net_rand()

#endif /* ONYX_LWIP_ARCH_CC_H */
