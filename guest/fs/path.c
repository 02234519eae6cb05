/* SPDX-License-Identifier: MIT */
/*
 * Path names for the guest's file namespace: canonicalisation ("." and
 * ".." resolved lexically, there are no symlinks) and the current
 * directory (guest side).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "k/fs.h"

static char cwd[K_PATH_MAX] = "/";

/* Appends component [name, name+len) to canonical `out` of length *n. */
static int push(char *out, size_t *n, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return 0;
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        /* Drop the last component; ".." of the root is the root. */
        while (*n > 1 && out[*n - 1] != '/')
            (*n)--;
        if (*n > 1)
            (*n)--;
        out[*n] = 0;
        return 0;
    }
    if (*n + (*n > 1) + len + 1 > K_PATH_MAX)
        return -ENAMETOOLONG;
    if (*n > 1)
        out[(*n)++] = '/';
    memcpy(out + *n, name, len);
    *n += len;
    out[*n] = 0;
    return 0;
}

static int push_all(char *out, size_t *n, const char *path)
{
    while (*path) {
        const char *end;
        int err;

        while (*path == '/')
            path++;
        if (!*path)
            break;
        end = strchr(path, '/');
        if (!end)
            end = path + strlen(path);
        err = push(out, n, path, (size_t)(end - path));
        if (err)
            return err;
        path = end;
    }
    return 0;
}

int k_path_resolve(const char *base, const char *path, char *out)
{
    size_t n = 1;
    int err;

    if (!path[0])
        return -ENOENT;
    out[0] = '/';
    out[1] = 0;
    if (path[0] != '/') {
        err = push_all(out, &n, base);
        if (err)
            return err;
    }
    return push_all(out, &n, path);
}

const char *k_cwd(void)
{
    return cwd;
}

int k_chdir(const char *path)
{
    struct stat st;
    int err = k_vfs_stat(path, &st);

    if (err)
        return err;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    if (strlen(path) >= sizeof(cwd))
        return -ENAMETOOLONG;
    strcpy(cwd, path);
    return 0;
}
