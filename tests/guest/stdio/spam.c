/* SPDX-License-Identifier: MIT */
/* Guest test helper: writes lines until a write fails, then says why on
 * stderr and exits 3 (unless SIGPIPE ended it first, as on Linux). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    for (;;) {
        if (puts("spam spam spam spam spam spam spam spam") < 0 ||
            fflush(stdout) != 0) {
            fprintf(stderr, "write failed: %s\n", strerror(errno));
            return 3;
        }
    }
}
