/* SPDX-License-Identifier: MIT */
/* Guest test: prints argv and the TESTVAR_* environment in order. */
#include <stdio.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        if (!strncmp(*e, "TESTVAR_", 8))
            printf("env %s\n", *e);
    return 0;
}
