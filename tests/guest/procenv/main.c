/* SPDX-License-Identifier: MIT */
/*
 * Guest test (runs in the guest and natively): process-environment
 * calls (uname, sysinfo, rlimits, prctl names, CPU affinity, clock
 * resolution, CPU-time clocks). Prints results that must match a
 * native run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(c) check((c), #c, __LINE__)

static int failures;

static void check(int ok, const char *what, int line)
{
    if (!ok) {
        printf("FAIL line %d: %s (errno %d %s)\n", line, what, errno,
               strerror(errno));
        failures++;
    }
}

static void test_env(void)
{
    struct utsname u;
    struct sysinfo si;
    struct rlimit rl;
    cpu_set_t set;
    char name[16];
    struct timespec ts, t1;

    CHECK(uname(&u) == 0);
    printf("uname sysname %s machine %s\n", u.sysname, u.machine);
    CHECK(sysinfo(&si) == 0 && si.totalram > 0 && si.mem_unit >= 1);
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0);
    CHECK(prlimit(0, RLIMIT_STACK, NULL, &rl) == 0);
    CHECK(prctl(PR_SET_NAME, "worker-thread-name") == 0);
    CHECK(prctl(PR_GET_NAME, name) == 0);
    printf("prctl name %s\n", name);
    CHECK(sched_getaffinity(0, sizeof(set), &set) == 0);
    printf("affinity has cpu: %d\n", CPU_COUNT(&set) >= 1);
    CHECK(clock_getres(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec == 0);
    CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
    for (volatile int i = 0; i < 1000000; i++)
        ;
    CHECK(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1) == 0);
    printf("process cpu time advances: %d\n",
           t1.tv_sec > ts.tv_sec || t1.tv_nsec > ts.tv_nsec);
    CHECK(clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0);
    CHECK(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
    CHECK(prctl(PR_GET_DUMPABLE) == 1);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
    CHECK(prctl(PR_SET_NAME, "short") == 0 && prctl(PR_GET_NAME, name) == 0);
    printf("prctl short name %s\n", name);
    /* glibc's struct sysinfo is 112 bytes: nothing past it is written */
    unsigned char raw[400];
    memset(raw, 0xab, sizeof(raw));
    CHECK(syscall(SYS_sysinfo, raw) == 0);
    int untouched = 1;
    for (size_t i = 112; i < sizeof(raw); i++)
        untouched &= raw[i] == 0xab;
    printf("sysinfo writes 112 bytes: %d\n", untouched);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    test_env();
    printf("failures %d\n", failures);
    return failures != 0;
}
