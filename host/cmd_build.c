/* SPDX-License-Identifier: MIT */
/*
 * `onyx build` (host side): compiles C sources with musl-gcc or takes a
 * static ELF, packs it with the embedded kernel, args, env and rootfs
 * into one image file.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "image.h"
#include "log.h"
#include "onyx/abi.h"
#include "opts.h"
#include "rootfs.h"
#include "rootfs_etc.h"

extern char **environ;

const char mon_build_usage[] =
    "usage: onyx build [-o IMAGE] [--rootfs DIR] [--env K=V]... "
    "[--mem SIZE]\n"
    "                  [--kernel full|minimal|auto]\n"
    "                  [--name NAME] [--host NAME=ADDR]... [--dns ADDR]\n"
    "                  (SOURCE.c... | STATIC-ELF) "
    "[-- ARGS...]\n"
    "  -o IMAGE       output file (default: first input's name + .onyx)\n"
    "  --rootfs DIR   pack DIR as the read-only root file system\n"
    "  --env K=V      default environment variable (repeatable)\n"
    "  --mem SIZE     default guest memory (e.g. 128M, 1G)\n"
    "  --kernel KIND  full (with TCP/IP), minimal (without networking) or\n"
    "                 auto (default: minimal when the app has no socket()\n"
    "                 call)\n"
    "  --name NAME    app name, argv[0] (default: input's base name)\n"
    "  --host NAME=ADDR  adds NAME to the image's /etc/hosts "
    "(repeatable)\n"
    "  --dns ADDR     DNS server in the image's /etc/resolv.conf "
    "(default: the\n"
    "                 one of the network `onyx run` gives)\n"
    "  -- ARGS...     default arguments, argv[1..]\n";

enum {
    OPT_OUTPUT = 1,
    OPT_ROOTFS,
    OPT_ENV,
    OPT_MEM,
    OPT_NAME,
    OPT_HOST,
    OPT_DNS,
    OPT_KERNEL,
    OPT_HELP,
};

static const struct mon_opt build_opts[] = {
    {"output", 'o', true, OPT_OUTPUT},
    {"rootfs", 0, true, OPT_ROOTFS},
    {"env", 0, true, OPT_ENV},
    {"mem", 0, true, OPT_MEM},
    {"name", 0, true, OPT_NAME},
    {"host", 0, true, OPT_HOST},
    {"dns", 0, true, OPT_DNS},
    {"kernel", 0, true, OPT_KERNEL},
    {"help", 'h', false, OPT_HELP},
    {NULL, 0, false, 0},
};

struct build {
    const char *output;
    const char *rootfs_dir;
    const char *name;
    const char *dns;
    const char *kernel; /* --kernel, NULL for auto */
    uint64_t mem;
    struct mon_strvec inputs;
    struct mon_strvec args;
    struct mon_strvec env;
    struct mon_strvec hosts;
    char compiled[64]; /* temp ELF from musl-gcc, "" when none */
    uint8_t *app;
    uint64_t app_size;
    uint8_t *rootfs;
    uint64_t rootfs_size;
    char default_output[4096];
    char default_name[256];
};

static int build_parse(struct build *b, int argc, char **argv)
{
    struct mon_opts o;
    const char *v;
    bool rounded;
    int id;

    mon_opts_init(&o, argc, argv, build_opts);
    while ((id = mon_opts_next(&o, &v)) != MON_OPT_END) {
        switch (id) {
        case OPT_OUTPUT: b->output = v; break;
        case OPT_ROOTFS: b->rootfs_dir = v; break;
        case OPT_NAME: b->name = v; break;
        case OPT_DNS: b->dns = v; break;
        case OPT_KERNEL:
            if (strcmp(v, "full") && strcmp(v, "minimal") &&
                strcmp(v, "auto")) {
                mon_error("--kernel '%s': expected full, minimal or auto", v);
                return -EINVAL;
            }
            b->kernel = v;
            break;
        case OPT_HOST:
            if (mon_strvec_push(&b->hosts, v) < 0)
                return -ENOMEM;
            break;
        case OPT_ENV:
            if (!mon_env_valid(v)) {
                mon_error("--env '%s': expected KEY=VALUE", v);
                return -EINVAL;
            }
            if (mon_strvec_setenv(&b->env, v) < 0)
                return -ENOMEM;
            break;
        case OPT_MEM:
            if (mon_mem_parse(v, &b->mem, &rounded) < 0) {
                mon_error("--mem '%s': expected a size from 4M to 64G "
                          "(bytes or K/M/G suffix)",
                          v);
                return -EINVAL;
            }
            if (rounded)
                mon_warn("--mem %s rounded up to %llu MiB (a 2 MiB "
                         "multiple)",
                         v, (unsigned long long)(b->mem / MON_MIB));
            break;
        case OPT_HELP: fputs(mon_build_usage, stdout); return 1;
        case MON_OPT_POSITIONAL:
            if (mon_strvec_push(&b->inputs, v) < 0)
                return -ENOMEM;
            break;
        case MON_OPT_REST:
            for (int i = o.rest_index; i < argc; i++) {
                if (mon_strvec_push(&b->args, argv[i]) < 0)
                    return -ENOMEM;
            }
            break;
        default: return -EINVAL;
        }
    }
    if (b->inputs.count == 0) {
        mon_error("no input: give C sources or a static ELF executable");
        return -EINVAL;
    }
    return 0;
}

