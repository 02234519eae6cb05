/* SPDX-License-Identifier: MIT */
/*
 * `onyx build --kernel` (host side): chooses the full or the minimal
 * (no networking) embedded kernel for an app from its syscall sites.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "image.h"
#include "log.h"
#include "onyx/abi.h"
#include "syscalls.h"

/* Linux x86-64 socket(2); socketpair is not needed for AF_INET and
 * works in both kernels. */
#define NR_SOCKET 41

static void kernel_set(struct mon_image_spec *spec, bool full)
{
    spec->components = ONYX_COMPONENT_CORE | ONYX_COMPONENT_VFS;
    if (full) {
        spec->kernel = mon_kernel_blob_start;
        spec->kernel_size =
            (uint64_t)(mon_kernel_blob_end - mon_kernel_blob_start);
        spec->kernel_variant = ONYX_KERNEL_FULL;
        spec->components |= ONYX_COMPONENT_TCPIP;
        spec->lwip_size = mon_kernel_lwip_bytes;
    } else {
        spec->kernel = mon_kernel_min_blob_start;
        spec->kernel_size =
            (uint64_t)(mon_kernel_min_blob_end - mon_kernel_min_blob_start);
        spec->kernel_variant = ONYX_KERNEL_MINIMAL;
        spec->lwip_size = 0;
    }
}

int mon_build_kernel_pick(const char *mode, const uint8_t *app,
                          uint64_t app_size, struct mon_image_spec *spec)
{
    bool may_socket = true;

    if (!mode || strcmp(mode, "auto") == 0) {
        /* The minimal kernel only when no site can be socket(2); an
         * analysis that cannot finish keeps the full kernel. */
        if (mon_syscalls_may_call(app, app_size, NR_SOCKET, &may_socket) < 0) {
            mon_warn("--kernel auto: syscall analysis failed; using the "
                     "full kernel");
            may_socket = true;
        }
        kernel_set(spec, may_socket);
        mon_info("kernel: %s (%s)", may_socket ? "full" : "minimal",
                 may_socket ? "the app may call socket()"
                            : "the app makes no socket() call: no TCP/IP");
        return 0;
    }
    if (strcmp(mode, "full") == 0 || strcmp(mode, "minimal") == 0) {
        kernel_set(spec, mode[0] == 'f');
        return 0;
    }
    mon_error("--kernel '%s': expected full, minimal or auto", mode);
    return -EINVAL;
}
