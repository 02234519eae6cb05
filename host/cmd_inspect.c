/* SPDX-License-Identifier: MIT */
/*
 * `onyx inspect` (host side): prints what an image holds, one
 * "key: value" line per fact so scripts can grep it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "image.h"
#include "log.h"
#include "onyx/abi.h"
#include "opts.h"
#include "rootfs.h"
#include "syscalls.h"

const char mon_inspect_usage[] =
    "usage: onyx inspect [--syscalls | --kernel-syscalls] IMAGE\n"
    "  prints the kernel, app, default args, env, memory and rootfs "
    "of IMAGE\n"
    "  --syscalls  lists the syscalls the app's code makes and which "
    "of them\n"
    "              the image's kernel does not implement\n"
    "  --kernel-syscalls  lists the syscalls the image's kernel "
    "implements\n";

/* Prints a string with control characters and bytes >= 0x7f escaped. */
static void print_escaped(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c >= 0x7f || c == '\\')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void print_segments(const char *key, const struct mon_elf *elf)
{
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];
        char flags[4];

        mon_elf_flags_text(s->flags, flags);
        printf("%s: vaddr=0x%llx memsz=0x%llx filesz=0x%llx flags=%s\n", key,
               (unsigned long long)s->vaddr, (unsigned long long)s->memsz,
               (unsigned long long)s->filesz, flags);
    }
}

static void print_strings(const char *key, const char *blob, uint64_t size)
{
    uint64_t pos = 0;

    while (pos < size) {
        printf("%s: ", key);
        print_escaped(blob + pos);
        putchar('\n');
        pos += strlen(blob + pos) + 1;
    }
}

static void print_rootfs(const struct mon_image *img)
{
    const struct onyx_rootfs_header *h = (const void *)img->rootfs;
    uint64_t files = 0, dirs = 0, bytes = 0;

    if (!img->rootfs) {
        printf("rootfs: none\n");
        return;
    }
    printf("rootfs: %u entries, %llu bytes packed\n", h->count,
           (unsigned long long)img->rootfs_size);
    for (uint32_t i = 0; i < h->count; i++) {
        const struct onyx_rootfs_entry *e = mon_rootfs_entry(img->rootfs, i);
        bool dir = (e->mode & S_IFMT) == S_IFDIR;

        printf("rootfs-%s: %04o %10llu ", dir ? "dir " : "file",
               e->mode & 07777, (unsigned long long)e->size);
        print_escaped(mon_rootfs_path(img->rootfs, e));
        putchar('\n');
        if (dir) {
            dirs++;
        } else {
            files++;
            bytes += e->size;
        }
    }
    printf("rootfs-total: %llu files, %llu directories, %llu bytes\n",
           (unsigned long long)files, (unsigned long long)dirs,
           (unsigned long long)bytes);
}

/* Which kernel variant and library OS components the image holds, and
 * what they cost: text is the executable segments, data the rest
 * (memory size, with bss). */
static void print_components(const struct mon_image *img)
{
    static const char *const variants[] = {"full (unrecorded)", "full",
                                           "minimal"};
    uint32_t comps = img->components;
    uint64_t text = 0, data = 0, total;

    for (unsigned i = 0; i < img->kernel.nloads; i++) {
        const struct mon_elf_seg *s = &img->kernel.loads[i];

        if (s->flags & 1u) /* PF_X */
            text += s->memsz;
        else
            data += s->memsz;
    }
    total = text + data;
    /* Images from before the choice carry the full kernel. */
    if (img->kernel_variant == ONYX_KERNEL_UNRECORDED)
        comps = ONYX_COMPONENT_CORE | ONYX_COMPONENT_VFS |
                ONYX_COMPONENT_TCPIP;
    printf("kernel-variant: %s\n", variants[img->kernel_variant]);
    printf("kernel-text: %llu\n", (unsigned long long)text);
    printf("kernel-data: %llu\n", (unsigned long long)data);
    printf("component: core yes\n");
    printf("component: vfs %s\n", comps & ONYX_COMPONENT_VFS ? "yes" : "no");
    printf("component: tcpip %s\n",
           comps & ONYX_COMPONENT_TCPIP ? "yes" : "no");
    if (img->lwip_size && total)
        printf("kernel-lwip: %llu bytes (%llu%% of the kernel's %llu)\n",
               (unsigned long long)img->lwip_size,
               (unsigned long long)(img->lwip_size * 100 / total),
               (unsigned long long)total);
    else if (comps & ONYX_COMPONENT_TCPIP)
        printf("kernel-lwip: size unrecorded\n");
    else
        printf("kernel-lwip: 0 bytes (built without networking)\n");
}

