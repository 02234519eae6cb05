# SPDX-License-Identifier: MIT
# Host test: malformed images and bad command lines must make onyx exit
# 125 with a message naming the problem, quickly, without a signal death
# and without leaving files behind.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib.sh"
PATCH="python3 $ROOT/tests/host/imgpatch.py"
cd "$T" || exit 1

# expect_error NAME NEEDLE CMD... : exit 125, "onyx <cmd>: " + NEEDLE on
# stderr, within 10 s.
expect_error() {
    local name=$1 needle=$2 rc
    shift 2
    timeout -s KILL 10 "$@" > out.txt 2> err.txt
    rc=$?
    if [ "$rc" -eq 137 ]; then
        fail "$name" "hung (killed after 10 s)"
    elif [ "$rc" -ne 125 ]; then
        fail "$name" "exit $rc, want 125: $(head -c 300 err.txt)"
    elif ! grep -qE '^onyx( [a-z]+)?: ' err.txt ||
        ! grep -qF -- "$needle" err.txt; then
        fail "$name" "stderr lacks '$needle': $(head -c 300 err.txt)"
    else
        ok "$name"
    fi
}

# A valid image to corrupt.
printf '#include <stdio.h>\nint main(void){puts("hi");return 7;}\n' > app.c
if ! "$ONYX" build -o good.onyx app.c > build.log 2>&1; then
    fail malformed/build-base "$(tail -3 build.log)"
    finish
fi
musl-gcc -static -O2 -o app.elf app.c

# corrupt NAME NEEDLE PLACE FIELD VALUE [run options...]
corrupt() {
    local name=$1 needle=$2 place=$3 field=$4 value=$5
    shift 5
    cp good.onyx "$name.onyx"
    $PATCH "$name.onyx" "$place" "$field" "$value" || {
        fail "malformed/$name" "patch failed"; return; }
    expect_error "malformed/$name" "$needle" "$ONYX" run "$@" "$name.onyx"
}

# ---- files that are not images ------------------------------------------
expect_error malformed/missing-file "No such file" "$ONYX" run nothing.onyx
: > empty.onyx
expect_error malformed/empty-file "empty file" "$ONYX" run empty.onyx
head -c 4096 /dev/urandom > random.onyx
expect_error malformed/random-bytes "not an onyx image" \
    "$ONYX" run random.onyx
expect_error malformed/elf-not-image "not an onyx image" \
    "$ONYX" run app.elf
mkdir -p dir.onyx
expect_error malformed/directory "not a regular file" "$ONYX" run dir.onyx
size=$(stat -c %s good.onyx)
head -c $((size - 17)) good.onyx > truncated.onyx
expect_error malformed/truncated "not an onyx image" \
    "$ONYX" run truncated.onyx
head -c $((size / 2)) good.onyx > half.onyx
expect_error malformed/half-image "not an onyx image" "$ONYX" run half.onyx
{ head -c $((size - 64)) good.onyx; printf 'X'; tail -c 63 good.onyx; } \
    > badmagic.onyx
expect_error malformed/bad-trailer-magic "ONYXIMG" "$ONYX" run badmagic.onyx

# ---- trailer and section table ------------------------------------------
corrupt table-outside "outside the file" trailer table_offset $((size * 2))
corrupt table-wraps "outside the file" trailer table_offset 0xfffffffffffffff0
corrupt section-count-absurd "section count" trailer section_count 100000
corrupt section-count-zero "section count" trailer section_count 0
corrupt kernel-size-huge "kernel size" trailer kernel_size $((size * 4))
corrupt abi-version "ABI version" trailer abi_version 99
corrupt format-version "format version" trailer version 7
corrupt section-outside "lies outside" section:1 offset $((size * 8))
corrupt section-size-huge "lies outside" section:1 size 0x7fffffffffffffff
corrupt section-in-kernel "lies outside" section:5 offset 64
corrupt section-unknown-type "unknown" section:5 type 99

