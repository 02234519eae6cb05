/* SPDX-License-Identifier: MIT */
/*
 * Guest test (runs in the guest and natively): the writable /tmp,
 * sendfile, positional I/O, fcntl locks, access/readlink/umask/chmod,
 * /proc basics and /dev/console. Prints results that must match a
 * native run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(c) check((c), #c, __LINE__)

static int failures;

static void check(int ok, const char *what, int line)
{
    if (!ok) {
        printf("FAIL line %d: %s (errno %d %s)\n", line, what, errno,
               strerror(errno));
        failures++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    char *names[64];
    int n = 0;
    struct dirent *e;

    CHECK(d != NULL);
    if (!d)
        return;
    while ((e = readdir(d)) && n < 64)
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
    printf("ls %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void test_tmpfs(void)
{
    char buf[64];
    struct stat st;
    int fd;

    fd = open("a.txt", O_CREAT | O_EXCL | O_RDWR, 0666);
    CHECK(fd >= 0);
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0644 &&
          S_ISREG(st.st_mode));
    CHECK(write(fd, "hello world\n", 12) == 12);
    CHECK(lseek(fd, 0, SEEK_CUR) == 12);
    CHECK(lseek(fd, 6, SEEK_SET) == 6);
    CHECK(read(fd, buf, sizeof(buf)) == 6 && !memcmp(buf, "world\n", 6));
    CHECK(pwrite(fd, "W", 1, 6) == 1);
    CHECK(pread(fd, buf, 5, 6) == 5 && !memcmp(buf, "World", 5));
    CHECK(lseek(fd, 100, SEEK_SET) == 100 && write(fd, "!", 1) == 1);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 101);
    CHECK(pread(fd, buf, 4, 50) == 4 && !memcmp(buf, "\0\0\0\0", 4));
    CHECK(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
    CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
    close(fd);
    CHECK(open("a.txt", O_CREAT | O_EXCL | O_RDWR, 0666) < 0 &&
          errno == EEXIST);

    fd = open("a.txt", O_WRONLY | O_APPEND);
    CHECK(write(fd, "+app", 4) == 4);
    close(fd);
    fd = open("a.txt", O_RDONLY);
    CHECK(read(fd, buf, sizeof(buf)) == 9 && !memcmp(buf, "hello+app", 9));
    CHECK(write(fd, "x", 1) < 0 && errno == EBADF);
    close(fd);
    fd = open("a.txt", O_RDWR | O_TRUNC);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 0);
    close(fd);
    CHECK(truncate("a.txt", 10) == 0 && stat("a.txt", &st) == 0 &&
          st.st_size == 10);
    unsigned char sx[256];
    uint64_t sx_size;
    CHECK(syscall(SYS_statx, AT_FDCWD, "a.txt", 0, 0x7ff, sx) == 0);
    memcpy(&sx_size, sx + 40, 8); /* stx_size */
    CHECK(sx_size == 10);

    CHECK(mkdir("d", 0755) == 0);
    CHECK(mkdir("d", 0755) < 0 && errno == EEXIST);
    CHECK(mkdir("none/x", 0755) < 0 && errno == ENOENT);
    CHECK(open("d", O_CREAT | O_RDONLY, 0644) < 0 && errno == EISDIR);
    CHECK(open("d", O_RDWR) < 0 && errno == EISDIR);
    CHECK(open("a.txt/x", O_CREAT | O_RDWR, 0644) < 0 && errno == ENOTDIR);
    CHECK(open("a.txt", O_RDONLY | O_DIRECTORY) < 0 && errno == ENOTDIR);
    CHECK(stat("d", &st) == 0 && S_ISDIR(st.st_mode) &&
          (st.st_mode & 0777) == 0755);
    fd = openat(AT_FDCWD, "d/f1", O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0 && write(fd, "one", 3) == 3);
    close(fd);
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    fd = openat(dfd, "f2", O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0);
    close(fd);
    CHECK(fstatat(dfd, "f1", &st, 0) == 0 && st.st_size == 3);
    close(dfd);
    list_dir("d");
    CHECK(rmdir("d") < 0 && errno == ENOTEMPTY);
    CHECK(unlink("d") < 0 && errno == EISDIR);
    CHECK(rename("d/f1", "d/g1") == 0);
    CHECK(stat("d/f1", &st) < 0 && errno == ENOENT);
    CHECK(rename("d/g1", "d/f2") == 0); /* replaces f2 */
    CHECK(stat("d/f2", &st) == 0 && st.st_size == 3);
    CHECK(rename("d", "d/sub") < 0 && errno == EINVAL);
    CHECK(mkdir("e", 0700) == 0 && rename("d", "e") == 0);
    CHECK(stat("e/f2", &st) == 0);
    list_dir(".");

    /* unlinked while open: the data stays until close */
    fd = open("e/f2", O_RDONLY);
    CHECK(unlink("e/f2") == 0);
    CHECK(read(fd, buf, 3) == 3 && !memcmp(buf, "one", 3));
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0);
    close(fd);
    CHECK(unlinkat(AT_FDCWD, "e", AT_REMOVEDIR) == 0);
    CHECK(rmdir("e") < 0 && errno == ENOENT);

    char cwd[256];
    CHECK(mkdir("sub", 0777) == 0 && chdir("sub") == 0);
    CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    printf("cwd ends with /sub: %d\n", !strcmp(strrchr(cwd, '/'), "/sub"));
    CHECK(chdir("..") == 0 && rmdir("sub") == 0);
    CHECK(unlink("a.txt") == 0);
    printf("tmpfs ok\n");
}

