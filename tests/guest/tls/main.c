/* SPDX-License-Identifier: MIT */
/* Guest test: initialised __thread data, zeroed TLS, a 64 KiB TLS block. */
#include <stdio.h>
#include <string.h>

static __thread int counter = 42;
static __thread char greeting[16] = "hello tls";
static __thread long zeroed_tls;
static __thread unsigned char big_block[65536] = {1, 2, 3};

int main(void)
{
    if (counter != 42 || strcmp(greeting, "hello tls") || zeroed_tls)
        return 1;
    if (big_block[0] != 1 || big_block[1] != 2 || big_block[2] != 3)
        return 2;
    for (size_t i = 3; i < sizeof(big_block); i++)
        if (big_block[i])
            return 3;
    memset(big_block, 0xab, sizeof(big_block));
    counter++;
    printf("tls ok counter=%d last=%02x\n", counter,
           big_block[sizeof(big_block) - 1]);
    return 0;
}