# ---- the kernel ELF -------------------------------------------------------
corrupt kernel-aarch64 "image kernel: ELF machine is aarch64" \
    kernel e_machine 183
corrupt kernel-phdrs-outside "image kernel: ELF program headers" \
    kernel e_phoff 0x7ffffffffff0

# ---- the app ELF ---------------------------------------------------------
corrupt app-aarch64 "image app: ELF machine is aarch64" app e_machine 183
corrupt app-static-pie "static-pie is not supported yet" app e_type 3
corrupt app-dynamic "dynamically linked" app-phdr-type x 3
corrupt app-phdrs-outside "program headers" app e_phoff 0x10000000
corrupt app-phnum-absurd "program headers" app e_phnum 5000
corrupt app-filesz-gt-memsz "p_filesz" app-load:3 p_filesz 0x100000
corrupt app-memsz-absurd "absurd" app-load:3 p_memsz 0x10000000000000
corrupt app-segment-file-outside "outside the file" \
    app-load:1 p_offset 0x7fffffff0000
corrupt app-in-kernel-window "overlaps the kernel window" \
    app-load:3 p_vaddr 0x7f100000
corrupt app-in-upper-half "upper half" \
    app-load:3 p_vaddr 0xffffffff80100000
corrupt app-in-direct-map "direct map" \
    app-load:3 p_vaddr 0x7f8000000000
corrupt app-into-mmap-area "mmap area" app-load:3 p_vaddr 0x7f0000000000
corrupt app-page-zero "page 0" app-load:0 p_vaddr 0
corrupt app-overlap "overlap" app-load:1 p_vaddr 0x400100
corrupt app-entry-outside "entry point" app e_entry 0x12345678
if have_kvm malformed/app-bigger-than-memory; then
    corrupt app-bigger-than-memory "too small for the app" \
        app-load:3 p_memsz 0x40000000 --mem 8M
fi

# ---- inspect refuses the same files ---------------------------------------
expect_error malformed/inspect-random "not an onyx image" \
    "$ONYX" inspect random.onyx
expect_error malformed/inspect-table "outside the file" \
    "$ONYX" inspect table-outside.onyx

# ---- bad command lines -----------------------------------------------------
expect_error cli/no-command "missing command" "$ONYX"
expect_error cli/unknown-command "unknown command" "$ONYX" frobnicate
expect_error cli/unknown-option "unknown option '--bogus'" \
    "$ONYX" run --bogus good.onyx
expect_error cli/unknown-short-option "unknown option '-z'" \
    "$ONYX" run -z good.onyx
expect_error cli/no-image "expected an IMAGE" "$ONYX" run
expect_error cli/extra-argument "unexpected argument 'x'" \
    "$ONYX" run good.onyx x
expect_error cli/mem-missing-value "needs a value" "$ONYX" run good.onyx --mem
expect_error cli/mem-garbage "--mem 'lots'" "$ONYX" run --mem lots good.onyx
expect_error cli/mem-too-small "--mem '1M'" "$ONYX" run --mem 1M good.onyx
expect_error cli/mem-too-big "--mem '65G'" "$ONYX" run --mem 65G good.onyx
expect_error cli/mem-negative "--mem '-4M'" "$ONYX" run --mem -4M good.onyx
for p in 80 0:80 70000:80 80:0 a:b x:80:80 1.2.3:80:80 :80 80: 1.2.3.4:5:6:7; do
    expect_error "cli/publish-bad-$p" "-p '$p'" "$ONYX" run -p "$p" good.onyx
done
expect_error cli/net-unknown "--net 'wifi'" "$ONYX" run --net wifi good.onyx
expect_error cli/net-tap-empty "--net 'tap:'" "$ONYX" run --net tap: good.onyx
expect_error cli/tap-needs-ip "needs --ip" "$ONYX" run --net tap:x good.onyx
expect_error cli/ip-needs-tap "for --net tap" \
    "$ONYX" run --ip 10.0.0.2/24 good.onyx
expect_error cli/ip-bad "--ip '10.0.0.2'" \
    "$ONYX" run --net tap:x --ip 10.0.0.2 good.onyx
