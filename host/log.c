/* SPDX-License-Identifier: MIT */
/* Host-side log lines on stderr, prefixed with the onyx command name. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_prefix = "onyx";
static enum mon_log_level log_level = MON_LOG_WARN;

void mon_log_init(const char *prefix)
{
    const char *env = getenv("ONYX_LOG");

    log_prefix = prefix;
    if (!env)
        return;
    if (strcmp(env, "error") == 0)
        log_level = MON_LOG_ERROR;
    else if (strcmp(env, "warn") == 0)
        log_level = MON_LOG_WARN;
    else if (strcmp(env, "info") == 0)
        log_level = MON_LOG_INFO;
    else if (strcmp(env, "debug") == 0)
        log_level = MON_LOG_DEBUG;
}

const char *mon_log_prefix(void)
{
    return log_prefix;
}

bool mon_log_enabled(enum mon_log_level level)
{
    return level <= log_level;
}

/* One fprintf per line so concurrent writers do not interleave words. */
static void log_line(const char *tag, const char *fmt, va_list ap)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    fprintf(stderr, "%s: %s%s\n", log_prefix, tag, msg);
}

void mon_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_line("", fmt, ap);
    va_end(ap);
}

void mon_warn(const char *fmt, ...)
{
    va_list ap;

    if (!mon_log_enabled(MON_LOG_WARN))
        return;
    va_start(ap, fmt);
    log_line("warning: ", fmt, ap);
    va_end(ap);
}

void mon_info(const char *fmt, ...)
{
    va_list ap;

    if (!mon_log_enabled(MON_LOG_INFO))
        return;
    va_start(ap, fmt);
    log_line("", fmt, ap);
    va_end(ap);
}

void mon_debug(const char *fmt, ...)
{
    va_list ap;

    if (!mon_log_enabled(MON_LOG_DEBUG))
        return;
    va_start(ap, fmt);
    log_line("debug: ", fmt, ap);
    va_end(ap);
}

void mon_warn_once(bool *once, const char *fmt, ...)
{
    va_list ap;

    if (*once)
        return;
    *once = true;
    if (!mon_log_enabled(MON_LOG_WARN))
        return;
    va_start(ap, fmt);
    log_line("warning: ", fmt, ap);
    va_end(ap);
}
