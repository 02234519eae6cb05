/* SPDX-License-Identifier: MIT */
/*
 * App side of the `onyx run` stop tests: "handler" catches SIGTERM/SIGINT,
 * prints them and waits on; "default" leaves them at their default action;
 * "busy" catches them but spins without a syscall.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
    got = sig;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "handler";

    setvbuf(stdout, NULL, _IONBF, 0);
    if (strcmp(mode, "default") != 0) {
        signal(SIGTERM, on_signal);
        signal(SIGINT, on_signal);
    }
    printf("stop: ready (%s)\n", mode);
    if (strcmp(mode, "busy") == 0)
        for (;;)
            __asm__ volatile("" ::: "memory");
    for (;;) {
        poll(NULL, 0, -1);
        if (got) {
            printf("stop: got signal %d\n", (int)got);
            got = 0;
        }
    }
}
