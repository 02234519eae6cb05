/* SPDX-License-Identifier: MIT */
/* The boot information the monitor passed, valid for the guest's life. */
#ifndef K_BOOT_H
#define K_BOOT_H

#include "onyx/abi.h"

extern const struct onyx_boot_info *k_boot_info;

#endif
