/* SPDX-License-Identifier: MIT */
/*
 * Host-side logging for the onyx tool and monitor: every line starts with
 * the command ("onyx run: ...") and goes to stderr.
 */
#ifndef MON_LOG_H
#define MON_LOG_H

#include <stdbool.h>

enum mon_log_level {
    MON_LOG_ERROR = 0,
    MON_LOG_WARN = 1,
    MON_LOG_INFO = 2,
    MON_LOG_DEBUG = 3,
};

/* Sets the prefix of every line ("onyx build"); the string must stay
 * valid. Reads ONYX_LOG (error|warn|info|debug) once for the level; the
 * default shows warn and above. */
void mon_log_init(const char *prefix);
const char *mon_log_prefix(void);
bool mon_log_enabled(enum mon_log_level level);

/* "<prefix>: <message>\n"; warnings add "warning: ". */
void mon_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mon_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mon_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mon_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Warns only the first time `*once` is false, then sets it. */
void mon_warn_once(bool *once, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
