/* SPDX-License-Identifier: MIT */
/*
 * /proc (guest side): the few files real programs read at start-up,
 * generated when opened (a snapshot, like a read of Linux's seq files):
 * cpuinfo, meminfo, uptime, loadavg, self/maps, self/status,
 * self/stat, self/cmdline, the self/exe and self/cwd links and the
 * self/fd folder of links. /proc/1 is the same as /proc/self.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "k/boot.h"
#include "k/fs.h"
#include "k/log.h"
#include "k/mm.h"
#include "k/proc.h"
#include "k/thread.h"
#include "k/time.h"
#include "k/uaccess.h"
#include "k/vm.h"
#include "onyx/abi.h"

#define MOUNT "/proc"

typedef size_t (*gen_fn)(char *buf, size_t size);

struct pentry {
    const char *path; /* below /proc, with /proc/1 read as /proc/self */
    uint32_t mode;
    gen_fn gen; /* regular files */
    const char *link; /* "exe" or "cwd" for links */
};

static size_t gen_cpuinfo(char *buf, size_t size);
static size_t gen_meminfo(char *buf, size_t size);
static size_t gen_uptime(char *buf, size_t size);
static size_t gen_loadavg(char *buf, size_t size);
static size_t gen_maps(char *buf, size_t size);
static size_t gen_status(char *buf, size_t size);
static size_t gen_stat(char *buf, size_t size);
static size_t gen_cmdline(char *buf, size_t size);

static const struct pentry entries[] = {
    {"", S_IFDIR | 0555, NULL, NULL},
    {"/cpuinfo", S_IFREG | 0444, gen_cpuinfo, NULL},
    {"/meminfo", S_IFREG | 0444, gen_meminfo, NULL},
    {"/uptime", S_IFREG | 0444, gen_uptime, NULL},
    {"/loadavg", S_IFREG | 0444, gen_loadavg, NULL},
    {"/self", S_IFDIR | 0555, NULL, NULL},
    {"/self/maps", S_IFREG | 0444, gen_maps, NULL},
    {"/self/status", S_IFREG | 0444, gen_status, NULL},
    {"/self/stat", S_IFREG | 0444, gen_stat, NULL},
    {"/self/cmdline", S_IFREG | 0444, gen_cmdline, NULL},
    {"/self/fd", S_IFDIR | 0500, NULL, NULL},
    {"/self/exe", S_IFLNK | 0777, NULL, "exe"},
    {"/self/cwd", S_IFLNK | 0777, NULL, "cwd"},
};

#define NUM_ENTRIES (sizeof(entries) / sizeof(entries[0]))

/* ---- generators --------------------------------------------------- */

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

struct flag {
    const char *name;
    uint8_t reg; /* 0: leaf 1 edx, 1: leaf 1 ecx, 2: leaf 7 ebx */
    uint8_t bit;
};

static const struct flag cpu_flags[] = {
    {"fpu", 0, 0},      {"tsc", 0, 4},       {"msr", 0, 5},
    {"pae", 0, 6},      {"cx8", 0, 8},       {"apic", 0, 9},
    {"cmov", 0, 15},    {"clflush", 0, 19},  {"mmx", 0, 23},
    {"fxsr", 0, 24},    {"sse", 0, 25},      {"sse2", 0, 26},
    {"pni", 1, 0},      {"pclmulqdq", 1, 1}, {"ssse3", 1, 9},
    {"fma", 1, 12},     {"cx16", 1, 13},     {"sse4_1", 1, 19},
    {"sse4_2", 1, 20},  {"movbe", 1, 22},    {"popcnt", 1, 23},
    {"aes", 1, 25},     {"xsave", 1, 26},    {"avx", 1, 28},
    {"f16c", 1, 29},    {"rdrand", 1, 30},   {"hypervisor", 1, 31},
    {"fsgsbase", 2, 0}, {"bmi1", 2, 3},      {"avx2", 2, 5},
    {"bmi2", 2, 8},     {"erms", 2, 9},      {"avx512f", 2, 16},
    {"rdseed", 2, 18},  {"adx", 2, 19},      {"sha_ni", 2, 29},
};

