/* SPDX-License-Identifier: MIT */
/* The host onyx commands, one file each, dispatched from main.c. */
#ifndef MON_CMD_H
#define MON_CMD_H

#include <stdint.h>

/* Each takes the arguments after the command name (argv[0] is the
 * first of them) and returns the process exit status. */
int mon_cmd_build(int argc, char **argv);
int mon_cmd_run(int argc, char **argv);
int mon_cmd_inspect(int argc, char **argv);

/* Usage text of each command, for --help. */
extern const char mon_build_usage[];
extern const char mon_run_usage[];
extern const char mon_inspect_usage[];

/* The kernel ELF embedded by kernel_blob.S. */
extern const uint8_t mon_kernel_blob_start[];
extern const uint8_t mon_kernel_blob_end[];
/* The kernel without networking, and lwIP's bytes in the full one. */
extern const uint8_t mon_kernel_min_blob_start[];
extern const uint8_t mon_kernel_min_blob_end[];
extern const uint64_t mon_kernel_lwip_bytes;

struct mon_image_spec;
/*
 * Sets spec's kernel, variant, components and lwIP size for `onyx build
 * --kernel MODE` (NULL or "auto": minimal only when the analysis of
 * app[0..app_size) proves it has no socket(2) call; "full"; "minimal").
 * 0, or -EINVAL for an unknown MODE with a message printed.
 */
int mon_build_kernel_pick(const char *mode, const uint8_t *app,
                          uint64_t app_size, struct mon_image_spec *spec);

#endif
