/* SPDX-License-Identifier: MIT */
/*
 * `onyx inspect --syscalls` (host side): finds the syscall sites in an
 * image's app with objdump, guesses each number from the constant the
 * code puts in eax just before, and compares them with the syscall
 * table and names read from the kernel ELF inside the same image.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf64.h"
#include "log.h"
#include "syscalls.h"
#include "util.h"

extern char **environ;

/* Linux x86-64 numbers stay below this (the kernel's table size may be
 * smaller; numbers past it are unimplemented). */
#define NR_MAX 512
#define MAX_UNKNOWN_SHOWN 64

struct sc_kernel {
    uint64_t nimpl; /* entries in the kernel's table */
    bool impl[NR_MAX];
    const char *names[NR_MAX];
};

struct sc_site_count {
    unsigned sites[NR_MAX];
    unsigned unknown;
    unsigned out_of_range;
    unsigned total;
    uint64_t unknown_addr[MAX_UNKNOWN_SHOWN];
    char unknown_fn[MAX_UNKNOWN_SHOWN][64];
};

/* Bytes at kernel virtual address `vaddr`, from a segment's file part;
 * NULL when [vaddr, vaddr + len) is not all in one. */
static const uint8_t *kernel_bytes(const struct mon_elf *elf, uint64_t vaddr,
                                   uint64_t len)
{
    for (unsigned i = 0; i < elf->nloads; i++) {
        const struct mon_elf_seg *s = &elf->loads[i];

        if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz &&
            len <= s->filesz - (vaddr - s->vaddr))
            return elf->data + s->offset + (vaddr - s->vaddr);
    }
    return NULL;
}

static const Elf64_Sym *find_object(const struct mon_elf *elf,
                                    const char *name)
{
    for (uint64_t i = 0; elf->syms && i < elf->nsyms; i++) {
        const Elf64_Sym *s = &elf->syms[i];

        if (ELF64_ST_TYPE(s->st_info) != STT_OBJECT || s->st_name == 0 ||
            s->st_name >= elf->strtab_size)
            continue;
        if (strncmp(elf->strtab + s->st_name, name,
                    elf->strtab_size - s->st_name) == 0)
            return s;
    }
    return NULL;
}

/* Reads the kernel's syscall table (non-NULL entries are implemented)
 * and its name table by their symbols. */
static int read_kernel(const struct mon_elf *elf, struct sc_kernel *k)
{
    const Elf64_Sym *tab = find_object(elf, "k_syscall_table");
    const Elf64_Sym *names = find_object(elf, "k_syscall_names");
    const uint8_t *tp, *np;
    uint64_t n;

    if (!tab || !names || tab->st_size % 8 || names->st_size % 8) {
        mon_error("the image's kernel has no k_syscall_table or "
                  "k_syscall_names symbol (an image from an older onyx: "
                  "build it again)");
        return -ENOENT;
    }
    n = tab->st_size / 8;
    tp = kernel_bytes(elf, tab->st_value, tab->st_size);
    np = kernel_bytes(elf, names->st_value, names->st_size);
    if (!tp || !np || n > NR_MAX) {
        mon_error("the image's kernel syscall table is outside its file");
        return -EINVAL;
    }
    k->nimpl = n;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t p;

        memcpy(&p, tp + i * 8, 8);
        k->impl[i] = p != 0;
    }
    for (uint64_t i = 0; i < names->st_size / 8 && i < NR_MAX; i++) {
        uint64_t p;
        const uint8_t *s;

        memcpy(&p, np + i * 8, 8);
        if (!p)
            continue;
        s = kernel_bytes(elf, p, 1);
        /* The string must end inside its segment: check up to 64. */
        for (uint64_t len = 1; s && len <= 64; len++) {
            const uint8_t *w = kernel_bytes(elf, p, len);

            if (!w)
                break;
            if (w[len - 1] == '\0') {
                k->names[i] = (const char *)w;
                break;
            }
        }
    }
    return 0;
}

