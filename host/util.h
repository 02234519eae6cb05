/* SPDX-License-Identifier: MIT */
/*
 * Small host-side helpers shared by the onyx commands: error messages,
 * size options, string lists, full writes and temporary-file clean-up.
 */
#ifndef MON_UTIL_H
#define MON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MON_KIB (1024ull)
#define MON_MIB (1024ull * 1024)
#define MON_GIB (1024ull * 1024 * 1024)

/* Guest memory limits and granularity (`--mem`). */
#define MON_MEM_MIN (4 * MON_MIB)
#define MON_MEM_MAX (64 * MON_GIB)
#define MON_MEM_ALIGN (2 * MON_MIB)
#define MON_MEM_DEFAULT (64 * MON_MIB)

/* A message describing why an operation failed, filled by the callee. */
#define MON_ERR_MAX 512
struct mon_err {
    char msg[MON_ERR_MAX];
};

/* Formats the message into `e` (which may be NULL) and returns `code`,
 * a negative errno, so callers can write `return mon_err_set(...)`. */
int mon_err_set(struct mon_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Parses a size: decimal bytes, optionally followed by K, M or G (binary
 * multiples, any case, an optional trailing "B" or "iB"). Returns 0,
 * -EINVAL for malformed text or -ERANGE when it does not fit 64 bits.
 */
int mon_size_parse(const char *s, uint64_t *out);

/*
 * Parses a guest memory size: mon_size_parse, refuses below MON_MEM_MIN
 * or above MON_MEM_MAX (-ERANGE), rounds up to MON_MEM_ALIGN. *rounded
 * tells whether rounding changed the value.
 */
int mon_mem_parse(const char *s, uint64_t *out, bool *rounded);

/* Writes `bytes` as "64M", "1G", "4K" or "123" when not a multiple. */
void mon_size_format(uint64_t bytes, char *buf, size_t len);

/* A growable list of owned strings. Zero-initialised is empty. */
struct mon_strvec {
    char **items;
    size_t count;
    size_t cap;
};

/* Appends a copy of `s`. Returns 0 or -ENOMEM. */
int mon_strvec_push(struct mon_strvec *v, const char *s);
/* Replaces the "K=..." entry with the same key as `kv`, or appends. */
int mon_strvec_setenv(struct mon_strvec *v, const char *kv);
void mon_strvec_free(struct mon_strvec *v);
/* Total bytes of all strings including their NULs. */
size_t mon_strvec_blob_size(const struct mon_strvec *v);
/* Writes the strings back to back, each NUL-terminated, into `out`
 * (mon_strvec_blob_size bytes). */
void mon_strvec_blob_write(const struct mon_strvec *v, char *out);
/* Appends every NUL-terminated string of a blob. The blob must end with
 * a NUL (checked by the image reader). */
int mon_strvec_from_blob(struct mon_strvec *v, const char *blob, size_t size);

/* True when `kv` looks like K=V with a non-empty key without '='. */
bool mon_env_valid(const char *kv);

/*
 * Writes all of `buf` to `fd`, retrying on EINTR and short writes and
 * waiting in poll() on EAGAIN. Returns 0 or -errno (EPIPE included).
 */
int mon_write_full(int fd, const void *buf, size_t len);

/* Remembers a path to unlink if the process exits or is killed before
 * mon_tmp_forget; at most a few paths at a time. */
void mon_tmp_register(const char *path);
void mon_tmp_forget(const char *path);
/* Unlinks every registered path (async-signal-safe). */
void mon_tmp_cleanup(void);
/* Installs SIGINT/SIGTERM/SIGHUP handlers that clean up registered temp
 * files, kill `child` when it is > 0, and exit 130/143/129. */
void mon_tmp_install_signals(void);
void mon_tmp_set_child(pid_t child);

/* Host CLOCK_MONOTONIC in nanoseconds. */
uint64_t mon_now_ns(void);

#endif
