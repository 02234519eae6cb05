/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel log ("[onyx] " lines on the kernel console stream),
 * k_panic, and the small printf-style formatter behind them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/hypercall.h"
#include "k/log.h"

#define LOG_LINE_MAX 512
#define LOG_PREFIX "[onyx] "
#define LOG_NEST_MAX 2

int k_log_level = K_LOG_WARN;

struct out {
    char *buf;
    unsigned long size;
    unsigned long len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

struct spec {
    bool left;
    bool zero;
    int width;
    int precision; /* -1: none */
};

static void put_padded(struct out *o, const struct spec *s, const char *str,
                       int len)
{
    int pad = s->width > len ? s->width - len : 0;

    if (!s->left)
        for (int i = 0; i < pad; i++)
            put(o, s->zero ? '0' : ' ');
    for (int i = 0; i < len; i++)
        put(o, str[i]);
    if (s->left)
        for (int i = 0; i < pad; i++)
            put(o, ' ');
}

static void put_number(struct out *o, const struct spec *s, uint64_t v,
                       bool negative, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    struct spec inner = *s;
    char tmp[24];
    char str[25];
    int n = 0;
    int len = 0;

    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (negative) {
        if (s->zero && !s->left) {
            /* The sign goes before zero padding. */
            put(o, '-');
            if (inner.width > 0)
                inner.width--;
        } else {
            str[len++] = '-';
        }
    }
    while (n)
        str[len++] = tmp[--n];
    put_padded(o, &inner, str, len);
}

/* Length modifiers collapse to "long" (64-bit) or "int". */
static const char *parse_spec(const char *f, struct spec *s, int *lng,
                              va_list *ap)
{
    *s = (struct spec){.precision = -1};
    for (;; f++) {
        if (*f == '-')
            s->left = true;
        else if (*f == '0')
            s->zero = true;
        else
            break;
    }
    if (*f == '*') {
        s->width = va_arg(*ap, int);
        f++;
    }
    while (*f >= '0' && *f <= '9')
        s->width = s->width * 10 + (*f++ - '0');
    if (*f == '.') {
        f++;
        s->precision = 0;
        if (*f == '*') {
            s->precision = va_arg(*ap, int);
            f++;
        }
        while (*f >= '0' && *f <= '9')
            s->precision = s->precision * 10 + (*f++ - '0');
    }
    *lng = 0;
    while (*f == 'l' || *f == 'z' || *f == 'j' || *f == 't' || *f == 'h') {
        if (*f != 'h')
            *lng = 1;
        f++;
    }
    return f;
}

int k_vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .size = size};
    va_list aq;

    va_copy(aq, ap);
    for (const char *f = fmt; *f; f++) {
        struct spec s;
        int lng;
        uint64_t u;
        int64_t d;

        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f = parse_spec(f + 1, &s, &lng, &aq);
        switch (*f) {
        case 'd':
        case 'i':
            d = lng ? va_arg(aq, long) : va_arg(aq, int);
            put_number(&o, &s, d < 0 ? -(uint64_t)d : (uint64_t)d, d < 0, 10,
                       false);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = lng ? va_arg(aq, unsigned long) : va_arg(aq, unsigned);
            put_number(&o, &s, u, false,
                       *f == 'u'   ? 10
                       : *f == 'o' ? 8
                                   : 16,
                       *f == 'X');
            break;
        case 'p':
            u = (uint64_t)(uintptr_t)va_arg(aq, void *);
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, &s, u, false, 16, false);
            break;
        case 's': {
            const char *str = va_arg(aq, const char *);
            int len;

            if (!str)
                str = "(null)";
            len = (int)strnlen(str, s.precision >= 0 ? (size_t)s.precision
                                                     : (size_t)-1);
            s.zero = false;
            put_padded(&o, &s, str, len);
            break;
        }
        case 'c': {
            char c = (char)va_arg(aq, int);

            s.zero = false;
            put_padded(&o, &s, &c, 1);
            break;
        }
        case '%': put(&o, '%'); break;
        case 0: f--; break;
        default:
            put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    va_end(aq);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int k_snprintf(char *buf, unsigned long size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = k_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* One static line and argument struct per nesting level (a line may be
 * logged from a fault taken while another line is being sent). */
static char log_lines[LOG_NEST_MAX][LOG_LINE_MAX];
static struct onyx_hc_console log_hc[LOG_NEST_MAX];
static int log_depth;

void k_log(enum k_log_level level, const char *fmt, ...)
{
    size_t prefix = sizeof(LOG_PREFIX) - 1;
    va_list ap;
    char *line;
    int n;

    if ((int)level > k_log_level || log_depth >= LOG_NEST_MAX)
        return;
    line = log_lines[log_depth++];
    memcpy(line, LOG_PREFIX, prefix);
    va_start(ap, fmt);
    n = k_vsnprintf(line + prefix, LOG_LINE_MAX - prefix - 1, fmt, ap);
    va_end(ap);
    if (n > (int)(LOG_LINE_MAX - prefix - 2))
        n = (int)(LOG_LINE_MAX - prefix - 2);
    line[prefix + n] = '\n';
    k_hc_console_write_static(ONYX_CONSOLE_KERNEL, level, line, prefix + n + 1,
                              &log_hc[log_depth - 1]);
    log_depth--;
}

_Noreturn void k_panic(const char *fmt, ...)
{
    char msg[ONYX_CRASH_MSG_MAX];
    struct onyx_regs regs = {0};
    va_list ap;

    va_start(ap, fmt);
    k_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    regs.rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    regs.rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
    __asm__ volatile("mov %%rsp, %0" : "=r"(regs.rsp));
    k_crash(ONYX_CRASH_PANIC, 0, &regs, regs.rbp, msg);
}
