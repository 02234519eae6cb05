/* SPDX-License-Identifier: MIT */
/*
 * Signal delivery test (app side, runs natively and as an image): handlers,
 * siginfo, masks, SA_NODEFER/SA_RESETHAND, sigaltstack, nested signals,
 * FPU state kept across a handler, SA_RESTART against EINTR on a pipe read
 * and a TCP accept interrupted by another thread, sigsuspend and pause.
 * Prints lines compared with a native run.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t hits[NSIG];
static volatile int depth, max_depth;
static siginfo_t last_info;
static sigset_t mask_in_handler;
static char *alt_base;
static size_t alt_size;
static volatile int on_alt, ss_onstack, fpu_ok, nested_order[4], nested_n;

static void on_plain(int sig)
{
    hits[sig]++;
    sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void on_info(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;

    hits[sig]++;
    last_info = *si;
    mask_in_handler = uc->uc_sigmask;
    sigprocmask(SIG_BLOCK, NULL, &mask_in_handler);
}

static void on_alt_handler(int sig)
{
    char here;
    stack_t ss;

    hits[sig]++;
    on_alt = &here >= alt_base && &here < alt_base + alt_size;
    sigaltstack(NULL, &ss);
    ss_onstack = (ss.ss_flags & SS_ONSTACK) != 0;
}

static void on_nest(int sig)
{
    nested_order[nested_n++] = sig;
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (sig == SIGUSR1)
        raise(SIGUSR2); /* runs inside this handler */
    depth--;
}

static void on_fpu(int sig)
{
    volatile double x = 1.0;

    (void)sig;
    for (int i = 0; i < 10; i++)
        x = x * 3.5 + 0.25;
    fpu_ok = x > 1000.0;
}

static void on_nodefer(int sig)
{
    depth++;
    if (depth > max_depth)
        max_depth = depth;
    if (depth < 3)
        raise(sig);
    depth--;
}

static void set(int sig, void (*fn)(int), int flags, int block)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    if (block)
        sigaddset(&sa.sa_mask, block);
    if (sigaction(sig, &sa, NULL))
        perror("sigaction");
}

static void set_info(int sig, int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(sig, &sa, NULL);
}

static int fd_pipe[2];
static pthread_t main_thread;
static struct sockaddr_in listen_addr;

static void then_write_pipe(void)
{
    if (write(fd_pipe[1], "x", 1) != 1)
        perror("write");
}

static void then_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (connect(fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)))
        perror("connect");
    close(fd);
}

/* Another thread signals the main one after 50 ms, then (when given)
 * does what lets its blocking call finish 50 ms later. */
static void *kicker(void *arg)
{
    void (*then)(void) = (void (*)(void))arg;
    struct timespec ts = {0, 50 * 1000 * 1000};
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    nanosleep(&ts, NULL);
    pthread_kill(main_thread, SIGUSR1);
    if (then) {
        nanosleep(&ts, NULL);
        then();
    }
    return NULL;
}

static void kick(pthread_t *t, void (*then)(void))
{
    pthread_create(t, NULL, kicker, (void *)then);
}

static void pipe_read(int restart)
{
    pthread_t t;
    char c;
    ssize_t n;

    set(SIGUSR1, on_plain, restart ? SA_RESTART : 0, 0);
    hits[SIGUSR1] = 0;
    if (pipe(fd_pipe))
        perror("pipe");
    kick(&t, restart ? then_write_pipe : NULL);
    n = read(fd_pipe[0], &c, 1);
    printf("read %s: n=%zd errno=%s handler=%d\n",
           restart ? "SA_RESTART" : "no restart", n,
           n < 0 ? strerror(errno) : "-", hits[SIGUSR1]);
    pthread_join(t, NULL);
    close(fd_pipe[0]);
    close(fd_pipe[1]);
}

static void sock_accept(int restart)
{
    socklen_t len = sizeof(listen_addr);
    pthread_t t;
    int l, n;

    set(SIGUSR1, on_plain, restart ? SA_RESTART : 0, 0);
    hits[SIGUSR1] = 0;
    l = socket(AF_INET, SOCK_STREAM, 0);
    memset(&listen_addr, 0, sizeof(listen_addr));
    listen_addr.sin_family = AF_INET;
    listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(l, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) ||
        listen(l, 4) ||
        getsockname(l, (struct sockaddr *)&listen_addr, &len))
        perror("listen");
    kick(&t, restart ? then_connect : NULL);
    n = accept(l, NULL, NULL);
    printf("accept %s: ok=%d errno=%s handler=%d\n",
           restart ? "SA_RESTART" : "no restart", n >= 0,
           n < 0 ? strerror(errno) : "-", hits[SIGUSR1]);
    pthread_join(t, NULL);
    if (n >= 0)
        close(n);
    close(l);
}

static void suspend_and_pause(void)
{
    sigset_t block, wait_mask, after;
    pthread_t t;
    int r;

    set(SIGUSR1, on_plain, 0, 0);
    hits[SIGUSR1] = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kick(&t, NULL);
    sigemptyset(&wait_mask);
    r = sigsuspend(&wait_mask);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("sigsuspend: r=%d errno=%s handler=%d usr1 blocked again=%d\n", r,
           strerror(errno), hits[SIGUSR1], sigismember(&after, SIGUSR1));
    pthread_join(t, NULL);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    kick(&t, NULL);
    r = pause();
    printf("pause: r=%d errno=%s handler=%d\n", r, strerror(errno),
           hits[SIGUSR1]);
    pthread_join(t, NULL);
}

