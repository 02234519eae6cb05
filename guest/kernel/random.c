/* SPDX-License-Identifier: MIT */
/*
 * Kernel random numbers (guest side): a ChaCha20 (RFC 8439 block
 * function) generator keyed from the monitor's boot entropy, with fast
 * key erasure: each block's first 32 bytes become the next key, so
 * earlier output cannot be recovered from the state.
 */
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/boot.h"
#include "k/random.h"

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
/* clang-format off */
#define QR(a, b, c, d)                    \
    do {                                  \
        a += b; d ^= a; d = ROTL(d, 16);  \
        c += d; b ^= c; b = ROTL(b, 12);  \
        a += b; d ^= a; d = ROTL(d, 8);   \
        c += d; b ^= c; b = ROTL(b, 7);   \
    } while (0)
/* clang-format on */

static uint32_t key[8];
static uint64_t counter;
static uint8_t pool[32]; /* output bytes not yet handed out */
static unsigned pool_left;

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void chacha_block(uint8_t out[64])
{
    /* clang-format off */
    uint32_t in[16] = {
        0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, /* constants */
        key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
        (uint32_t)counter, (uint32_t)(counter >> 32), 0, 0,
    };
    /* clang-format on */
    uint32_t x[16];

    memcpy(x, in, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
    counter++;
}

/* One block: rekey from its first half, keep the second half. */
static void refill(void)
{
    uint8_t block[64];

    chacha_block(block);
    for (int i = 0; i < 8; i++)
        key[i] = load32(block + 4 * i);
    memcpy(pool, block + 32, 32);
    pool_left = 32;
    memset(block, 0, sizeof(block));
}

void k_random_init(void)
{
    const uint8_t *seed = k_boot_info->random;
    uint64_t tsc = k_rdtsc();

    for (int i = 0; i < 8; i++)
        key[i] = load32(seed + 4 * i);
    /* The boot TSC adds a little per-boot variation if the monitor's
     * entropy were ever reused. */
    key[0] ^= (uint32_t)tsc;
    key[1] ^= (uint32_t)(tsc >> 32);
    refill();
}

void k_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        size_t n;

        if (!pool_left)
            refill();
        n = len < pool_left ? len : pool_left;
        memcpy(p, pool + 32 - pool_left, n);
        memset(pool + 32 - pool_left, 0, n);
        pool_left -= (unsigned)n;
        p += n;
        len -= n;
    }
}

uint32_t k_random_u32(void)
{
    uint32_t v;

    k_random_bytes(&v, sizeof(v));
    return v;
}
