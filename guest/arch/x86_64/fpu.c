/* SPDX-License-Identifier: MIT */
/*
 * Saving and restoring the app's FPU/SSE/AVX registers around thread
 * switches: XSAVEOPT/XSAVE + XRSTOR with the monitor's XCR0, or FXSAVE
 * on CPUs without XSAVE (guest side; the kernel itself never touches
 * these registers).
 */
#include <stdint.h>
#include <string.h>

#include "k/arch.h"
#include "k/boot.h"

/* Legacy region offsets shared by FXSAVE and XSAVE layouts. */
#define FPU_FCW 0
#define FPU_MXCSR 24
#define FXSAVE_SIZE 512
#define XSAVE_HEADER_END 576

static bool use_xsave(void)
{
    return (k_boot_info->cpu_flags & ONYX_CPU_XSAVE) && k_boot_info->xcr0;
}

size_t k_fpu_area_size(void)
{
    size_t size = k_boot_info->xsave_size;

    if (!use_xsave())
        return FXSAVE_SIZE;
    if (size < XSAVE_HEADER_END)
        size = XSAVE_HEADER_END;
    return (size + 63) & ~(size_t)63;
}

/*
 * The state a new app thread starts with, as after FNINIT + LDMXCSR:
 * x87 control word 0x37f, MXCSR 0x1f80; XSTATE_BV zero puts every
 * other component in its initial state on XRSTOR.
 */
void k_fpu_init_area(void *area)
{
    uint8_t *p = area;
    uint16_t fcw = 0x37f;
    uint32_t mxcsr = 0x1f80;

    memset(p, 0, k_fpu_area_size());
    memcpy(p + FPU_FCW, &fcw, sizeof(fcw));
    memcpy(p + FPU_MXCSR, &mxcsr, sizeof(mxcsr));
}

void k_fpu_save(void *area)
{
    uint32_t lo = (uint32_t)k_boot_info->xcr0;
    uint32_t hi = (uint32_t)(k_boot_info->xcr0 >> 32);

    if (!use_xsave()) {
        __asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
        return;
    }
    if (k_boot_info->cpu_flags & ONYX_CPU_XSAVEOPT)
        __asm__ volatile("xsaveopt64 (%0)"
                         :
                         : "r"(area), "a"(lo), "d"(hi)
                         : "memory");
    else
        __asm__ volatile("xsave64 (%0)"
                         :
                         : "r"(area), "a"(lo), "d"(hi)
                         : "memory");
}

void k_fpu_restore(const void *area)
{
    uint32_t lo = (uint32_t)k_boot_info->xcr0;
    uint32_t hi = (uint32_t)(k_boot_info->xcr0 >> 32);

    if (!use_xsave()) {
        __asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
        return;
    }
    __asm__ volatile("xrstor64 (%0)"
                     :
                     : "r"(area), "a"(lo), "d"(hi)
                     : "memory");
}
