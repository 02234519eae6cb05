/* SPDX-License-Identifier: MIT */
/* Guest test: monotonic time never goes back, nanosleep never returns
 * early, realtime agrees with the host (argv[1] = host epoch seconds). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long ns(clockid_t id)
{
    struct timespec ts;

    if (clock_gettime(id, &ts))
        return -1;
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long long prev = ns(CLOCK_MONOTONIC), now;

    for (int i = 0; i < 1000000; i++) {
        now = ns(CLOCK_MONOTONIC);
        if (now < prev) {
            printf("monotonic went back by %lld ns\n", prev - now);
            return 1;
        }
        prev = now;
    }
    for (int i = 0; i < 5; i++) {
        struct timespec req = {0, 100 * 1000000L};
        long long before = ns(CLOCK_MONOTONIC);

        if (nanosleep(&req, NULL))
            return 2;
        long long slept = ns(CLOCK_MONOTONIC) - before;

        if (slept < 100000000LL) {
            printf("nanosleep(100ms) returned after %lld ns\n", slept);
            return 3;
        }
        if (slept > 2000000000LL) {
            printf("nanosleep(100ms) took %lld ns\n", slept);
            return 4;
        }
    }
    if (argc > 1) {
        long long host = atoll(argv[1]);
        struct timeval tv;

        gettimeofday(&tv, NULL);
        if (llabs((long long)time(NULL) - host) > 5 ||
            llabs((long long)tv.tv_sec - host) > 5) {
            printf("realtime %lld vs host %lld\n", (long long)time(NULL), host);
            return 5;
        }
    }
    if (ns(CLOCK_BOOTTIME) < 0 || ns(CLOCK_MONOTONIC_COARSE) < 0 ||
        ns(CLOCK_REALTIME_COARSE) < 0 || ns(CLOCK_MONOTONIC_RAW) < 0)
        return 6;
    printf("clock ok\n");
    return 0;
}
