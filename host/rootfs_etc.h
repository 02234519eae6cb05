/* SPDX-License-Identifier: MIT */
/*
 * Name files `onyx build` adds to an image's rootfs (host side):
 * /etc/hosts from --host NAME=ADDR and /etc/resolv.conf from --dns.
 */
#ifndef MON_ROOTFS_ETC_H
#define MON_ROOTFS_ETC_H

#include <stdint.h>

#include "util.h"

/*
 * Adds /etc/hosts (localhost, `app_name` and the `hosts` entries, each
 * "NAME=ADDR") when hosts->count > 0 and /etc/resolv.conf naming `dns`
 * when it is not NULL, to the rootfs blob *blob (NULL for none; the
 * blob is replaced and the old one freed). Refuses, with a message, a
 * rootfs that already has the file, bad names and bad addresses.
 * Returns 0 or -errno.
 */
int mon_rootfs_add_names(uint8_t **blob, uint64_t *size, const char *app_name,
                         const struct mon_strvec *hosts, const char *dns,
                         struct mon_err *err);

#endif