static size_t gen_cpuinfo(char *buf, size_t size)
{
    uint32_t r[4], l1[4], l7[4] = {0}, words[3];
    char vendor[13], brand[49] = "unknown";
    size_t len;

    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    if (r[0] >= 7)
        cpuid(7, 0, l7);
    cpuid(1, 0, l1);
    cpuid(0x80000000u, 0, r);
    if (r[0] >= 0x80000004u) {
        for (uint32_t i = 0; i < 3; i++)
            cpuid(0x80000002u + i, 0, (uint32_t *)(brand + 16 * i));
        brand[48] = 0;
    }
    len = (size_t)k_snprintf(
        buf, size,
        "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\n"
        "model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
        "cpu MHz\t\t: %lu.%03lu\nphysical id\t: 0\nsiblings\t: 1\n"
        "core id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\n"
        "fpu\t\t: yes\ncpuid level\t: 13\nwp\t\t: yes\nflags\t\t:",
        vendor, (l1[0] >> 8) & 0xf, (l1[0] >> 4) & 0xf, brand, l1[0] & 0xf,
        k_boot_info->tsc_khz / 1000, k_boot_info->tsc_khz % 1000);
    words[0] = l1[3];
    words[1] = l1[2];
    words[2] = l7[1];
    for (size_t i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++) {
        if (len < size && (words[cpu_flags[i].reg] >> cpu_flags[i].bit) & 1)
            len += (size_t)k_snprintf(buf + len, size - len, " %s",
                                      cpu_flags[i].name);
    }
    if (len < size)
        len += (size_t)k_snprintf(buf + len, size - len,
                                  "\nbogomips\t: %lu.00\n"
                                  "address sizes\t: 48 bits physical, "
                                  "48 bits virtual\n\n",
                                  k_boot_info->tsc_khz / 500);
    return len;
}

static size_t gen_meminfo(char *buf, size_t size)
{
    uint64_t used, total;

    k_mem_stats(&used, &total);
    return (size_t)k_snprintf(
        buf, size,
        "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n"
        "MemAvailable:   %8lu kB\nBuffers:               0 kB\n"
        "Cached:                0 kB\nSwapCached:            0 kB\n"
        "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
        total / 1024, (total - used) / 1024, (total - used) / 1024);
}

static size_t gen_uptime(char *buf, size_t size)
{
    uint64_t cs = k_time_boot_ns() / 10000000ull;

    return (size_t)k_snprintf(buf, size, "%lu.%02lu 0.00\n", cs / 100,
                              cs % 100);
}

static size_t gen_loadavg(char *buf, size_t size)
{
    return (size_t)k_snprintf(buf, size, "0.00 0.00 0.00 1/%d %d\n",
                              k_thread_app_count(), K_PID);
}

static size_t gen_maps(char *buf, size_t size)
{
    return k_vm_format_maps(buf, size);
}

static size_t gen_status(char *buf, size_t size)
{
    return (size_t)k_snprintf(
        buf, size,
        "Name:\t%.15s\nUmask:\t%04o\nState:\tR (running)\nTgid:\t%d\n"
        "Pid:\t%d\nPPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
        "Threads:\t%d\nCpus_allowed:\t1\nCpus_allowed_list:\t0\n",
        k_proc_name(), k_umask_get(), K_PID, K_PID, k_thread_app_count());
}

/* Fields of proc(5)'s /proc/pid/stat; times in clock ticks (100 Hz),
 * the resident size is every guest page in use. */
static size_t gen_stat(char *buf, size_t size)
{
    uint64_t used, total;
    uint64_t ticks = k_sched_process_cpu_ns() / 10000000ull;
    uint64_t start = 0;

    k_mem_stats(&used, &total);
    return (size_t)k_snprintf(
        buf, size,
        "%d (%.15s) R 0 %d %d 0 -1 4194560 0 0 0 0 %lu 0 0 0 20 0 %d 0 "
        "%lu %lu %lu 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 "
        "0 0 0 0\n",
        K_PID, k_proc_name(), K_PID, K_PID, ticks, k_thread_app_count(), start,
        used, used / 4096);
}

/* argv as the image and `onyx run` gave it: NUL-separated strings. */
static size_t gen_cmdline(char *buf, size_t size)
{
    const struct onyx_blob *a = &k_boot_info->argv;
    uint64_t mem = k_boot_info->mem_size;

    if (!a->phys || !a->size || a->phys >= mem || a->size > mem - a->phys ||
        a->size >= size)
        return 0;
    memcpy(buf, k_phys_to_virt(a->phys), (size_t)a->size);
    return (size_t)a->size;
}

/* ---- lookup ------------------------------------------------------- */

