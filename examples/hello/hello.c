/* SPDX-License-Identifier: MIT */
/* The smallest Onyx example: prints its arguments, exits with argc - 1. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("Hello from Onyx!\n");
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
    return argc - 1;
}
