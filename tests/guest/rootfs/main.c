/* SPDX-License-Identifier: MIT */
/* Guest test: reads files and lists directories of the image's rootfs;
 * prints the same as a native run over the same tree (argv[1] = root). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *root, const char *rel)
{
    char path[1024], *names[256];
    int n = 0;
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof(path), "%s%s", root, *rel ? rel : "/");
    d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", rel, strerror(errno));
        return;
    }
    while ((e = readdir(d)) && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp);
    for (int i = 0; i < n; i++) {
        char sub[1024];
        struct stat st;

        snprintf(sub, sizeof(sub), "%s/%s", rel, names[i]);
        snprintf(path, sizeof(path), "%s%s", root, sub);
        if (stat(path, &st)) {
            printf("stat %s: %s\n", sub, strerror(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            printf("dir  %s\n", sub);
            walk(root, sub);
            continue;
        }
        unsigned long sum = 0;
        int fd = open(path, O_RDONLY);
        unsigned char buf[4096];
        ssize_t r;

        while (fd >= 0 && (r = read(fd, buf, sizeof(buf))) > 0)
            for (ssize_t k = 0; k < r; k++)
                sum = sum * 131 + buf[k];
        if (fd >= 0)
            close(fd);
        printf("file %s size=%lld sum=%lu\n", sub, (long long)st.st_size, sum);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "";
    char path[1024];

    walk(root, "");
    snprintf(path, sizeof(path), "%s/missing", root);
    if (open(path, O_RDONLY) >= 0 || errno != ENOENT)
        printf("missing file: %s\n", strerror(errno));
    snprintf(path, sizeof(path), "%s/a.txt", root);
    int fd = open(path, O_RDONLY);
    char c[4] = {0};

    if (lseek(fd, 2, SEEK_SET) != 2 || read(fd, c, 3) != 3)
        printf("lseek/read failed\n");
    printf("at 2: %s\n", c);
    return 0;
}
