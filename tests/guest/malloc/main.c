/* SPDX-License-Identifier: MIT */
/* Guest test: malloc from 1 MiB up to argv[1] MiB, every byte written
 * and read back, memory freed between rounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fill_and_check(size_t size)
{
    unsigned char *p = malloc(size);

    if (!p) {
        printf("malloc(%zu) failed\n", size);
        return 1;
    }
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i * 31 + 7);
    for (size_t i = 0; i < size; i++)
        if (p[i] != (unsigned char)(i * 31 + 7)) {
            printf("byte %zu of %zu corrupted\n", i, size);
            return 1;
        }
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    size_t max_mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32;

    for (size_t mib = 1; mib < max_mib; mib *= 2)
        if (fill_and_check(mib << 20))
            return 1;
    if (fill_and_check(max_mib << 20))
        return 1;
    /* many small blocks */
    void *ptrs[10000];

    for (int i = 0; i < 10000; i++) {
        ptrs[i] = malloc((size_t)(i % 512) + 1);
        if (!ptrs[i])
            return 2;
        memset(ptrs[i], i, (size_t)(i % 512) + 1);
    }
    for (int i = 0; i < 10000; i++)
        free(ptrs[i]);
    printf("malloc ok up to %zu MiB\n", max_mib);
    return 0;
}
