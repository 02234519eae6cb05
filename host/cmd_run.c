/* SPDX-License-Identifier: MIT */
/*
 * `onyx run` (host side): parses the options, creates the VM, loads the
 * image, starts the network back end and runs the guest to its end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "image.h"
#include "loader.h"
#include "log.h"
#include "monitor.h"
#include "net.h"
#include "opts.h"

const char mon_run_usage[] =
    "usage: onyx run [--mem SIZE] [--net user|tap:IFACE|none]\n"
    "                [-p [ADDR:]HOSTPORT:GUESTPORT]... [--ip ADDR/PREFIX]\n"
    "                [--gw ADDR] [--dns ADDR] [-e K=V]... IMAGE "
    "[-- ARGS...]\n"
    "  --mem SIZE     guest memory (default: image's, else 64M)\n"
    "  --net KIND     user (libslirp, no root), tap:IFACE, or none\n"
    "                 (default: user when -p is given, else none)\n"
    "  -p SPEC        forward host TCP port to the guest (needs user)\n"
    "  --ip, --gw, --dns  guest addresses for --net tap\n"
    "  -e K=V         set or override an environment variable\n"
    "  --stop-timeout SECONDS  after SIGINT/SIGTERM (passed to the app),\n"
    "                 stop the guest this late (default 10; 0: at once)\n"
    "  -- ARGS...     replace the image's default arguments\n";

enum {
    OPT_MEM = 1,
    OPT_NET,
    OPT_PUBLISH,
    OPT_IP,
    OPT_GW,
    OPT_DNS,
    OPT_ENV,
    OPT_HELP,
    OPT_STOP_TIMEOUT,
    OPT_LATER, /* options of later issues */
};

static const struct mon_opt run_opts[] = {
    {"mem", 0, true, OPT_MEM},
    {"net", 0, true, OPT_NET},
    {"publish", 'p', true, OPT_PUBLISH},
    {"ip", 0, true, OPT_IP},
    {"gw", 0, true, OPT_GW},
    {"dns", 0, true, OPT_DNS},
    {"env", 'e', true, OPT_ENV},
    {"help", 'h', false, OPT_HELP},
    {"stop-timeout", 0, true, OPT_STOP_TIMEOUT},
    {"disk", 0, true, OPT_LATER},
    {"syslog", 0, true, OPT_LATER},
    {"gdb", 0, true, OPT_LATER},
    {"profile", 0, true, OPT_LATER},
    {"core", 0, true, OPT_LATER},
    {NULL, 0, false, 0},
};

struct run_args {
    const char *image;
    const char *mem_text;
    uint64_t mem;
    bool mem_rounded;
    bool net_given;
    bool replace_args;
    const char *ip_text;
    const char *gw_text;
    const char *dns_text;
    struct mon_net_options net;
    struct mon_strvec args;
    struct mon_strvec env; /* -e overrides, applied over the image's */
    unsigned stop_timeout; /* seconds from SIGINT/SIGTERM to a stop */
};

#define STOP_TIMEOUT_DEFAULT 10
#define STOP_TIMEOUT_MAX 86400

static int parse_stop_timeout(struct run_args *a, const char *v)
{
    unsigned long n = 0;

    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9' || n > STOP_TIMEOUT_MAX)
            goto bad;
        n = n * 10 + (unsigned long)(*p - '0');
    }
    if (!*v || n > STOP_TIMEOUT_MAX)
        goto bad;
    a->stop_timeout = (unsigned)n;
    return 0;
bad:
    mon_error("--stop-timeout '%s': expected whole seconds from 0 to %d", v,
              STOP_TIMEOUT_MAX);
    return -EINVAL;
}

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    unsigned long v = 0;

    if (len == 0 || len > 5)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -EINVAL;
    *out = (uint16_t)v;
    return 0;
}

