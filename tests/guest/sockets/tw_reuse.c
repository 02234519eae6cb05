/*
 * Closes first on every connection, so each one leaves a TIME-WAIT entry
 * in the guest; the test's client then reconnects from the same port.
 * Prints the peer port of each connection and answers "hi".
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 3;
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(7000)};

    setvbuf(stdout, NULL, _IOLBF, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0) {
        perror("tw_reuse: bind/listen");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        struct sockaddr_in p;
        socklen_t len = sizeof(p);
        int c = accept(l, (struct sockaddr *)&p, &len);

        if (c < 0) {
            perror("tw_reuse: accept");
            return 1;
        }
        printf("peer port %d\n", ntohs(p.sin_port));
        if (write(c, "hi", 2) != 2)
            perror("tw_reuse: write");
        close(c);
    }
    return 0;
}
