/* SPDX-License-Identifier: MIT */
/*
 * Command-line option scanner for the onyx commands (host side). Unlike
 * getopt it keeps positional arguments in order, lets options follow
 * them, and stops at "--" so everything after it reaches the app as is.
 */
#ifndef MON_OPTS_H
#define MON_OPTS_H

#include <stdbool.h>

struct mon_opt {
    const char *long_name; /* "mem" for --mem, NULL ends the table */
    char short_name; /* 'p' for -p, 0 for none */
    bool has_arg;
    int id; /* returned by mon_opts_next, > 0 */
};

enum {
    MON_OPT_END = 0, /* no more arguments */
    MON_OPT_POSITIONAL = -1, /* *value is a positional argument */
    MON_OPT_REST = -2, /* "--" seen: app args start at rest_index */
    MON_OPT_ERROR = -3, /* message printed */
};

struct mon_opts {
    int argc;
    char **argv;
    int index;
    int rest_index;
    const char *current; /* the argument that named the last option */
    const struct mon_opt *table;
};

void mon_opts_init(struct mon_opts *o, int argc, char **argv,
                   const struct mon_opt *table);
/*
 * Returns the next option's id (its value in *value when it takes one),
 * or one of the MON_OPT_* codes above. Accepts --name=value, --name
 * value, -x value and -xvalue. Unknown options and missing values print
 * "<prefix>: ..." and return MON_OPT_ERROR.
 */
int mon_opts_next(struct mon_opts *o, const char **value);
/* The text of the option just returned ("--mem" or "-p"), for errors. */
const char *mon_opts_current(const struct mon_opts *o);

#endif