/* [ADDR:]HOSTPORT:GUESTPORT */
static int parse_publish(struct run_args *a, const char *spec)
{
    struct mon_net_forward *f;
    const char *last = strrchr(spec, ':');
    const char *first = strchr(spec, ':');
    char addr[INET_ADDRSTRLEN];
    const char *hp;

    if (a->net.nforwards == MON_NET_MAX_FORWARDS) {
        mon_error("-p: at most %d forwards", MON_NET_MAX_FORWARDS);
        return -EINVAL;
    }
    f = &a->net.forwards[a->net.nforwards];
    *f = (struct mon_net_forward){.host_addr.s_addr = htonl(INADDR_ANY),
                                  .text = spec};
    if (!last)
        goto bad;
    hp = spec;
    if (first != last) {
        size_t n = (size_t)(first - spec);

        if (n == 0 || n >= sizeof(addr))
            goto bad;
        memcpy(addr, spec, n);
        addr[n] = '\0';
        if (inet_pton(AF_INET, addr, &f->host_addr) != 1)
            goto bad;
        hp = first + 1;
    }
    if (parse_port(hp, (size_t)(last - hp), &f->host_port) < 0 ||
        parse_port(last + 1, strlen(last + 1), &f->guest_port) < 0)
        goto bad;
    a->net.nforwards++;
    return 0;

bad:
    mon_error("-p '%s': expected [ADDR:]HOSTPORT:GUESTPORT with ports "
              "1-65535 and an IPv4 ADDR",
              spec);
    return -EINVAL;
}

static int parse_net(struct run_args *a, const char *v)
{
    a->net_given = true;
    if (strcmp(v, "user") == 0) {
        a->net.kind = MON_NET_USER;
    } else if (strcmp(v, "none") == 0) {
        a->net.kind = MON_NET_NONE;
    } else if (strncmp(v, "tap:", 4) == 0 && v[4] != '\0') {
        a->net.kind = MON_NET_TAP;
        a->net.ifname = v + 4;
    } else {
        mon_error("--net '%s': expected user, tap:IFACE or none", v);
        return -EINVAL;
    }
    return 0;
}

static int parse_addr(const char *opt, const char *v, uint32_t *out)
{
    struct in_addr in;

    if (inet_pton(AF_INET, v, &in) != 1) {
        mon_error("%s '%s': expected an IPv4 address", opt, v);
        return -EINVAL;
    }
    *out = in.s_addr;
    return 0;
}

static int parse_ip(struct run_args *a, const char *v)
{
    const char *slash = strchr(v, '/');
    char addr[INET_ADDRSTRLEN];
    char *end;
    long prefix;

    if (!slash || (size_t)(slash - v) >= sizeof(addr))
        goto bad;
    memcpy(addr, v, (size_t)(slash - v));
    addr[slash - v] = '\0';
    errno = 0;
    prefix = strtol(slash + 1, &end, 10);
    if (slash[1] == '\0' || *end != '\0' || errno || prefix < 1 || prefix > 32)
        goto bad;
    if (inet_pton(AF_INET, addr, &a->net.ip) != 1)
        goto bad;
    a->net.prefix = (uint8_t)prefix;
    return 0;

bad:
    mon_error("--ip '%s': expected ADDR/PREFIX, e.g. 192.168.100.2/24", v);
    return -EINVAL;
}

static int parse_option(struct run_args *a, struct mon_opts *o, int id,
                        const char *v)
{
    switch (id) {
    case OPT_MEM:
        if (mon_mem_parse(v, &a->mem, &a->mem_rounded) < 0) {
            mon_error("--mem '%s': expected a size from 4M to 64G (bytes "
                      "or K/M/G suffix)",
                      v);
            return -EINVAL;
        }
        a->mem_text = v;
        return 0;
    case OPT_NET: return parse_net(a, v);
    case OPT_PUBLISH: return parse_publish(a, v);
    case OPT_IP: a->ip_text = v; return parse_ip(a, v);
    case OPT_GW: a->gw_text = v; return parse_addr("--gw", v, &a->net.gateway);
    case OPT_DNS: a->dns_text = v; return parse_addr("--dns", v, &a->net.dns);
    case OPT_STOP_TIMEOUT: return parse_stop_timeout(a, v);
    case OPT_ENV:
        if (!mon_env_valid(v)) {
            mon_error("-e '%s': expected KEY=VALUE", v);
            return -EINVAL;
        }
        return mon_strvec_setenv(&a->env, v);
    case OPT_LATER:
        mon_error("%s is not supported yet", mon_opts_current(o));
        return -ENOTSUP;
    default: return -EINVAL;
    }
}