bool k_procfs_owns(const char *path)
{
    size_t n = sizeof(MOUNT) - 1;

    return !strncmp(path, MOUNT, n) && (!path[n] || path[n] == '/');
}

#define FD_DIR "/self/fd/"

/* `path` below /proc with /proc/1 read as /proc/self, in `rel`. */
static const char *rel_path(const char *path, char *rel, size_t size)
{
    const char *p = path + sizeof(MOUNT) - 1;

    if (!strncmp(p, "/1", 2) && (!p[2] || p[2] == '/')) {
        if (k_snprintf(rel, size, "/self%s", p + 2) >= (int)size)
            return NULL;
        p = rel;
    }
    return p;
}

/* The entry for a canonical /proc path. */
static const struct pentry *find(const char *path)
{
    char rel[64];
    const char *p = rel_path(path, rel, sizeof(rel));

    for (size_t i = 0; p && i < NUM_ENTRIES; i++)
        if (!strcmp(entries[i].path, p))
            return &entries[i];
    return NULL;
}

/* The open file a /proc/self/fd/N path names, or NULL. */
static struct k_file *find_fd(const char *path, int *fd_out)
{
    char rel[64];
    const char *p = rel_path(path, rel, sizeof(rel));
    long fd = 0;

    if (!p || strncmp(p, FD_DIR, sizeof(FD_DIR) - 1))
        return NULL;
    p += sizeof(FD_DIR) - 1;
    if (!*p || (*p == '0' && p[1]))
        return NULL;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || fd > K_FD_MAX)
            return NULL;
        fd = fd * 10 + (*p - '0');
    }
    *fd_out = (int)fd;
    return k_fd_lookup((int)fd);
}

/* What the link /proc/self/fd/N shows, as on Linux. */
static void fd_link(struct k_file *f, char *out)
{
    struct stat st = {0};

    if (!k_vfs_file_path(f, out))
        return;
    if (f->ops->fstat)
        f->ops->fstat(f, &st);
    if (f->ops->anon_name)
        k_snprintf(out, K_PATH_MAX, "anon_inode:[%s]", f->ops->anon_name);
    else if (S_ISFIFO(st.st_mode))
        k_snprintf(out, K_PATH_MAX, "pipe:[%lu]", st.st_ino);
    else if (S_ISSOCK(st.st_mode))
        k_snprintf(out, K_PATH_MAX, "socket:[%lu]", st.st_ino);
    else if (S_ISCHR(st.st_mode) && st.st_dev == K_DEV_DEVFS)
        strcpy(out, "/dev/console"); /* devices reopened by name */
    else
        k_snprintf(out, K_PATH_MAX, "anon_inode:[%lu]", f->id);
}

static uint64_t ino_of(const struct pentry *e)
{
    return 0x1000 + (uint64_t)(e - entries);
}

int k_procfs_stat(const char *path, struct stat *st)
{
    const struct pentry *e = find(path);
    int fd;
    struct k_file *f = e ? NULL : find_fd(path, &fd);

    if (f) { /* stat follows the link to the open file */
        if (f->ops->fstat)
            return f->ops->fstat(f, st);
        k_stat_fill(st, S_IFCHR | 0600, 0, 0, 0, 0);
        return 0;
    }
    if (!e)
        return -ENOENT;
    k_stat_fill(st, e->mode, 0, ino_of(e), K_DEV_PROCFS,
                k_time_realtime_ns() / 1000000000ull);
    return 0;
}

int k_procfs_readlink(const char *path, char *out)
{
    const struct pentry *e = find(path);
    int fd;
    struct k_file *f = e ? NULL : find_fd(path, &fd);

    if (f) {
        fd_link(f, out);
        return 0;
    }
    if (!e)
        return -ENOENT;
    if (!e->link)
        return -EINVAL;
    if (!strcmp(e->link, "cwd"))
        strcpy(out, k_cwd());
    else
        k_snprintf(out, K_PATH_MAX, "/%s", k_proc_name());
    return 0;
}

/* ---- open files: a snapshot buffer, or a directory listing -------- */

struct snap {
    struct k_snapshot hdr; /* first: the snapshot file ops read it */
    const struct pentry *dir; /* directories: the entry listed */
    char data[];
};

static int snap_fstat(struct k_file *f, struct stat *st)
{
    struct snap *s = f->priv;

    k_stat_fill(st, s->dir ? s->dir->mode : (S_IFREG | 0444), 0, f->id,
                K_DEV_PROCFS, k_time_realtime_ns() / 1000000000ull);
    return 0;
}

