/* SPDX-License-Identifier: MIT */
/* Guest kernel random numbers: ChaCha20 seeded from boot entropy. */
#ifndef K_RANDOM_H
#define K_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Boot: keys the generator from k_boot_info->random. */
void k_random_init(void);
/* Fills `buf` with cryptographically strong bytes; never blocks. */
void k_random_bytes(void *buf, size_t len);
uint32_t k_random_u32(void);

#endif