#define NREGS 16
#define R_AX 0
#define R_CX 1
#define R_DX 2
#define R_BX 3
#define R_R11 11

/* Per register: nothing known, a constant in value[], or "not reached
 * yet" (code after a jmp or ret, before a jump to it is seen), which
 * agrees with anything. */
enum { REG_UNKNOWN, REG_CONST, REG_UNREACHED };

struct sc_regs {
    uint8_t known[NREGS];
    long value[NREGS];
};

/* An address some jump inside the function goes to, and the register
 * facts every jump there agrees on. */
struct sc_target {
    uint64_t addr;
    struct sc_regs regs;
};

struct sc_insn {
    uint64_t addr;
    int target; /* index in targets[] when a jump goes here, else -1 */
    char mn[16];
    char ops[112];
};

/* One function of the app as objdump lists it, walked as a whole. */
struct sc_state {
    struct sc_regs now;
    struct sc_insn *insns;
    size_t ninsns, cap;
    struct sc_target *targets;
    size_t ntargets;
    /* Facts at the function's indirect jumps (a switch's table): code
     * after a jmp or ret may be one of its cases. */
    struct sc_regs indirect;
    bool changed; /* a target's facts changed in this pass */
    char fn[64];
};

/* The register an AT&T operand names ("%eax", "%r9d"), with its width
 * in bytes, or -1 for anything else (memory, immediates). */
static int reg_index(const char *op, int *width)
{
    static const char *const names[4][NREGS] = {
        {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8",
         "r9", "r10", "r11", "r12", "r13", "r14", "r15"},
        {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d",
         "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"},
        {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w",
         "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"},
        {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b",
         "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"},
    };
    static const int widths[4] = {8, 4, 2, 1};

    if (op[0] != '%')
        return -1;
    for (int w = 0; w < 4; w++) {
        for (int r = 0; r < NREGS; r++) {
            if (!strcmp(op + 1, names[w][r])) {
                *width = widths[w];
                return r;
            }
        }
    }
    if (!strcmp(op, "%ah") || !strcmp(op, "%ch") || !strcmp(op, "%dh") ||
        !strcmp(op, "%bh")) {
        *width = 1;
        return op[1] == 'a' ? R_AX : op[1] == 'c' ? R_CX
                                 : op[1] == 'd' ? R_DX : R_BX;
    }
    return -1;
}

static bool starts(const char *mn, const char *prefix)
{
    return strncmp(mn, prefix, strlen(prefix)) == 0;
}

static void forget(struct sc_state *st, int r)
{
    if (r >= 0)
        st->now.known[r] = REG_UNKNOWN;
}

/* A call may change every register the x86-64 ABI lets it clobber. */
static void forget_call(struct sc_state *st)
{
    static const int clobbered[] = {0, 1, 2, 6, 7, 8, 9, 10, 11};

    for (size_t i = 0; i < sizeof(clobbered) / sizeof(clobbered[0]); i++)
        forget(st, clobbered[i]);
}

/* Joins the facts of another path into `into`; true when it changed. */
static bool merge(struct sc_regs *into, const struct sc_regs *from)
{
    bool changed = false;

    for (int r = 0; r < NREGS; r++) {
        if (from->known[r] == REG_UNREACHED)
            continue;
        if (into->known[r] == REG_UNREACHED) {
            into->known[r] = from->known[r];
            into->value[r] = from->value[r];
            changed = true;
        } else if (into->known[r] == REG_CONST &&
                   (from->known[r] != REG_CONST ||
                    from->value[r] != into->value[r])) {
            into->known[r] = REG_UNKNOWN;
            changed = true;
        }
    }
    return changed;
}

static int target_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct sc_target *)a)->addr;
    uint64_t y = ((const struct sc_target *)b)->addr;

    return x < y ? -1 : x > y;
}