static int check_net(struct run_args *a)
{
    if (!a->net_given && a->net.nforwards > 0)
        a->net.kind = MON_NET_USER;
    if (a->net.nforwards > 0 && a->net.kind != MON_NET_USER) {
        mon_error("-p needs --net user (with tap the guest is reachable "
                  "at its --ip)");
        return -EINVAL;
    }
    if (a->net.kind == MON_NET_TAP && !a->ip_text) {
        mon_error("--net tap:%s needs --ip ADDR/PREFIX", a->net.ifname);
        return -EINVAL;
    }
    if (a->net.kind != MON_NET_TAP &&
        (a->ip_text || a->gw_text || a->dns_text)) {
        mon_error("--ip, --gw and --dns are for --net tap; --net user "
                  "uses 10.0.2.15/24, gateway 10.0.2.2, DNS 10.0.2.3");
        return -EINVAL;
    }
    return 0;
}

static int parse_args(struct run_args *a, int argc, char **argv)
{
    struct mon_opts o;
    const char *v;
    int id;

    mon_opts_init(&o, argc, argv, run_opts);
    while ((id = mon_opts_next(&o, &v)) != MON_OPT_END) {
        if (id == OPT_HELP) {
            fputs(mon_run_usage, stdout);
            return 1;
        } else if (id == MON_OPT_POSITIONAL) {
            if (a->image) {
                mon_error("unexpected argument '%s' (app arguments go "
                          "after --)",
                          v);
                return -EINVAL;
            }
            a->image = v;
        } else if (id == MON_OPT_REST) {
            a->replace_args = true;
            for (int i = o.rest_index; i < argc; i++) {
                if (mon_strvec_push(&a->args, argv[i]) < 0)
                    return -ENOMEM;
            }
        } else if (id == MON_OPT_ERROR || parse_option(a, &o, id, v) < 0) {
            return -EINVAL;
        }
    }
    if (!a->image) {
        mon_error("expected an IMAGE to run (see onyx run --help)");
        return -EINVAL;
    }
    return check_net(a);
}

/* Final argv[1..] and env: the image's defaults, then the command line. */
static int merge_args_env(struct run_args *a, const struct mon_image *img,
                          struct mon_strvec *args, struct mon_strvec *env)
{
    int rc = 0;

    if (a->replace_args) {
        for (size_t i = 0; rc == 0 && i < a->args.count; i++)
            rc = mon_strvec_push(args, a->args.items[i]);
    } else {
        rc = mon_strvec_from_blob(args, img->args, img->args_size);
    }
    if (rc == 0)
        rc = mon_strvec_from_blob(env, img->env, img->env_size);
    for (size_t i = 0; rc == 0 && i < a->env.count; i++)
        rc = mon_strvec_setenv(env, a->env.items[i]);
    return rc;
}

static uint64_t choose_mem(const struct run_args *a,
                           const struct mon_image *img)
{
    char size[32];

    if (a->mem_text) {
        if (a->mem_rounded) {
            mon_size_format(a->mem, size, sizeof(size));
            mon_warn("--mem %s rounded up to %s (a 2 MiB multiple)",
                     a->mem_text, size);
        }
        return a->mem;
    }
    return img->default_mem ? img->default_mem : MON_MEM_DEFAULT;
}

