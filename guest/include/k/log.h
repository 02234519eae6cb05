/* SPDX-License-Identifier: MIT */
/* Guest kernel logging: lines tagged "[onyx]" on the kernel console. */
#ifndef K_LOG_H
#define K_LOG_H

#include <stdarg.h>

enum k_log_level {
    K_LOG_ERR = 3,
    K_LOG_WARN = 4,
    K_LOG_INFO = 6,
    K_LOG_DEBUG = 7,
};

/*
 * Writes "[onyx] <formatted>\n" to the kernel console stream when `level`
 * is at or above the configured level (default K_LOG_WARN). Format
 * supports %d %i %u %ld %lu %lld %llu %zu %zd %x %lx %llx %p %s %c %%,
 * with width, zero-padding and '-' flags. Never blocks; callable anywhere.
 */
void k_log(enum k_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Lines above this level are dropped (K_LOG_WARN by default). */
extern int k_log_level;

#define k_err(...) k_log(K_LOG_ERR, __VA_ARGS__)
#define k_warn(...) k_log(K_LOG_WARN, __VA_ARGS__)
#define k_info(...) k_log(K_LOG_INFO, __VA_ARGS__)
#define k_debug(...) k_log(K_LOG_DEBUG, __VA_ARGS__)

/* Reports a kernel panic through the crash hypercall; never returns. */
_Noreturn void k_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Formatting into a buffer, same conversions as k_log. Returns the
 * length the full output would have (like vsnprintf). */
int k_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap);
int k_snprintf(char *buf, unsigned long size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