static bool file_is_elf(const char *path)
{
    unsigned char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool elf;

    if (fd < 0)
        return false;
    elf = read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0;
    close(fd);
    return elf;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Runs musl-gcc on the sources into a temp file registered for removal. */
static int build_compile(struct build *b)
{
    /* Frame pointers let crash reports walk the app's stack. */
    const char *fixed[] = {"musl-gcc", "-static", "-O2", "-g",
                           "-fno-omit-frame-pointer", "-o"};
    size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
    char **cmd = calloc(nfixed + 2 + b->inputs.count, sizeof(*cmd));
    int fd, status, rc;
    pid_t pid;

    if (!cmd)
        return -ENOMEM;
    snprintf(b->compiled, sizeof(b->compiled), "/tmp/onyx-build-XXXXXX");
    fd = mkstemp(b->compiled);
    if (fd < 0) {
        mon_error("cannot create a temporary file in /tmp: %s",
                  strerror(errno));
        b->compiled[0] = '\0';
        free(cmd);
        return -errno;
    }
    close(fd);
    mon_tmp_register(b->compiled);
    for (size_t i = 0; i < nfixed; i++)
        cmd[i] = (char *)fixed[i];
    cmd[nfixed] = b->compiled;
    for (size_t i = 0; i < b->inputs.count; i++)
        cmd[nfixed + 1 + i] = b->inputs.items[i];
    rc = posix_spawnp(&pid, "musl-gcc", NULL, NULL, cmd, environ);
    free(cmd);
    if (rc != 0) {
        mon_error("cannot run musl-gcc: %s (install musl-tools)", strerror(rc));
        return -rc;
    }
    mon_tmp_set_child(pid);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    mon_tmp_set_child(0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        mon_error("compiling %s failed (musl-gcc %s %d)", b->inputs.items[0],
                  WIFEXITED(status) ? "exit status" : "killed by signal",
                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -EIO;
    }
    return 0;
}

/* Reads a whole file into an 8-byte aligned buffer. */
static int read_file(const char *path, uint8_t **out, uint64_t *size)
{
    struct stat st;
    uint8_t *buf;
    uint64_t done = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > MON_IMAGE_MAX_BYTES) {
        close(fd);
        return -EINVAL;
    }
    buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    while (done < (uint64_t)st.st_size) {
        ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (uint64_t)n;
    }
    close(fd);
    *out = buf;
    *size = done;
    return 0;
}

/* Loads the app ELF (given or compiled) and checks it can run. */
static int build_load_app(struct build *b)
{
    const char *input = b->inputs.items[0];
    const char *path = b->compiled[0] ? b->compiled : input;
    struct mon_elf elf;
    struct mon_err why;
    int rc = read_file(path, &b->app, &b->app_size);

    if (rc < 0) {
        mon_error("%s: %s", input,
                  rc == -EINVAL ? "not a regular file" : strerror(-rc));
        return rc;
    }
    rc = mon_elf_parse(&elf, b->app, b->app_size, &why);
    if (rc == 0)
        rc = mon_elf_check_app(&elf, &why);
    if (rc < 0)
        mon_error("%s: %s", input, why.msg);
    return rc;
}

static int build_prepare_inputs(struct build *b)
{
    const char *first = b->inputs.items[0];

    if (access(first, R_OK) < 0) {
        mon_error("%s: %s", first, strerror(errno));
        return -errno;
    }
    if (file_is_elf(first)) {
        if (b->inputs.count > 1) {
            mon_error("%s is an ELF executable: give it alone, not with "
                      "other inputs",
                      first);
            return -EINVAL;
        }
        return build_load_app(b);
    }
    for (size_t i = 0; i < b->inputs.count; i++) {
        if (!has_suffix(b->inputs.items[i], ".c")) {
            mon_error("%s: neither a C source (.c) nor an ELF executable",
                      b->inputs.items[i]);
            return -EINVAL;
        }
    }
    if (build_compile(b) < 0)
        return -EIO;
    return build_load_app(b);
}

/* Refuses an output path that names one of the inputs: writing the
 * image would destroy the source it was built from. */
static int build_check_output(const struct build *b)
{
    struct stat out, in;

    if (stat(b->output, &out) != 0)
        return 0;
    for (size_t i = 0; i < b->inputs.count; i++) {
        if (stat(b->inputs.items[i], &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino) {
            mon_error("-o %s is the input %s: refusing to overwrite it",
                      b->output, b->inputs.items[i]);
            return -EINVAL;
        }
    }
    return 0;
}

/* Default name and output from the first input's base name. */
static int build_names(struct build *b)
{
    const char *base = strrchr(b->inputs.items[0], '/');
    const char *dot;
    size_t len;

    base = base ? base + 1 : b->inputs.items[0];
    dot = strrchr(base, '.');
    len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len >= sizeof(b->default_name))
        len = sizeof(b->default_name) - 1;
    memcpy(b->default_name, base, len);
    b->default_name[len] = '\0';
    if (!b->name)
        b->name = b->default_name;
    if (b->name[0] == '\0' || strlen(b->name) > 64 || strchr(b->name, '/')) {
        mon_error("--name '%s': use 1 to 64 characters without '/'", b->name);
        return -EINVAL;
    }
    for (const char *p = b->name; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f) {
            mon_error("--name: control characters are not allowed");
            return -EINVAL;
        }
    }
    if (!b->output) {
        snprintf(b->default_output, sizeof(b->default_output), "%s.onyx",
                 b->default_name);
        b->output = b->default_output;
    }
    return build_check_output(b);
}

