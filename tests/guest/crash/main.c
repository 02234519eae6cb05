/* SPDX-License-Identifier: MIT */
/* Guest test: crashes on purpose in the way argv[1] names. */
#include <stdio.h>
#include <string.h>

__attribute__((noinline)) static int deref_null(volatile int *p)
{
    return *p;
}

__attribute__((noinline)) static int divide(volatile int a, volatile int b)
{
    return a / b;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "null";

    printf("about to crash: %s\n", how);
    fflush(stdout);
    if (!strcmp(how, "null"))
        return deref_null(NULL);
    if (!strcmp(how, "div0"))
        return divide(1, 0);
    if (!strcmp(how, "ud2"))
        __builtin_trap();
    return 0;
}
