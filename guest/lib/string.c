/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel string functions (plain C, general registers only); the
 * kernel and lwIP call them. memcpy/memmove/memset are in memops.S.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Keep GCC from turning these loops back into calls to themselves. */
#define K_NO_PATTERNS \
    __attribute__((optimize("no-tree-loop-distribute-patterns")))

K_NO_PATTERNS int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a;
    const unsigned char *q = b;

    for (; n; n--, p++, q++) {
        if (*p != *q)
            return *p - *q;
    }
    return 0;
}

K_NO_PATTERNS void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (; n; n--, p++) {
        if (*p == (unsigned char)c)
            return (void *)p;
    }
    return NULL;
}

K_NO_PATTERNS size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

K_NO_PATTERNS size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

K_NO_PATTERNS int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

K_NO_PATTERNS int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

K_NO_PATTERNS char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

K_NO_PATTERNS char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

K_NO_PATTERNS char *strcpy(char *dst, const char *src)
{
    char *d = dst;

    while ((*d++ = *src++))
        ;
    return dst;
}

/* Like the standard: pads with NULs up to n, no NUL when src is long. */
K_NO_PATTERNS char *strncpy(char *dst, const char *src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

K_NO_PATTERNS char *strstr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    if (!n)
        return (char *)hay;
    for (; *hay; hay++) {
        if (*hay == *needle && !strncmp(hay, needle, n))
            return (char *)hay;
    }
    return NULL;
}

/* Decimal conversion for lwIP (netif names); no overflow checks, like
 * the C library's atoi. */
int atoi(const char *s)
{
    int sign = 1;
    int v = 0;

    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    if (*s == '-' || *s == '+')
        sign = *s++ == '-' ? -1 : 1;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return sign * v;
}
