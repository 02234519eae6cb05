/* SPDX-License-Identifier: MIT */
/* Guest test: stdout and stderr stay intact and ordered per stream, large
 * writes are not cut, and a last line printed right before exit arrives. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    static char big[200000];

    for (int i = 0; i < 1000; i++) {
        printf("out line %d\n", i);
        if (i % 100 == 0)
            fprintf(stderr, "err line %d\n", i);
    }
    fflush(stdout);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 2] = '\n';
    if (write(1, big, sizeof(big) - 1) != (ssize_t)sizeof(big) - 1)
        return 1;
    fputs("stderr unbuffered tail\n", stderr);
    printf("last line before exit\n");
    return 0;
}