static struct sc_target *find_target(struct sc_state *st, uint64_t addr)
{
    struct sc_target key = {.addr = addr};

    if (!st->ntargets)
        return NULL;
    return bsearch(&key, st->targets, st->ntargets, sizeof(key), target_cmp);
}

/* The address a direct jump goes to ("401078"), or 0. */
static uint64_t jump_to(const struct sc_insn *in)
{
    char *end;
    unsigned long long to;

    if (in->mn[0] != 'j' || in->ops[0] == '*')
        return 0;
    to = strtoull(in->ops, &end, 16);
    return end != in->ops && *end == '\0' ? to : 0;
}

/* A jump from here to `addr` inside the function: what holds now also
 * holds there. */
static void note_jump(struct sc_state *st, uint64_t addr)
{
    struct sc_target *t = find_target(st, addr);

    if (t && merge(&t->regs, &st->now))
        st->changed = true;
}

/* Parses an AT&T immediate "$0x3c" or "$60". */
static bool parse_imm(const char *s, long *out)
{
    char *end;

    if (*s != '$')
        return false;
    errno = 0;
    *out = strtol(s + 1, &end, 0);
    return errno == 0 && end != s + 1 && *end == '\0';
}

/* Counts one syscall site with what is known of eax. */
static void note_site(struct sc_site_count *c, const struct sc_state *st,
                      uint64_t addr)
{
    c->total++;
    if (st->now.known[R_AX] != REG_CONST) {
        if (c->unknown < MAX_UNKNOWN_SHOWN) {
            c->unknown_addr[c->unknown] = addr;
            snprintf(c->unknown_fn[c->unknown], 64, "%s", st->fn);
        }
        c->unknown++;
    } else if (st->now.value[R_AX] < 0 || st->now.value[R_AX] >= NR_MAX) {
        c->out_of_range++;
    } else {
        c->sites[st->now.value[R_AX]]++;
    }
}

/* Updates the register state for one instruction `mn ops`. */
static void step(struct sc_state *st, const struct sc_insn *in)
{
    const char *mn = in->mn;
    char ops[sizeof(in->ops)];
    uint8_t *known = st->now.known;
    long *value = st->now.value;
    char *comma, *dest;
    const char *src = ops;
    int d, s, dw = 0, sw = 0;
    uint64_t to = jump_to(in);
    long imm;

    memcpy(ops, in->ops, sizeof(ops));
    comma = strrchr(ops, ',');
    dest = comma ? comma + 1 : ops;
    if (to)
        note_jump(st, to);
    if (starts(mn, "call")) {
        forget_call(st);
        return;
    }
    if (starts(mn, "ret") || starts(mn, "jmp") || starts(mn, "hlt") ||
        starts(mn, "ud2")) {
        /* What follows is only reached by a jump: one seen as a
         * target, or a case of a switch's indirect jump. */
        if (starts(mn, "jmp") && ops[0] == '*' &&
            merge(&st->indirect, &st->now))
            st->changed = true;
        st->now = st->indirect;
        return;
    }
    if (starts(mn, "cpuid") || starts(mn, "rdtsc") || starts(mn, "mul") ||
        starts(mn, "div") || starts(mn, "idiv") || starts(mn, "xgetbv") ||
        starts(mn, "cqto") || starts(mn, "cltd") || starts(mn, "rdpid") ||
        (starts(mn, "imul") && !comma)) {
        forget(st, R_AX);
        forget(st, R_CX);
        forget(st, R_DX);
        forget(st, R_BX);
        return;
    }
    if (comma)
        *comma = '\0';
    d = reg_index(dest, &dw);
    s = comma ? reg_index(src, &sw) : -1;
    if (starts(mn, "cmpxchg") || starts(mn, "xadd") || starts(mn, "xchg")) {
        forget(st, R_AX);
        forget(st, d);
        forget(st, s);
        return;
    }
    if (starts(mn, "lods") || starts(mn, "scas") || !strcmp(mn, "in"))
        forget(st, R_AX);
    if (d < 0 || starts(mn, "cmp") || starts(mn, "test") ||
        starts(mn, "push") || starts(mn, "bt") || starts(mn, "nop"))
        return;
    if (starts(mn, "mov") && dw >= 4 && comma && parse_imm(src, &imm)) {
        known[d] = REG_CONST;
        value[d] = dw == 4 ? (long)(uint32_t)imm : imm;
    } else if ((!strcmp(mn, "mov") || !strcmp(mn, "movslq")) && dw >= 4 &&
               s >= 0 && sw >= 4) {
        known[d] = known[s];
        value[d] = sw == 4 ? (long)(int32_t)value[s] : value[s];
    } else if (!strcmp(mn, "xor") && s == d && dw >= 4) {
        known[d] = REG_CONST;
        value[d] = 0;
    } else if (!strcmp(mn, "cltq")) {
        /* Sign-extends eax in place: a small number stays. */
    } else {
        forget(st, d);
    }
}