expect_error cli/ip-bad-prefix "--ip '10.0.0.2/33'" \
    "$ONYX" run --net tap:x --ip 10.0.0.2/33 good.onyx
expect_error cli/gw-bad "--gw 'gateway'" \
    "$ONYX" run --net tap:x --ip 10.0.0.2/24 --gw gateway good.onyx
expect_error cli/publish-with-tap "-p needs --net user" \
    "$ONYX" run --net tap:x --ip 10.0.0.2/24 -p 80:80 good.onyx
expect_error cli/publish-with-none "-p needs --net user" \
    "$ONYX" run --net none -p 80:80 good.onyx
expect_error cli/env-bad "-e 'NOEQUALS'" "$ONYX" run -e NOEQUALS good.onyx
for opt in disk syslog gdb profile core; do
    expect_error "cli/later-$opt" "--$opt is not supported yet" \
        "$ONYX" run "--$opt" x good.onyx
done
expect_error cli/inspect-two "exactly one IMAGE" \
    "$ONYX" inspect good.onyx good.onyx

# ---- onyx build refuses bad input and leaves nothing behind ----------------
before=$(ls /tmp | grep -c '^onyx-build-')
expect_error build/no-input "no input" "$ONYX" build
expect_error build/missing-source "nope.c: No such file" "$ONYX" build nope.c
printf 'int main(void) { return oops; }\n' > broken.c
expect_error build/compile-error "compiling broken.c failed" \
    "$ONYX" build broken.c
if [ -e broken.onyx ]; then fail build/no-output-on-error "broken.onyx left"
else ok build/no-output-on-error; fi
printf 'hello' > notes.txt
expect_error build/not-c-or-elf "neither a C source" "$ONYX" build notes.txt
dyn=$(type -P true)
expect_error build/dynamic-elf "dynamically linked" "$ONYX" build "$dyn"
gcc -static-pie -O2 -o pie.elf app.c 2> /dev/null &&
    expect_error build/static-pie "not supported yet" "$ONYX" build pie.elf
expect_error build/elf-plus-source "give it alone" \
    "$ONYX" build app.elf app.c
expect_error build/env-bad "--env 'X'" "$ONYX" build --env X app.c
expect_error build/mem-bad "--mem '2M'" "$ONYX" build --mem 2M app.c
expect_error build/name-slash "--name 'a/b'" "$ONYX" build --name a/b app.c
mkdir -p fs && ln -sf /etc/passwd fs/passwd
expect_error build/rootfs-escape "points outside" \
    "$ONYX" build --rootfs fs -o fs.onyx app.c
if [ -e fs.onyx ]; then fail build/rootfs-no-output "fs.onyx left"
else ok build/rootfs-no-output; fi
expect_error build/output-dir-missing "cannot create" \
    "$ONYX" build -o /nonexistent/x.onyx app.c
cp app.c keep.c
expect_error build/output-is-input "refusing to overwrite" \
    "$ONYX" build -o keep.c keep.c
cmp -s app.c keep.c && ok build/output-is-input-kept ||
    fail build/output-is-input-kept "the source was overwritten"
if [ -r /dev/kvm ]; then
    expect_error run/args-too-big "the limit is 512 KiB" \
        "$ONYX" run --mem 4M good.onyx -- $(seq 100000)
    expect_error run/tap-missing "no such network interface" \
        "$ONYX" run --net tap:onyxnosuch0 --ip 10.9.9.2/24 good.onyx
else
    skip run/tap-missing "no usable /dev/kvm on this machine"
fi
after=$(ls /tmp | grep -c '^onyx-build-')
if [ "$after" -le "$before" ]; then ok build/no-temp-files-left
else
    fail build/no-temp-files-left "$((after - before)) /tmp/onyx-build-* left"
fi
if ls ./*.tmp-* > /dev/null 2>&1; then
    fail build/no-partial-images "$(ls ./*.tmp-*)"
else
    ok build/no-partial-images
fi
finish