static void snap_release(struct k_file *f)
{
    k_free(f->priv);
}

/* /proc/self/fd: one link per open fd, named by its number. */
static long fd_getdents64(struct k_file *f, void *buf, size_t len)
{
    struct snap *s = f->priv;
    size_t used = 0;

    for (; f->pos < K_FD_MAX + 2; f->pos++) {
        char name[16];
        unsigned char type = DT_DIR;
        size_t n;

        if (f->pos < 2) {
            strcpy(name, f->pos ? ".." : ".");
        } else if (k_fd_lookup((int)f->pos - 2)) {
            k_snprintf(name, sizeof(name), "%d", (int)f->pos - 2);
            type = DT_LNK;
        } else {
            continue;
        }
        n = k_dirent_put((char *)buf + used, len - used,
                         ino_of(s->dir) + 0x10000 + (uint64_t)f->pos,
                         f->pos + 1, type, name);
        if (!n)
            return used ? (long)used : -EINVAL;
        used += n;
    }
    return (long)used;
}

/* Children of a directory entry: entries whose path is dir + "/x". */
static long dir_getdents64(struct k_file *f, void *buf, size_t len)
{
    struct snap *s = f->priv;
    size_t plen = strlen(s->dir->path);
    size_t used = 0;

    if (!strcmp(s->dir->path, "/self/fd"))
        return fd_getdents64(f, buf, len);

    for (; f->pos < (int64_t)NUM_ENTRIES + 2; f->pos++) {
        const struct pentry *e = NULL;
        const char *name = f->pos == 0 ? "." : "..";
        size_t n;

        if (f->pos >= 2) {
            e = &entries[f->pos - 2];
            if (strncmp(e->path, s->dir->path, plen) || e->path[plen] != '/' ||
                strchr(e->path + plen + 1, '/'))
                continue;
            name = e->path + plen + 1;
        }
        n = k_dirent_put((char *)buf + used, len - used,
                         e ? ino_of(e) : ino_of(s->dir), f->pos + 1,
                         !e || S_ISDIR(e->mode) ? DT_DIR
                         : S_ISLNK(e->mode)     ? DT_LNK
                                                : DT_REG,
                         name);
        if (!n)
            return used ? (long)used : -EINVAL;
        used += n;
    }
    return (long)used;
}

static const struct k_file_ops snap_ops = {
    .read = k_snapshot_read,
    .pread = k_snapshot_pread,
    .lseek = k_snapshot_lseek,
    .fstat = snap_fstat,
    .release = snap_release,
};

static const struct k_file_ops pdir_ops = {
    .lseek = k_snapshot_lseek,
    .fstat = snap_fstat,
    .release = snap_release,
    .getdents64 = dir_getdents64,
};

static struct snap *snap_generate(gen_fn gen)
{
    for (size_t size = 16384; size <= (1u << 22); size *= 4) {
        struct snap *s = k_malloc(sizeof(*s) + size);

        if (!s)
            return NULL;
        s->dir = NULL;
        s->hdr.len = gen(s->data, size);
        s->hdr.data = s->data;
        if (s->hdr.len + 1 < size)
            return s;
        k_free(s);
    }
    return NULL;
}

int k_procfs_open(const char *path, int flags, struct k_file **out)
{
    const struct pentry *e = find(path);
    struct snap *s;
    int fd;

    if (!e && (*out = find_fd(path, &fd))) {
        /* XXX: Linux opens the file again (own offset and flags);
         * here the new fd shares the open file, like dup. */
        k_file_get(*out);
        return 0;
    }
    if (!e)
        return (flags & O_CREAT) ? -EACCES : -ENOENT;
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
        return S_ISDIR(e->mode) ? -EISDIR : -EACCES;
    if (S_ISDIR(e->mode)) {
        s = k_calloc(1, sizeof(*s));
        if (s)
            s->dir = e;
    } else if (flags & O_DIRECTORY) {
        return -ENOTDIR;
    } else if (e->link) {
        /* TODO(#3): following /proc/self/exe and cwd on open - ENOENT */
        return -ENOENT;
    } else {
        s = snap_generate(e->gen);
    }
    if (!s)
        return -ENOMEM;
    *out = k_file_create(S_ISDIR(e->mode) ? &pdir_ops : &snap_ops, s,
                         O_RDONLY | (flags & O_NONBLOCK));
    if (!*out) {
        k_free(s);
        return -ENOMEM;
    }
    return 0;
}
