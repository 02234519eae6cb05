/* SPDX-License-Identifier: MIT */
/* Entry point of the host `onyx` tool: dispatches to one command. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "onyx/abi.h"

#define ONYX_VERSION "0.1.0"

static void usage(FILE *out)
{
    fprintf(out, "usage: onyx <command> [options]\n"
                 "\n"
                 "Turns a Linux C program into a unikernel image and boots it "
                 "on KVM.\n"
                 "\n"
                 "commands:\n"
                 "  build    compile/pack a program into an image\n"
                 "  run      boot an image on /dev/kvm\n"
                 "  inspect  show what an image holds\n"
                 "  help     this text (onyx help <command> for one command)\n"
                 "  --version\n"
                 "\n");
    fputs(mon_build_usage, out);
    fputs(mon_run_usage, out);
    fputs(mon_inspect_usage, out);
}

static int help(int argc, char **argv)
{
    if (argc < 1) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[0], "build") == 0)
        fputs(mon_build_usage, stdout);
    else if (strcmp(argv[0], "run") == 0)
        fputs(mon_run_usage, stdout);
    else if (strcmp(argv[0], "inspect") == 0)
        fputs(mon_inspect_usage, stdout);
    else {
        mon_error("no command '%s' (see onyx --help)", argv[0]);
        return ONYX_EXIT_ERROR;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    mon_log_init("onyx");
    if (!cmd) {
        mon_error("missing command: build, run or inspect (see onyx "
                  "--help)");
        return ONYX_EXIT_ERROR;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0)
        return help(argc - 2, argv + 2);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("onyx %s (image format %u, ABI %u)\n", ONYX_VERSION,
               ONYX_IMAGE_VERSION, ONYX_ABI_VERSION);
        return 0;
    }
    if (strcmp(cmd, "build") == 0) {
        mon_log_init("onyx build");
        return mon_cmd_build(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "run") == 0) {
        mon_log_init("onyx run");
        return mon_cmd_run(argc - 2, argv + 2);
    }
    if (strcmp(cmd, "inspect") == 0) {
        mon_log_init("onyx inspect");
        return mon_cmd_inspect(argc - 2, argv + 2);
    }
    mon_error("unknown command '%s' (see onyx --help)", cmd);
    return ONYX_EXIT_ERROR;
}
