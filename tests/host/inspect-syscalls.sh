# SPDX-License-Identifier: MIT
# Host test: `onyx inspect --syscalls` finds the syscalls a program's
# code makes, names them, splits them by what the image's kernel
# implements (checked against the kernel's own "unimplemented syscall"
# warning when the program runs) and reports non-constant numbers.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib.sh"
cd "$T" || exit 1
cat > probe.c <<'END'
#include <stdio.h>
#include <stdlib.h>

static long raw0(long nr)
{
    long r;

    __asm__ volatile("syscall" : "=a"(r) : "a"(nr) : "rcx", "r11", "memory");
    return r;
}

int main(int argc, char **argv)
{
    long r;

    /* A constant the analysis must see: vhangup (153). */
    __asm__ volatile("mov $153, %%eax\n\tsyscall"
                     : "=a"(r) : : "rcx", "r11", "memory");
    printf("vhangup: %ld\n", r);
    /* A number only known at run time. */
    printf("runtime: %ld\n", raw0(argc > 5 ? atol(argv[1]) : 39));
    return 0;
}
END
if ! build_image probe.onyx probe.c; then
    fail inspect-syscalls/build "$(tail -3 build.log)"
    finish
fi
"$ONYX" inspect --syscalls probe.onyx > sc.txt 2> sc.err
rc=$?
if [ "$rc" = 0 ] && grep -q '^syscall-sites: [1-9]' sc.txt; then
    ok inspect-syscalls/runs
else
    fail inspect-syscalls/runs "exit $rc: $(head -c 300 sc.err)"
fi
if grep -qx 'syscall-not-implemented: vhangup 153 (1 site)' sc.txt; then
    ok inspect-syscalls/not-implemented
else
    fail inspect-syscalls/not-implemented "$(grep -c . sc.txt) lines, \
no vhangup line"
fi
if grep -qE '^syscall-implemented: (write|writev) (1|20) ' sc.txt &&
    grep -qE '^syscall-implemented: exit_group 231 ' sc.txt; then
    ok inspect-syscalls/implemented
else
    fail inspect-syscalls/implemented "$(grep implemented sc.txt | head -3)"
fi
if grep -qE '^syscall-unknown: 0x[0-9a-f]+ in (raw0|main) ' sc.txt; then
    ok inspect-syscalls/unknown
else
    fail inspect-syscalls/unknown "$(grep unknown sc.txt | head -3)"
fi
# Every "not implemented" line must be what the kernel says when run.
if have_kvm inspect-syscalls/agrees; then
    run_image probe.onyx
    if grep -q 'vhangup: -38' "$T/out" &&
        grep -q 'unimplemented syscall vhangup' "$T/out" "$T/err"; then
        ok inspect-syscalls/agrees
    else
        fail inspect-syscalls/agrees "$(head -c 300 "$T/out" "$T/err")"
    fi
fi
# An image whose kernel is not the one onyx builds has no table.
if ! "$ONYX" inspect --syscalls probe.c > /dev/null 2>&1; then
    ok inspect-syscalls/not-an-image
else
    fail inspect-syscalls/not-an-image "accepted a C file"
fi
finish
