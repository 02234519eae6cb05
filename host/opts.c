/* SPDX-License-Identifier: MIT */
/* Host-side command-line option scanner shared by the onyx commands. */
#include <string.h>

#include "log.h"
#include "opts.h"

void mon_opts_init(struct mon_opts *o, int argc, char **argv,
                   const struct mon_opt *table)
{
    o->argc = argc;
    o->argv = argv;
    o->index = 0;
    o->rest_index = argc;
    o->current = NULL;
    o->table = table;
}

const char *mon_opts_current(const struct mon_opts *o)
{
    static char text[64];
    const char *arg = o->current ? o->current : "";
    size_t n = strcspn(arg, "=");

    if (arg[1] != '-')
        n = 2;
    if (n >= sizeof(text))
        n = sizeof(text) - 1;
    memcpy(text, arg, n);
    text[n] = '\0';
    return text;
}

static const struct mon_opt *opts_find_long(const struct mon_opts *o,
                                            const char *name, size_t len)
{
    for (const struct mon_opt *t = o->table; t->long_name; t++) {
        if (strlen(t->long_name) == len &&
            strncmp(t->long_name, name, len) == 0)
            return t;
    }
    return NULL;
}

static const struct mon_opt *opts_find_short(const struct mon_opts *o, char c)
{
    for (const struct mon_opt *t = o->table; t->long_name; t++) {
        if (t->short_name && t->short_name == c)
            return t;
    }
    return NULL;
}

/* Fetches the value of `opt`: attached text or the next argument. */
static int opts_value(struct mon_opts *o, const struct mon_opt *opt,
                      const char *attached, const char **value)
{
    if (!opt->has_arg) {
        if (attached) {
            mon_error("option %s takes no value", mon_opts_current(o));
            return MON_OPT_ERROR;
        }
        *value = NULL;
        return opt->id;
    }
    if (attached) {
        *value = attached;
        return opt->id;
    }
    if (o->index >= o->argc) {
        mon_error("option %s needs a value", mon_opts_current(o));
        return MON_OPT_ERROR;
    }
    *value = o->argv[o->index++];
    return opt->id;
}

int mon_opts_next(struct mon_opts *o, const char **value)
{
    const struct mon_opt *opt;
    const char *arg;

    if (o->index >= o->argc)
        return MON_OPT_END;
    arg = o->argv[o->index++];
    o->current = arg;
    if (strcmp(arg, "--") == 0) {
        o->rest_index = o->index;
        o->index = o->argc;
        return MON_OPT_REST;
    }
    if (arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return MON_OPT_POSITIONAL;
    }
    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);

        opt = opts_find_long(o, name, len);
        if (!opt) {
            mon_error("unknown option '%.*s' (see onyx --help)", (int)(len + 2),
                      arg);
            return MON_OPT_ERROR;
        }
        return opts_value(o, opt, eq ? eq + 1 : NULL, value);
    }
    opt = opts_find_short(o, arg[1]);
    if (!opt) {
        mon_error("unknown option '-%c' (see onyx --help)", arg[1]);
        return MON_OPT_ERROR;
    }
    if (arg[2] != '\0' && !opt->has_arg) {
        mon_error("option -%c takes no value", arg[1]);
        return MON_OPT_ERROR;
    }
    return opts_value(o, opt, arg[2] ? arg + 2 : NULL, value);
}
