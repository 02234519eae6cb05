/* SPDX-License-Identifier: MIT */
/* The one app process of the guest: its start and identity. */
#ifndef K_PROC_H
#define K_PROC_H

#include <stdbool.h>

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
/* True when the current app thread has a signal it does not block
 * pending: blocking syscalls then return -EINTR (see signal.c). */
bool k_signal_pending(void);

#endif
