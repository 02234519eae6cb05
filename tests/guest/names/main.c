/* SPDX-License-Identifier: MIT */
/*
 * Guest test program for the generated /etc files: resolves localhost
 * and the app's own name, reads root and nobody from the user database
 * and, when given a name ("-" for none), looks it up (A and AAAA
 * together, as musl does for AF_UNSPEC) through the DNS server in
 * /etc/resolv.conf; then resolves any further names. Prints one line
 * per fact and the lookup time in ms on stderr.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static void show(const char *what, const char *name, int family)
{
    struct addrinfo hints = {.ai_family = family,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int rc = getaddrinfo(name, NULL, &hints, &res);

    if (rc != 0) {
        printf("%s: error %s\n", what, gai_strerror(rc));
        return;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        char buf[INET6_ADDRSTRLEN];
        const void *a = ai->ai_family == AF_INET
                            ? (const void *)&((struct sockaddr_in *)
                                                  ai->ai_addr)->sin_addr
                            : (const void *)&((struct sockaddr_in6 *)
                                                  ai->ai_addr)->sin6_addr;

        inet_ntop(ai->ai_family, a, buf, sizeof(buf));
        printf("%s: %s\n", what, buf);
    }
    freeaddrinfo(res);
}

int main(int argc, char **argv)
{
    struct passwd *pw;
    struct group *gr;
    struct timespec t0, t1;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *res, *ai;
    int rc, v4 = 0, v6 = 0;

    /* Each call reuses one static record: print before the next. */
    pw = getpwuid(0);
    printf("uid0: %s %s\n", pw ? pw->pw_name : "-", pw ? pw->pw_dir : "-");
    pw = getpwnam("nobody");
    printf("nobody: %d\n", pw ? (int)pw->pw_uid : -1);
    gr = getgrgid(0);
    printf("gid0: %s\n", gr ? gr->gr_name : "-");
    show("localhost4", "localhost", AF_INET);
    show("localhost6", "localhost", AF_INET6);
    if (argc > 1)
        show("self", argv[1], AF_INET);
    for (int i = 3; i < argc; i++)
        show(argv[i], argv[i], AF_UNSPEC);
    if (argc < 3 || !strcmp(argv[2], "-"))
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = getaddrinfo(argv[2], NULL, &hints, &res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "lookup-ms: %ld\n",
            (long)((t1.tv_sec - t0.tv_sec) * 1000 +
                   (t1.tv_nsec - t0.tv_nsec) / 1000000));
    if (rc != 0) {
        printf("dns: error %s\n", gai_strerror(rc));
        return 1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        v4 += ai->ai_family == AF_INET;
        v6 += ai->ai_family == AF_INET6;
    }
    freeaddrinfo(res);
    printf("dns: %s v4=%d v6=%d\n", v4 ? "found" : "none", v4 > 0, v6 > 0);
    return 0;
}
