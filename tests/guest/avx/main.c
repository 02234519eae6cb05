/* SPDX-License-Identifier: MIT */
/* Guest test: an AVX instruction runs (exit 77 when the CPU has no AVX),
 * and vector registers survive syscalls. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((target("avx"))) static int avx_add(void)
{
    float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8], out[8];

    for (int i = 0; i < 8; i++)
        b[i] = 10.0f * (float)i;
    __asm__ volatile("vmovups %1, %%ymm1\n\t"
                     "vmovups %2, %%ymm2\n\t"
                     "vaddps %%ymm1, %%ymm2, %%ymm3\n\t"
                     "vmovups %%ymm3, %0"
                     : "=m"(out)
                     : "m"(a), "m"(b)
                     : "xmm1", "xmm2", "xmm3");
    for (int i = 0; i < 8; i++)
        if (out[i] != a[i] + b[i])
            return 1;
    return 0;
}

/* A value in ymm8 must survive a syscall (the kernel must not clobber
 * vector registers). */
__attribute__((target("avx"))) static int avx_survives_syscall(void)
{
    float in[8] = {1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 8.5f};
    float out[8];

    __asm__ volatile("vmovups %1, %%ymm8\n\t"
                     "mov $39, %%eax\n\t" /* getpid */
                     "syscall\n\t"
                     "vmovups %%ymm8, %0"
                     : "=m"(out)
                     : "m"(in)
                     : "rax", "rcx", "r11", "xmm8", "memory");
    return memcmp(in, out, sizeof(in)) != 0;
}

int main(void)
{
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx")) {
        printf("no avx\n");
        return 77;
    }
    if (avx_add())
        return 1;
    if (avx_survives_syscall())
        return 2;
    printf("avx ok\n");
    return 0;
}
