/* SPDX-License-Identifier: MIT */
/* Guest test helper: writes to a pipe (argv[1] = "pipe") or a socket pair
 * ("pair") whose reader is gone. SIGPIPE's default action ends the
 * program (141); with SIGPIPE ignored ("... ign") write gives EPIPE. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fds[2];

    if (argc > 2 && !strcmp(argv[2], "ign"))
        signal(SIGPIPE, SIG_IGN);
    if (argc > 1 && !strcmp(argv[1], "pair")) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
            return 1;
    } else if (pipe(fds)) {
        return 1;
    }
    close(fds[0]);
    if (write(fds[1], "x", 1) < 0) {
        printf("write: %s\n", strerror(errno));
        return 4;
    }
    return 0;
}
