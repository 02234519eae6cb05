/* SPDX-License-Identifier: MIT */
/* Guest test: .bss is zero, up to the end of its last page. */
#include <stdint.h>
#include <stdio.h>

static char zeroes[300000];
static int small_bss;
extern char end[]; /* first byte after .bss, from the linker */

int main(void)
{
    uintptr_t page_end = ((uintptr_t)end + 4095) & ~(uintptr_t)4095;

    for (size_t i = 0; i < sizeof(zeroes); i++)
        if (zeroes[i]) {
            printf("bss byte %zu is %d\n", i, zeroes[i]);
            return 1;
        }
    if (small_bss)
        return 2;
    for (volatile char *p = end; (uintptr_t)p < page_end; p++)
        if (*p) {
            printf("byte after .bss at %p is %d\n", (void *)p, *p);
            return 3;
        }
    zeroes[sizeof(zeroes) - 1] = 1;
    printf("bss ok\n");
    return 0;
}