struct run_state {
    struct mon_image img;
    struct mon_vm vm;
    struct mon_net *net;
    struct onyx_net_config net_cfg;
    struct mon_boot boot;
    struct mon_strvec args;
    struct mon_strvec env;
    bool img_open;
    bool vm_created;
};

/* Everything before the first KVM_RUN; messages already printed. The
 * steps are timed for ONYX_LOG=debug. */
static int run_setup(struct run_args *a, struct run_state *s)
{
    struct mon_boot_config cfg = {.args = &s->args, .env = &s->env};
    struct mon_err why;
    uint64_t t[6];
    int rc;

    t[0] = mon_now_ns();
    rc = mon_image_open(&s->img, a->image, &why);
    if (rc < 0)
        goto fail;
    s->img_open = true;
    if (merge_args_env(a, &s->img, &s->args, &s->env) < 0)
        return -ENOMEM;
    rc = mon_net_create(&s->net, &a->net, &s->net_cfg, &why);
    if (rc < 0)
        goto fail;
    cfg.net = s->net ? &s->net_cfg : NULL;
    t[1] = mon_now_ns();
    rc = mon_vm_create(&s->vm, choose_mem(a, &s->img), &why);
    s->vm_created = true;
    if (rc < 0)
        goto fail;
    t[2] = mon_now_ns();
    rc = mon_load(&s->vm, &s->img, &cfg, &s->boot, &why);
    if (rc < 0)
        goto fail;
    t[3] = mon_now_ns();
    rc = mon_vcpu_init(&s->vm, s->boot.entry, s->boot.info_virt, &why);
    if (rc == 0)
        rc = mon_loader_set_cpu(&s->vm, &s->boot, &why);
    if (rc < 0)
        goto fail;
    t[4] = mon_now_ns();
    if (s->net &&
        mon_net_attach(s->net, &s->vm, s->boot.tx_ring, s->boot.rx_ring) < 0)
        return -EINVAL;
    t[5] = mon_now_ns();
    mon_debug("boot: image+net %llu us, vm %llu us, load %llu us, vcpu "
              "%llu us, total %llu us; %llu MiB, first free page 0x%llx",
              (unsigned long long)(t[1] - t[0]) / 1000,
              (unsigned long long)(t[2] - t[1]) / 1000,
              (unsigned long long)(t[3] - t[2]) / 1000,
              (unsigned long long)(t[4] - t[3]) / 1000,
              (unsigned long long)(t[5] - t[0]) / 1000,
              (unsigned long long)(s->vm.mem_size / MON_MIB),
              (unsigned long long)s->vm.next);
    return 0;

fail:
    mon_error("%s", why.msg);
    return rc;
}

static void run_teardown(struct run_state *s)
{
    mon_net_destroy(s->net);
    if (s->vm_created)
        mon_vm_destroy(&s->vm);
    if (s->img_open)
        mon_image_close(&s->img);
    mon_strvec_free(&s->args);
    mon_strvec_free(&s->env);
}

int mon_cmd_run(int argc, char **argv)
{
    struct run_args a = {.stop_timeout = STOP_TIMEOUT_DEFAULT};
    struct run_state s = {0};
    struct mon_run r = {0};
    struct mon_err why;
    int status = ONYX_EXIT_ERROR;
    int rc;

    rc = parse_args(&a, argc, argv);
    if (rc == 1)
        status = 0;
    if (rc != 0)
        goto out;
    if (run_setup(&a, &s) < 0)
        goto out;
    r = (struct mon_run){.vm = &s.vm, .img = &s.img, .net = s.net};
    if (mon_signals_init(&r, a.stop_timeout, &why) < 0) {
        mon_error("%s", why.msg);
        goto out;
    }
    status = mon_run_guest(&r);

out:
    run_teardown(&s);
    mon_strvec_free(&a.args);
    mon_strvec_free(&a.env);
    return status;
}