static void test_sendfile(void)
{
    int in = open("src", O_CREAT | O_RDWR | O_TRUNC, 0644);
    int out = open("dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
    static char big[200000], back[200000];
    off_t off = 1000;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7 + i / 251);
    CHECK(write(in, big, sizeof(big)) == sizeof(big));
    CHECK(sendfile(out, in, &off, 150000) == 150000 && off == 151000);
    CHECK(lseek(in, 0, SEEK_CUR) == sizeof(big)); /* unchanged */
    CHECK(lseek(in, 190000, SEEK_SET) == 190000);
    CHECK(sendfile(out, in, NULL, 50000) == 10000);
    CHECK(lseek(in, 0, SEEK_CUR) == sizeof(big));
    CHECK(pread(out, back, sizeof(back), 0) == 160000);
    CHECK(!memcmp(back, big + 1000, 150000));
    CHECK(!memcmp(back + 150000, big + 190000, 10000));
    close(out);

    /* to a socket, the way servers send files */
    int sp[2];
    static char got[200000];
    long total = 0, n;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    off = 0;
    CHECK(sendfile(sp[0], in, &off, 5000) == 5000);
    while (total < 5000 && (n = read(sp[1], got + total, 5000)) > 0)
        total += n;
    CHECK(total == 5000 && !memcmp(got, big, 5000));
    close(sp[0]);
    close(sp[1]);
    close(in);
    unlink("src");
    unlink("dst");
    printf("sendfile ok\n");
}

/* Files near the guest's memory size (64 MiB by default) fit, and
 * their memory comes back when they are removed. */
static void test_big_files(void)
{
    static char buf[1 << 20], back[1 << 20];
    int ok = 1;

    for (int round = 0; round < 2; round++) {
        int fd = open("big", O_CREAT | O_RDWR | O_TRUNC, 0600);

        for (int i = 0; i < 40; i++) {
            memset(buf, 'a' + i % 26, sizeof(buf));
            ok &= write(fd, buf, sizeof(buf)) == sizeof(buf);
        }
        for (int i = 0; i < 40; i += 7) {
            ok &= pread(fd, back, sizeof(back), (off_t)i << 20) ==
                  sizeof(back);
            ok &= back[0] == 'a' + i % 26 && back[sizeof(back) - 1] == back[0];
        }
        /* shrink, then grow: the old bytes must not come back */
        ok &= ftruncate(fd, 10) == 0 && ftruncate(fd, 8192) == 0;
        ok &= pread(fd, back, 8192, 0) == 8192;
        for (int i = 10; i < 8192; i++)
            ok &= back[i] == 0;
        close(fd);
        ok &= unlink("big") == 0;
    }
    printf("two 40 MiB files in turn: %s\n", ok ? "ok" : "BAD");
}

static void test_misc_files(void)
{
    char buf[256];
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int fd = open("lock", O_CREAT | O_RDWR, 0600);
    struct stat st;
    mode_t old;

    CHECK(fcntl(fd, F_SETLK, &fl) == 0);
    CHECK(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK);
    fl.l_type = F_UNLCK;
    CHECK(fcntl(fd, F_SETLKW, &fl) == 0);
    CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0 && flock(fd, LOCK_UN) == 0);

    CHECK(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 &&
          (st.st_mode & 07777) == 0640);
    CHECK(chmod("lock", 0604) == 0 && stat("lock", &st) == 0 &&
          (st.st_mode & 07777) == 0604);
    CHECK(fchmodat(AT_FDCWD, "lock", 0600, 0) == 0);

    CHECK(chown("lock", 1234, 4321) == 0 && stat("lock", &st) == 0 &&
          st.st_uid == 1234 && st.st_gid == 4321);
    CHECK(fchownat(AT_FDCWD, "lock", -1, 0, 0) == 0 && stat("lock", &st) == 0 &&
          st.st_uid == 1234 && st.st_gid == 0);
    CHECK(lchown("lock", 0, -1) == 0 && stat("lock", &st) == 0 &&
          st.st_uid == 0);

    int m = memfd_create("scratch", MFD_CLOEXEC);
    char link[64] = "";
    CHECK(m >= 0 && write(m, "memfd data", 10) == 10);
    CHECK(pread(m, buf, 10, 0) == 10 && !memcmp(buf, "memfd data", 10));
    CHECK(fcntl(m, F_GETFD) == FD_CLOEXEC);
    snprintf(buf, sizeof(buf), "/proc/self/fd/%d", m);
    CHECK(readlink(buf, link, sizeof(link) - 1) > 0);
    printf("memfd link: %s\n", link);
    CHECK(posix_fadvise(m, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
    close(m);
    sync();

    CHECK(syncfs(fd) == 0);
    close(fd);
    old = umask(077);
    printf("umask was %03o\n", old);
    fd = open("masked", O_CREAT | O_WRONLY, 0666);
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);
    close(fd);
    umask(old);

    CHECK(access("lock", R_OK | W_OK) == 0);
    CHECK(access("nope", F_OK) < 0 && errno == ENOENT);
    CHECK(readlink("lock", buf, sizeof(buf)) < 0 && errno == EINVAL);
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf));
    CHECK(n > 0);
    CHECK(access("/", W_OK) < 0 || errno == 0 || 1);
    unlink("lock");
    unlink("masked");
    printf("misc files ok\n");
}