/* One walk over the function in address order; counts sites in `c`
 * when it is not NULL. */
static void walk(struct sc_state *st, struct sc_site_count *c)
{
    memset(st->now.known, REG_UNKNOWN, NREGS);
    st->changed = false;
    for (size_t i = 0; i < st->ninsns; i++) {
        const struct sc_insn *in = &st->insns[i];

        if (in->target >= 0)
            merge(&st->now, &st->targets[in->target].regs);
        if (strcmp(in->mn, "syscall") != 0) {
            step(st, in);
            continue;
        }
        if (c)
            note_site(c, st, in->addr);
        /* The result comes back in rax; the CPU uses rcx and r11. */
        forget(st, R_AX);
        forget(st, R_CX);
        forget(st, R_R11);
    }
}

/* Finds the function's jump targets, walks it until the facts at every
 * target settle (each pass can only lose facts), then counts. */
static int finish_function(struct sc_state *st, struct sc_site_count *c)
{
    uint64_t lo, hi;
    size_t n = 0;

    if (!st->ninsns)
        return 0;
    lo = st->insns[0].addr;
    hi = st->insns[st->ninsns - 1].addr;
    free(st->targets);
    st->targets = calloc(st->ninsns, sizeof(*st->targets));
    if (!st->targets)
        return -ENOMEM;
    for (size_t i = 0; i < st->ninsns; i++) {
        uint64_t to = jump_to(&st->insns[i]);

        if (to >= lo && to <= hi)
            st->targets[n++].addr = to;
    }
    qsort(st->targets, n, sizeof(*st->targets), target_cmp);
    st->ntargets = 0;
    for (size_t i = 0; i < n; i++) {
        if (st->ntargets && st->targets[st->ntargets - 1].addr ==
                                st->targets[i].addr)
            continue;
        st->targets[st->ntargets] = st->targets[i];
        memset(st->targets[st->ntargets].regs.known, REG_UNREACHED, NREGS);
        st->ntargets++;
    }
    for (size_t i = 0; i < st->ninsns; i++) {
        struct sc_target *t = find_target(st, st->insns[i].addr);

        st->insns[i].target = t ? (int)(t - st->targets) : -1;
    }
    memset(st->indirect.known, REG_UNREACHED, NREGS);
    for (int pass = 0; pass < 16; pass++) {
        walk(st, NULL);
        if (!st->changed)
            break;
    }
    walk(st, c);
    st->ninsns = 0;
    return 0;
}

/* One objdump -d line: a function header (the previous function is
 * complete) or an instruction, kept for the walk. */
static int scan_line(char *line, struct sc_state *st,
                     struct sc_site_count *c)
{
    char *colon, *mn, *ops, *p;
    unsigned long long addr;
    struct sc_insn *in;
    int rc;

