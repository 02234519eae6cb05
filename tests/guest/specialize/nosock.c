/* SPDX-License-Identifier: MIT */
/* Guest test app: socket(AF_INET) must fail with EAFNOSUPPORT on the
 * minimal kernel while socketpair(AF_UNIX) keeps working. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int sv[2];
    char buf[8] = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd >= 0) {
        printf("socket: got fd %d\n", fd);
        return 1;
    }
    printf("socket: %s\n",
           errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
        write(sv[0], "ping", 4) != 4 || read(sv[1], buf, 4) != 4) {
        printf("socketpair: %s\n", strerror(errno));
        return 1;
    }
    printf("socketpair: %s\n", buf);
    return 0;
}
