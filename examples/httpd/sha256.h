/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) for the example service's /sha256 endpoint. */
#ifndef HTTPD_SHA256_H
#define HTTPD_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[32]);

#endif