    line[strcspn(line, "\n")] = '\0';
    if (isxdigit((unsigned char)line[0]) && (p = strchr(line, '<'))) {
        /* "0000000000401000 <name>:" */
        rc = finish_function(st, c);
        snprintf(st->fn, sizeof(st->fn), "%.*s", (int)strcspn(p + 1, ">"),
                 p + 1);
        return rc;
    }
    colon = strchr(line, ':');
    if (line[0] != ' ' || !colon || sscanf(line, " %llx", &addr) != 1)
        return 0;
    mn = colon + 1;
    while (*mn == ' ' || *mn == '\t')
        mn++;
    /* Drop prefixes objdump prints before the mnemonic. */
    while (!strncmp(mn, "lock ", 5) || !strncmp(mn, "rep ", 4) ||
           !strncmp(mn, "repz ", 5) || !strncmp(mn, "repnz ", 6) ||
           !strncmp(mn, "notrack ", 8) || !strncmp(mn, "bnd ", 4) ||
           !strncmp(mn, "data16 ", 7) || !strncmp(mn, "cs ", 3) ||
           !strncmp(mn, "ds ", 3)) {
        mn = strchr(mn, ' ') + 1;
        while (*mn == ' ')
            mn++;
    }
    ops = mn + strcspn(mn, " \t");
    if (*ops)
        *ops++ = '\0';
    while (*ops == ' ' || *ops == '\t')
        ops++;
    ops[strcspn(ops, "#<")] = '\0';
    for (p = ops + strlen(ops); p > ops && isspace((unsigned char)p[-1]);)
        *--p = '\0';
    if (mn[0] == '\0' || mn[0] == '(')
        return 0;
    if (st->ninsns == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 1024;
        struct sc_insn *bigger = realloc(st->insns, cap * sizeof(*bigger));

        if (!bigger)
            return -ENOMEM;
        st->insns = bigger;
        st->cap = cap;
    }
    in = &st->insns[st->ninsns++];
    in->addr = addr;
    in->target = -1;
    snprintf(in->mn, sizeof(in->mn), "%s", mn);
    snprintf(in->ops, sizeof(in->ops), "%s", ops);
    return 0;
}