static int build_write(struct build *b)
{
    struct mon_image_spec spec = {
        .app = b->app,
        .app_size = b->app_size,
        .args = &b->args,
        .env = &b->env,
        .rootfs = b->rootfs,
        .rootfs_size = b->rootfs_size,
        .name = b->name,
        .default_mem = b->mem,
    };
    struct mon_elf kernel;
    struct mon_err why;
    int rc;

    rc = mon_build_kernel_pick(b->kernel, b->app, b->app_size, &spec);
    if (rc < 0)
        return rc;
    rc = mon_elf_parse(&kernel, spec.kernel, spec.kernel_size, &why);
    if (rc == 0)
        rc = mon_elf_check_kernel(&kernel, &why);
    if (rc < 0) {
        mon_error("the kernel built into onyx is broken: %s", why.msg);
        return rc;
    }
    rc = mon_image_write(b->output, &spec, &why);
    if (rc < 0)
        mon_error("%s", why.msg);
    return rc;
}

static void build_free(struct build *b)
{
    if (b->compiled[0]) {
        unlink(b->compiled);
        mon_tmp_forget(b->compiled);
    }
    mon_strvec_free(&b->inputs);
    mon_strvec_free(&b->args);
    mon_strvec_free(&b->env);
    mon_strvec_free(&b->hosts);
    free(b->app);
    free(b->rootfs);
}

int mon_cmd_build(int argc, char **argv)
{
    struct build b = {0};
    struct mon_err why;
    int rc;

    mon_tmp_install_signals();
    rc = build_parse(&b, argc, argv);
    if (rc == 0)
        rc = build_names(&b);
    if (rc == 0 && b.rootfs_dir) {
        rc = mon_rootfs_pack(b.rootfs_dir, &b.rootfs, &b.rootfs_size, &why);
        if (rc < 0)
            mon_error("--rootfs: %s", why.msg);
    }
    if (rc == 0) {
        rc = mon_rootfs_add_names(&b.rootfs, &b.rootfs_size, b.name, &b.hosts,
                                  b.dns, &why);
        if (rc < 0)
            mon_error("%s", why.msg);
    }
    if (rc == 0)
        rc = build_prepare_inputs(&b);
    if (rc == 0)
        rc = build_write(&b);
    build_free(&b);
    if (rc == 1)
        return 0;
    return rc < 0 ? ONYX_EXIT_ERROR : 0;
}
