/* SPDX-License-Identifier: MIT */
/* The one app process of the guest: its start and identity. */
#ifndef K_PROC_H
#define K_PROC_H

#include <stdbool.h>
#include <stdint.h>

/* The app's pid, also the main thread's tid. */
#define K_PID 1

/* Boot: creates the app's main thread (which starts networking, lays
 * out the main stack and jumps to the app's entry). */
void k_proc_start(void);
/* The app's name from the image (for uname and logs). */
const char *k_proc_name(void);

/* Raises `sig` at the app as the kernel itself would (SIGPIPE on a
 * write to a broken pipe): blocked, it stays pending; with its default
 * action it may end the app (status 128+sig) and not return. */
void k_signal_raise(int sig);
/* SIGINT/SIGTERM that `onyx run` received: queued for the app when it
 * has a handler, ignored when it ignores it, else ends the app now with
 * status 128+sig (the scheduler calls it outside any syscall). */
void k_signal_from_host(int sig);
/* A CPU fault in app code (trap handler): enters the app's handler for
 * `sig` with si_code `code` and si_addr `addr` and returns true, or
 * false when the app has none or blocks it (then the fault is fatal). */
struct k_trap_frame;
bool k_signal_fault(struct k_trap_frame *f, int sig, int code,
                    uint64_t addr);
/* True when the current app thread has a signal it does not block
 * pending: blocking syscalls then return -EINTR (see signal.c). */
bool k_signal_pending(void);

#endif