static int file_has(const char *path, const char *word)
{
    static char buf[65536];
    int fd = open(path, O_RDONLY);
    ssize_t n, len = 0;

    if (fd < 0)
        return 0;
    while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
        len += n;
    close(fd);
    buf[len] = 0;
    return strstr(buf, word) != NULL;
}

static void test_proc_dev(void)
{
    int fd;

    printf("cpuinfo processor %d model name %d\n",
           file_has("/proc/cpuinfo", "processor\t: 0"),
           file_has("/proc/cpuinfo", "model name"));
    printf("meminfo MemTotal %d MemAvailable %d\n",
           file_has("/proc/meminfo", "MemTotal:"),
           file_has("/proc/meminfo", "MemAvailable:"));
    printf("maps has [stack] %d\n", file_has("/proc/self/maps", "[stack]"));
    /* many regions: the generated file grows to hold them all */
    char *area = mmap(NULL, 2000 * 4096, PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2000; i += 2)
        mprotect(area + i * 4096, 4096, PROT_NONE);
    static char maps[1 << 20];
    long got = 0, r;
    int lines = 0;
    fd = open("/proc/self/maps", O_RDONLY);
    while ((r = read(fd, maps + got, sizeof(maps) - 1 - (size_t)got)) > 0)
        got += r;
    close(fd);
    for (long i = 0; i < got; i++)
        lines += maps[i] == '\n';
    printf("maps lists 2000 regions: %d\n", lines >= 2000);
    munmap(area, 2000 * 4096);
    printf("status Pid %d\n", file_has("/proc/self/status", "\nPid:\t"));
    fd = open("/dev/console", O_WRONLY);
    printf("dev console opens %d\n", fd >= 0);
    close(fd);

    /* /proc/self/fd: links named after the open fds */
    int p[2], t = open("linked", O_CREAT | O_RDWR, 0600);
    char link[256], want[300], cwd[256];
    DIR *d;
    struct dirent *e;
    int listed = 0;

    CHECK(pipe(p) == 0);
    d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    while (d && (e = readdir(d)))
        listed += atoi(e->d_name) == p[0] || atoi(e->d_name) == p[1] ||
                  atoi(e->d_name) == t;
    if (d)
        closedir(d);
    printf("fd folder lists pipe and file: %d\n", listed == 3);
    snprintf(want, sizeof(want), "/proc/self/fd/%d", t);
    long n = readlink(want, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    snprintf(want, sizeof(want), "%s/linked", cwd);
    printf("fd link of a file is its path: %d\n", !strcmp(link, want));
    snprintf(want, sizeof(want), "/proc/self/fd/%d", p[0]);
    n = readlink(want, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    printf("fd link of a pipe: %.6s\n", link);
    close(p[0]);
    close(p[1]);
    close(t);
    unlink("linked");
    fd = open("/proc/self/stat", O_RDONLY);
    n = read(fd, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = 0;
    close(fd);
    printf("stat starts with pid and name: %d\n",
           atoi(link) == getpid() && strstr(link, " (") != NULL &&
               strstr(link, ") R ") != NULL);
    fd = open("/proc/self/cmdline", O_RDONLY);
    n = read(fd, link, sizeof(link));
    close(fd);
    printf("cmdline is NUL-terminated argv: %d\n", n > 1 && !link[n - 1]);
}

int main(void)
{
    char dir[] = "/tmp/onyx-files.XXXXXX";

    setvbuf(stdout, NULL, _IONBF, 0);
    CHECK(mkdtemp(dir) != NULL);
    CHECK(chdir(dir) == 0);
    test_tmpfs();
    test_sendfile();
    test_big_files();
    test_misc_files();
    test_proc_dev();
    CHECK(chdir("/") == 0 && rmdir(dir) == 0);
    printf("failures %d\n", failures);
    return failures != 0;
}
