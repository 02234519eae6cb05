/* SPDX-License-Identifier: MIT */
/* Host-side helpers: sizes, string lists, full writes, temp clean-up. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"
#include "util.h"

int mon_err_set(struct mon_err *e, int code, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return code;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

static int size_suffix(const char *s, uint64_t *mult)
{
    switch (*s) {
    case '\0': *mult = 1; return 0;
    case 'k':
    case 'K': *mult = MON_KIB; break;
    case 'm':
    case 'M': *mult = MON_MIB; break;
    case 'g':
    case 'G': *mult = MON_GIB; break;
    case 'b':
    case 'B': *mult = 1; return s[1] == '\0' ? 0 : -EINVAL;
    default: return -EINVAL;
    }
    s++;
    if (*s == '\0' || strcmp(s, "B") == 0 || strcmp(s, "iB") == 0 ||
        strcmp(s, "b") == 0 || strcmp(s, "ib") == 0)
        return 0;
    return -EINVAL;
}

int mon_size_parse(const char *s, uint64_t *out)
{
    uint64_t value = 0;
    uint64_t mult;
    const char *p = s;

    if (!s || *s < '0' || *s > '9')
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t digit = (uint64_t)(*p - '0');

        if (value > (UINT64_MAX - digit) / 10)
            return -ERANGE;
        value = value * 10 + digit;
    }
    if (size_suffix(p, &mult) < 0)
        return -EINVAL;
    if (value > UINT64_MAX / mult)
        return -ERANGE;
    *out = value * mult;
    return 0;
}

int mon_mem_parse(const char *s, uint64_t *out, bool *rounded)
{
    uint64_t bytes;
    uint64_t aligned;
    int rc = mon_size_parse(s, &bytes);

    if (rc < 0)
        return rc;
    if (bytes < MON_MEM_MIN || bytes > MON_MEM_MAX)
        return -ERANGE;
    aligned = (bytes + MON_MEM_ALIGN - 1) & ~(MON_MEM_ALIGN - 1);
    *rounded = aligned != bytes;
    *out = aligned;
    return 0;
}

void mon_size_format(uint64_t bytes, char *buf, size_t len)
{
    if (bytes != 0 && bytes % MON_GIB == 0)
        snprintf(buf, len, "%lluG", (unsigned long long)(bytes / MON_GIB));
    else if (bytes != 0 && bytes % MON_MIB == 0)
        snprintf(buf, len, "%lluM", (unsigned long long)(bytes / MON_MIB));
    else if (bytes != 0 && bytes % MON_KIB == 0)
        snprintf(buf, len, "%lluK", (unsigned long long)(bytes / MON_KIB));
    else
        snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

int mon_strvec_push(struct mon_strvec *v, const char *s)
{
    char *copy;

    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **items = realloc(v->items, cap * sizeof(*items));

        if (!items)
            return -ENOMEM;
        v->items = items;
        v->cap = cap;
    }
    copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    v->items[v->count++] = copy;
    return 0;
}

int mon_strvec_setenv(struct mon_strvec *v, const char *kv)
{
    size_t key_len = strcspn(kv, "=");

    for (size_t i = 0; i < v->count; i++) {
        char *copy;

        if (strncmp(v->items[i], kv, key_len) != 0 ||
            v->items[i][key_len] != '=')
            continue;
        copy = strdup(kv);
        if (!copy)
            return -ENOMEM;
        free(v->items[i]);
        v->items[i] = copy;
        return 0;
    }
    return mon_strvec_push(v, kv);
}

void mon_strvec_free(struct mon_strvec *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->count = 0;
    v->cap = 0;
}

size_t mon_strvec_blob_size(const struct mon_strvec *v)
{
    size_t total = 0;

    for (size_t i = 0; i < v->count; i++)
        total += strlen(v->items[i]) + 1;
    return total;
}

void mon_strvec_blob_write(const struct mon_strvec *v, char *out)
{
    for (size_t i = 0; i < v->count; i++) {
        size_t n = strlen(v->items[i]) + 1;

        memcpy(out, v->items[i], n);
        out += n;
    }
}

int mon_strvec_from_blob(struct mon_strvec *v, const char *blob, size_t size)
{
    size_t pos = 0;

    while (pos < size) {
        size_t n = strnlen(blob + pos, size - pos);
        int rc;

        if (n == size - pos)
            return -EINVAL;
        rc = mon_strvec_push(v, blob + pos);
        if (rc < 0)
            return rc;
        pos += n + 1;
    }
    return 0;
}

bool mon_env_valid(const char *kv)
{
    const char *eq = strchr(kv, '=');

    return eq && eq != kv;
}

int mon_write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};

            /* A stop signal ends a write blocked on a full pipe; so
             * does the first one, which the guest cannot hear of while
             * the monitor is stuck here (hc_console then stops it). */
            if (errno == EINTR && (mon_stop_signal || mon_app_signal))
                return -EINTR;
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return -errno;
            /* Someone left the terminal non-blocking: wait, don't drop. */
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                return -errno;
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

#define TMP_MAX_PATHS 4
#define TMP_PATH_MAX 4096

static char tmp_paths[TMP_MAX_PATHS][TMP_PATH_MAX];
static volatile sig_atomic_t tmp_used[TMP_MAX_PATHS];
static volatile pid_t tmp_child;

void mon_tmp_register(const char *path)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (tmp_used[i])
            continue;
        snprintf(tmp_paths[i], TMP_PATH_MAX, "%s", path);
        tmp_used[i] = 1;
        return;
    }
}

void mon_tmp_forget(const char *path)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (tmp_used[i] && strcmp(tmp_paths[i], path) == 0)
            tmp_used[i] = 0;
    }
}

void mon_tmp_cleanup(void)
{
    for (int i = 0; i < TMP_MAX_PATHS; i++) {
        if (tmp_used[i])
            unlink(tmp_paths[i]);
        tmp_used[i] = 0;
    }
}

void mon_tmp_set_child(pid_t child)
{
    tmp_child = child;
}

static void tmp_on_signal(int sig)
{
    if (tmp_child > 0)
        kill(tmp_child, SIGTERM);
    mon_tmp_cleanup();
    _exit(128 + sig);
}

void mon_tmp_install_signals(void)
{
    struct sigaction sa = {.sa_handler = tmp_on_signal};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

uint64_t mon_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
