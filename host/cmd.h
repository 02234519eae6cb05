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

#endif
