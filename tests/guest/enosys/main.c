/* SPDX-License-Identifier: MIT */
/* Guest test: an unimplemented syscall returns ENOSYS (twice) and the
 * kernel names it once on its log. */
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 2; i++) {
        long r = syscall(SYS_kexec_load, 0, 0, 0, 0);

        if (r != -1 || errno != ENOSYS) {
            printf("kexec_load returned %ld errno %d\n", r, errno);
            return 1;
        }
    }
    printf("enosys ok\n");
    return 0;
}