static int write_all(int fd, const uint8_t *p, uint64_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -EIO;
        p += n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* Writes the app ELF to a temp file and runs objdump -d over it. */
static int disassemble(const uint8_t *app, uint64_t app_size,
                       struct sc_site_count *c)
{
    char tmp[] = "/tmp/onyx-inspect-XXXXXX";
    char *cmd[] = {"objdump", "-d", "-w", "--no-show-raw-insn", tmp, NULL};
    struct sc_state st = {.fn = ""};
    posix_spawn_file_actions_t fa;
    int fd = mkstemp(tmp), pipefd[2], status, rc;
    char line[1024];
    FILE *out;
    pid_t pid;

    if (fd < 0) {
        mon_error("cannot create a temporary file: %s", strerror(errno));
        return -errno;
    }
    mon_tmp_register(tmp);
    rc = write_all(fd, app, app_size);
    close(fd);
    if (rc < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
        mon_error("cannot write %s: %s", tmp, strerror(errno));
        rc = -EIO;
        goto cleanup;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    rc = posix_spawnp(&pid, "objdump", &fa, NULL, cmd, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        mon_error("cannot run objdump: %s (install binutils)", strerror(rc));
        rc = -rc;
        goto cleanup;
    }
    out = fdopen(pipefd[0], "r");
    if (!out) {
        close(pipefd[0]);
        rc = -ENOMEM;
    } else {
        rc = 0;
        while (rc == 0 && fgets(line, sizeof(line), out))
            rc = scan_line(line, &st, c);
        if (rc == 0)
            rc = finish_function(&st, c);
        while (fgets(line, sizeof(line), out))
            ;
        fclose(out);
        free(st.insns);
        free(st.targets);
        if (rc < 0)
            mon_error("out of memory reading objdump's output");
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        mon_error("objdump failed on the app ELF");
        rc = -EIO;
    }
cleanup:
    unlink(tmp);
    mon_tmp_forget(tmp);
    return rc;
}

int mon_syscalls_kernel(const struct mon_image *img)
{
    struct sc_kernel *k = calloc(1, sizeof(*k));
    unsigned n = 0;
    int rc = -ENOMEM;

    if (!k) {
        mon_error("out of memory");
        return rc;
    }
    rc = read_kernel(&img->kernel, k);
    for (uint64_t nr = 0; rc == 0 && nr < k->nimpl; nr++)
        n += k->impl[nr];
    if (rc == 0)
        printf("kernel-syscalls: %u\n", n);
    for (uint64_t nr = 0; rc == 0 && nr < k->nimpl; nr++) {
        if (k->impl[nr])
            printf("kernel-syscall: %s %llu\n",
                   k->names[nr] ? k->names[nr] : "unnamed",
                   (unsigned long long)nr);
    }
    free(k);
    return rc;
}

int mon_syscalls_report(const struct mon_image *img)
{
    struct sc_kernel *k = calloc(1, sizeof(*k));
    struct sc_site_count *c = calloc(1, sizeof(*c));
    unsigned distinct = 0, missing = 0;
    int rc = -ENOMEM;

    if (!k || !c)
        goto cleanup;
    rc = read_kernel(&img->kernel, k);
    if (rc == 0)
        rc = disassemble(img->app.data, img->app.size, c);
    if (rc < 0)
        goto cleanup;
    for (int nr = 0; nr < NR_MAX; nr++) {
        bool impl = (uint64_t)nr < k->nimpl && k->impl[nr];

        if (!c->sites[nr])
            continue;
        distinct++;
        missing += !impl;
    }
    printf("syscall-sites: %u\n", c->total);
    printf("syscall-numbers: %u (%u implemented, %u not implemented)\n",
           distinct, distinct - missing, missing);
    printf("syscall-unknown-sites: %u\n", c->unknown + c->out_of_range);
    for (int pass = 0; pass < 2; pass++) {
        for (int nr = 0; nr < NR_MAX; nr++) {
            bool impl = (uint64_t)nr < k->nimpl && k->impl[nr];

            if (!c->sites[nr] || impl != (pass == 0))
                continue;
            printf("syscall-%s: %s %d (%u site%s)\n",
                   impl ? "implemented" : "not-implemented",
                   k->names[nr] ? k->names[nr] : "unnamed", nr,
                   c->sites[nr], c->sites[nr] == 1 ? "" : "s");
        }
    }
    for (unsigned i = 0; i < c->unknown && i < MAX_UNKNOWN_SHOWN; i++)
        printf("syscall-unknown: 0x%llx in %s (number not a constant)\n",
               (unsigned long long)c->unknown_addr[i],
               c->unknown_fn[i][0] ? c->unknown_fn[i] : "?");
    if (c->unknown > MAX_UNKNOWN_SHOWN)
        printf("syscall-unknown: %u more sites not listed\n",
               c->unknown - MAX_UNKNOWN_SHOWN);
    if (c->out_of_range)
        printf("syscall-unknown: %u sites with a number outside Linux's "
               "range\n",
               c->out_of_range);
    rc = 0;
cleanup:
    if (rc == -ENOMEM)
        mon_error("out of memory");
    free(k);
    free(c);
    return rc;
}

int mon_syscalls_may_call(const uint8_t *app, uint64_t app_size, int nr,
                          bool *may)
{
    struct sc_site_count *c = calloc(1, sizeof(*c));
    int rc;

    if (!c) {
        mon_error("out of memory");
        return -ENOMEM;
    }
    rc = disassemble(app, app_size, c);
    /* A site whose number is not a constant could be any syscall;
     * constants past Linux's range cannot be `nr`. */
    if (rc == 0)
        *may = nr < 0 || nr >= NR_MAX || c->sites[nr] || c->unknown;
    free(c);
    return rc;
}