static sigjmp_buf fault_jmp;
static volatile int fault_code;
static volatile uintptr_t fault_addr;
static char *ro_page;
static volatile int *volatile bad_ptr = (volatile int *)0x10;

static void on_segv_jump(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    fault_code = si->si_code;
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(fault_jmp, sig);
}

static void on_segv_fix(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    fault_code = si->si_code;
    fault_addr = (uintptr_t)si->si_addr;
    mprotect(ro_page, 4096, PROT_READ | PROT_WRITE);
}

/* A fault in app code reaches a SIGSEGV handler: one that jumps out, and
 * one that fixes the page and returns to retry the store, with rcx and
 * r11 (which a syscall would clobber) intact. */
static void faults(void)
{
    struct sigaction sa;
    uint64_t rcx, r11;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv_jump;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (sigsetjmp(fault_jmp, 1) == 0) {
        *bad_ptr = 1;
        printf("segv: not reached\n");
    }
    printf("segv jump: code=%d addr=0x%lx\n", fault_code,
           (unsigned long)fault_addr);

    ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sa.sa_sigaction = on_segv_fix;
    sigaction(SIGSEGV, &sa, NULL);
    __asm__ volatile("mov $0x1234, %%rcx\n\t"
                     "mov $0x5678, %%r11\n\t"
                     "movl $7, (%2)\n\t"
                     "mov %%rcx, %0\n\t"
                     "mov %%r11, %1"
                     : "=r"(rcx), "=r"(r11)
                     : "r"(ro_page)
                     : "rcx", "r11", "memory");
    printf("segv fix: code=%d addr_ok=%d value=%d rcx=0x%lx r11=0x%lx\n",
           fault_code, fault_addr == (uintptr_t)ro_page, *(int *)ro_page,
           (unsigned long)rcx, (unsigned long)r11);
    signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
    sigset_t s, old;
    stack_t ss;
    volatile double a = 1.0 / 3.0, b;

    setvbuf(stdout, NULL, _IONBF, 0);
    main_thread = pthread_self();

    /* A plain handler runs; the signal is blocked inside it. */
    set(SIGUSR1, on_plain, 0, 0);
    raise(SIGUSR1);
    printf("plain: hits=%d usr1 blocked inside=%d after=%d\n",
           hits[SIGUSR1], sigismember(&mask_in_handler, SIGUSR1),
           (sigprocmask(SIG_BLOCK, NULL, &s), sigismember(&s, SIGUSR1)));

    /* SA_SIGINFO: siginfo from kill() and raise(), sa_mask applied. */
    set_info(SIGUSR1, 0);
    kill(getpid(), SIGUSR1);
    printf("kill: signo=%d code=%d pid_ok=%d uid=%d usr2 masked=%d\n",
           last_info.si_signo, last_info.si_code,
           last_info.si_pid == getpid(), (int)last_info.si_uid,
           sigismember(&mask_in_handler, SIGUSR2));
    raise(SIGUSR1);
    printf("raise: signo=%d code=%d\n", last_info.si_signo,
           last_info.si_code);

    /* Blocked: stays pending, delivered once when unblocked. */
    hits[SIGUSR1] = 0;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, &old);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&s);
    printf("blocked: hits=%d pending=%d\n", hits[SIGUSR1],
           sigismember(&s, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: hits=%d\n", hits[SIGUSR1]);

    /* Ignored signals vanish. */
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored: still here\n");

    /* SA_RESETHAND: the second raise would take the default action;
     * check the disposition instead. */
    set(SIGHUP, on_plain, SA_RESETHAND, 0);
    raise(SIGHUP);
    {
        struct sigaction cur;

        sigaction(SIGHUP, NULL, &cur);
        printf("resethand: hits=%d now default=%d\n", hits[SIGHUP],
               cur.sa_handler == SIG_DFL);
    }

    /* SA_NODEFER: the handler re-raises into itself. */
    max_depth = depth = 0;
    set(SIGWINCH, on_nodefer, SA_NODEFER, 0);
    raise(SIGWINCH);
    printf("nodefer: depth=%d\n", max_depth);

    /* Nested: the USR1 handler raises USR2, which runs inside it. */
    max_depth = depth = 0;
    set(SIGUSR1, on_nest, 0, 0);
    set(SIGUSR2, on_nest, 0, 0);
    raise(SIGUSR1);
    printf("nested: order=%d,%d depth=%d\n", nested_order[0],
           nested_order[1], max_depth);

    /* sigaltstack with SA_ONSTACK. */
    alt_size = 65536;
    alt_base = malloc(alt_size);
    ss.ss_sp = alt_base;
    ss.ss_size = alt_size;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL))
        perror("sigaltstack");
    set(SIGUSR2, on_alt_handler, SA_ONSTACK, 0);
    raise(SIGUSR2);
    sigaltstack(NULL, &ss);
    printf("altstack: hits=%d on_alt=%d ss_onstack=%d flags after=%d\n",
           hits[SIGUSR2], on_alt, ss_onstack, ss.ss_flags);

    /* The interrupted code's FPU state survives a handler using it. */
    set(SIGUSR1, on_fpu, 0, 0);
    b = a * 3.0;
    raise(SIGUSR1);
    printf("fpu: handler=%d a=%.17g b=%.17g\n", fpu_ok, a, b);

    /* A blocking pipe read interrupted by a signal from another thread. */
    pipe_read(0);
    pipe_read(1);
    sock_accept(0);
    sock_accept(1);
    suspend_and_pause();
    faults();

    /* Default action of an unhandled signal ends the app. */
    signal(SIGUSR1, SIG_DFL);
    printf("ending with SIGUSR1\n");
    raise(SIGUSR1);
    printf("not reached\n");
    return 0;
}
