/* SPDX-License-Identifier: MIT */
/* The one app process of the guest: its start and identity. */
#ifndef K_PROC_H
#define K_PROC_H

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

#endif