static void inspect_print(const char *path, const struct mon_image *img)
{
    char mem[32];

    printf("image: ");
    print_escaped(path);
    printf("\nimage-size: %llu\n", (unsigned long long)img->size);
    printf("image-version: %u\n", img->trailer.version);
    printf("abi-version: %u\n", img->trailer.abi_version);
    printf("kernel-size: %llu\n", (unsigned long long)img->trailer.kernel_size);
    printf("kernel-entry: 0x%llx\n", (unsigned long long)img->kernel.entry);
    print_segments("kernel-segment", &img->kernel);
    print_components(img);
    printf("app-name: ");
    print_escaped(img->name);
    printf("\napp-size: %llu\n", (unsigned long long)img->app_size);
    printf("app-entry: 0x%llx\n", (unsigned long long)img->app.entry);
    print_segments("app-segment", &img->app);
    printf("app-symbols: %s\n", img->app.syms ? "yes" : "no (stripped)");
    if (img->default_mem) {
        mon_size_format(img->default_mem, mem, sizeof(mem));
        printf("mem: %s\n", mem);
    } else {
        mon_size_format(MON_MEM_DEFAULT, mem, sizeof(mem));
        printf("mem: default (%s)\n", mem);
    }
    printf("args: %u\n", img->argc);
    print_strings("arg", img->args, img->args_size);
    printf("env: %u\n", img->envc);
    print_strings("env-var", img->env, img->env_size);
    print_rootfs(img);
}

int mon_cmd_inspect(int argc, char **argv)
{
    static const struct mon_opt opts[] = {
        {"help", 'h', false, 1},
        {"syscalls", 0, false, 2},
        {"kernel-syscalls", 0, false, 3},
        {NULL, 0, false, 0},
    };
    const char *path = NULL;
    struct mon_image img;
    struct mon_err why;
    struct mon_opts o;
    const char *v;
    int mode = 0;
    int id, rc = 0;

    mon_opts_init(&o, argc, argv, opts);
    while ((id = mon_opts_next(&o, &v)) != MON_OPT_END) {
        if (id == 1) {
            fputs(mon_inspect_usage, stdout);
            return 0;
        }
        if (id == 2 || id == 3) {
            mode = id;
            continue;
        }
        if (id != MON_OPT_POSITIONAL || path) {
            if (id == MON_OPT_POSITIONAL || id == MON_OPT_REST)
                mon_error("expected exactly one IMAGE");
            return ONYX_EXIT_ERROR;
        }
        path = v;
    }
    if (!path) {
        mon_error("expected an IMAGE to inspect");
        return ONYX_EXIT_ERROR;
    }
    if (mon_image_open(&img, path, &why) < 0) {
        mon_error("%s", why.msg);
        return ONYX_EXIT_ERROR;
    }
    if (mode == 2)
        rc = mon_syscalls_report(&img);
    else if (mode == 3)
        rc = mon_syscalls_kernel(&img);
    else
        inspect_print(path, &img);
    mon_image_close(&img);
    if (rc < 0)
        return ONYX_EXIT_ERROR;
    return fflush(stdout) == 0 ? 0 : ONYX_EXIT_ERROR;
}
