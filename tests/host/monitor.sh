# SPDX-License-Identifier: MIT
# Host test: the monitor against a probe kernel (tests/host/testkernel)
# that checks the boot contract or misbehaves on purpose: boot info and
# page tables, clocks, console streams, crash reports, hostile
# hypercalls and rings, unexpected exits, stop signals, user networking
# and -p forwarding, tap. Independent of the real guest kernel.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib.sh"
have_kvm monitor || finish
cd "$T" || exit 1
KDIR=$ROOT/tests/host/testkernel

# ---- a monitor with the probe kernel inside ------------------------------
objs=$(ls "$ROOT"/build/host/*.o 2> /dev/null | grep -v kernel_blob)
if [ -z "$objs" ]; then
    fail monitor/setup "no build/host objects: run make first"
    finish
fi
KFLAGS="-std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mcmodel=small
    -mno-red-zone -mgeneral-regs-only -fno-stack-protector
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -Wall -Wextra
    -Werror -I$ROOT/include"
# shellcheck disable=SC2086
if gcc $KFLAGS -c "$KDIR/probe.c" -o probe.o 2> setup.log &&
    gcc $KFLAGS -c "$KDIR/entry.S" -o entry.o 2>> setup.log &&
    ld -nostdlib -static -z max-page-size=4096 -z noexecstack \
        -T "$KDIR/kernel.ld" -o probe.elf entry.o probe.o 2>> setup.log &&
    gcc -c -DKERNEL_PATH="\"$T/probe.elf\"" "$ROOT/host/kernel_blob.S" \
        -o blob.o 2>> setup.log &&
    gcc -pie -o onyx-probe $objs blob.o -lslirp 2>> setup.log; then
    ok monitor/setup
else
    fail monitor/setup "$(tail -5 setup.log)"
    finish
fi
ONYX=$T/onyx-probe
printf 'int main(void) { return 0; }\n' > app.c
"$ONYX" build -o p.onyx --env FOO=bar app.c > build.log 2>&1 ||
    { fail monitor/build "$(tail -3 build.log)"; finish; }
RUN_TIMEOUT=20

has() { grep -qF -- "$2" "$1"; }

# expect_crash NAME NEEDLE RUN-ARGS... : exit 139, NEEDLE and a register
# dump on stderr.
expect_crash() {
    local name=$1 needle=$2
    shift 2
    run_image "$@"
    if [ "$STATUS" != 139 ]; then
        fail "$name" "exit $STATUS, want 139: $(head -c 300 "$T/err")"
    elif ! has "$T/err" "$needle" || ! has "$T/err" "rip    0x"; then
        fail "$name" "no '$needle' or registers: $(head -c 300 "$T/err")"
    else
        ok "$name"
    fi
}

# ---- boot contract ---------------------------------------------------------
run_image p.onyx -- hello
expect_status monitor/hello-status 0
has "$T/out" "probe: hello" && ok monitor/hello-output ||
    fail monitor/hello-output "$(head -c 200 "$T/out")"
[ -s "$T/err" ] && fail monitor/hello-quiet "$(head -c 200 "$T/err")" ||
    ok monitor/hello-quiet
run_image p.onyx -- exit 42
expect_status monitor/exit-status 42
run_image p.onyx -- exit 300
expect_status monitor/exit-status-low-8-bits 44

run_image -e FOO=baz -e NEW=1 p.onyx -- bootinfo x
expect_status monitor/bootinfo-status 0
if grep -q BAD "$T/out"; then
    fail monitor/bootinfo-checks "$(grep BAD "$T/out" | tr '\n' ' ')"
else
    ok monitor/bootinfo-checks
fi
for want in "argc=3" "arg: app" "arg: bootinfo" "arg: x" "envc=2" \
    "env0: FOO=baz" "name: app" "mem=67108864" "net_present=0" \
    "wx-kernel-text: ok" "wx-app-entry: ok" "page0-unmapped: ok" \
    "free-is-zero: ok" "hypercall-page: ok" "user-bit: ok"; do
    has "$T/out" "$want" && ok "monitor/bootinfo-has-$want" ||
        fail "monitor/bootinfo-has-$want" "not in output"
done
"$ONYX" build -o defaults.onyx app.c -- bootinfo default-arg > build.log 2>&1
run_image defaults.onyx
has "$T/out" "arg: default-arg" && ok monitor/default-args ||
    fail monitor/default-args "$(grep arg "$T/out" | tr '\n' ' ')"
run_image --mem 5M p.onyx -- bootinfo
has "$T/out" "mem=6291456" && has "$T/err" "rounded up to 6M" &&
    ok monitor/mem-rounded || fail monitor/mem-rounded "$(head -c 200 "$T/err")"
"$ONYX" build -o mem.onyx --mem 32M app.c > build.log 2>&1
run_image mem.onyx -- bootinfo
has "$T/out" "mem=33554432" && ok monitor/image-default-mem ||
    fail monitor/image-default-mem "$(grep mem= "$T/out")"
run_image --mem 4M p.onyx -- bootinfo
expect_status monitor/smallest-mem 0
run_image --net user p.onyx -- bootinfo
has "$T/out" "net_present=1" && has "$T/out" "rings-page-aligned: ok" &&
    ok monitor/net-boot-info ||
    fail monitor/net-boot-info "$(grep net "$T/out")"

run_image p.onyx -- clock
expect_status monitor/clock-status 0
grep -q BAD "$T/out" && fail monitor/clock "$(grep BAD "$T/out")" ||
    ok monitor/clock

# ---- hypercalls through MMIO, and from ring 3 ------------------------------
run_image p.onyx -- mmio-hello
expect_status monitor/mmio-hypercalls 7
has "$T/out" "hello through mmio" && ok monitor/mmio-console ||
    fail monitor/mmio-console "$(head -c 200 "$T/out") $(head -c 200 "$T/err")"
run_image p.onyx -- user 1000000 100
expect_status monitor/ring3-status 0
has "$T/out" "back from user code" && ok monitor/ring3-hypercalls ||
    fail monitor/ring3-hypercalls "$(head -c 300 "$T/out" "$T/err")"
has "$T/out" "tsc-matches-clock: ok" && ok monitor/ring3-tsc-is-clock-tsc ||
    fail monitor/ring3-tsc-is-clock-tsc "$(grep tsc "$T/out" | tr '\n' ' ')"
if has "$T/out" "xcr0: no xsave" || { has "$T/out" "xcr0-matches: ok" &&
    has "$T/out" "xsave/xrstor in ring 3: ok"; }; then
    ok monitor/ring3-xcr0-is-boot-info-xcr0
else
    fail monitor/ring3-xcr0-is-boot-info-xcr0 "$(grep -i xcr0 "$T/out")"
fi

# ---- console -----------------------------------------------------------------
run_image p.onyx -- streams
printf 'to stdout\n' > want
expect_same monitor/stdout-only-app "$T/out" want
has "$T/err" "to stderr" && has "$T/err" "[onyx] kernel line" &&
    ok monitor/stderr-and-kernel ||
    fail monitor/stderr-and-kernel "$(cat "$T/err")"
run_image p.onyx -- big
[ "$(wc -c < "$T/out")" = 65536 ] && ok monitor/console-64k ||
    fail monitor/console-64k "$(wc -c < "$T/out") bytes"
timeout 10 "$ONYX" run p.onyx -- big | head -c 1 > /dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] && ok monitor/stdout-closed-pipe ||
    fail monitor/stdout-closed-pipe "exit $rc"

# ---- crash reports and hostile guests -------------------------------------
expect_crash monitor/crash-report "guest crashed: probe: page \\x01 fault" \
    p.onyx -- crash
for want in "#PF page fault" "not-present write" \
    "probe_crash_site+0x5 [kernel]" "_start+0x0 [app]" \
    "cr2    0x00000000deadbeef" "backtrace:"; do
    has "$T/err" "$want" && ok "monitor/crash-has-$want" ||
        fail "monitor/crash-has-$want" "not in report"
done
expect_crash monitor/hostile-console-buffer "bad buffer" \
    p.onyx -- hostile console-buf
expect_crash monitor/hostile-console-length "bad buffer" \
    p.onyx -- hostile console-len
expect_crash monitor/hostile-console-stream "stream 9" \
    p.onyx -- hostile console-stream
expect_crash monitor/hostile-argument-address "outside guest memory" \
    p.onyx -- hostile arg-gpa
expect_crash monitor/hostile-hypercall-zero "no hypercall" \
    p.onyx -- hostile hc-zero
expect_crash monitor/hostile-hypercall-unknown "no hypercall" \
    p.onyx -- hostile hc-unknown
expect_crash monitor/hostile-port-read "read from port 0x501" \
    p.onyx -- hostile in-port
expect_crash monitor/hostile-port-byte "size 1" p.onyx -- hostile byte-port
expect_crash monitor/triple-fault "triple fault" \
    p.onyx -- hostile triple-fault
expect_crash monitor/hlt "halted" p.onyx -- hostile hlt
expect_crash monitor/mmio "unbacked physical address 0x4000000" \
    p.onyx -- hostile mmio
expect_crash monitor/hostile-mmio-read \
    "read unbacked physical address 0x1000000008 (8 bytes), which is no" \
    p.onyx -- hostile mmio-read
expect_crash monitor/hostile-mmio-narrow "(4 bytes), which is no hypercall" \
    p.onyx -- hostile mmio-narrow
expect_crash monitor/hostile-mmio-high-argument "above 4 GiB" \
    p.onyx -- hostile mmio-high-arg
expect_crash monitor/hostile-mmio-unknown "which is no hypercall" \
    p.onyx -- hostile mmio-unknown
expect_crash monitor/hostile-tx-head "TX ring head" \
    --net user p.onyx -- hostile ring-tx-head
expect_crash monitor/hostile-tx-length "claims 2147483647 bytes" \
    --net user p.onyx -- hostile ring-tx-len
expect_crash monitor/hostile-rx-tail "RX ring tail 77" \
    --net user p.onyx -- hostile ring-rx-tail

# ---- stop signals ------------------------------------------------------------
# stop_test NAME SIGNAL WANT RUN-ARGS... : starts the guest, waits for
# its first line, sends SIGNAL, expects exit WANT within 8 s. SIGNAL
# "TERM,INT" sends both, 0.2 s apart. The first signal is only passed to
# the guest (which the probe ignores), so single-signal runs use
# --stop-timeout 0.
stop_test() {
    local name=$1 sigs=$2 want=$3 pid i rc sig
    shift 3
    "$ONYX" run "$@" > sig.out 2> sig.err &
    pid=$!
    # Generous waits: a loaded machine (CI) can be slow to boot.
    for i in $(seq 400); do
        [ -s sig.out ] && break
        sleep 0.05
    done
    for sig in ${sigs//,/ }; do
        kill -s "$sig" "$pid"
        sleep 0.2
    done
    for i in $(seq 160); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.05
    done
    if kill -0 "$pid" 2> /dev/null; then
        kill -9 "$pid"
        fail "$name" "still running 8 s after SIG$sig"
        return
    fi
    wait "$pid"
    rc=$?
    [ "$rc" = "$want" ] && ok "$name" || fail "$name" "exit $rc, want $want"
}
stop_test monitor/sigint-running-guest INT 130 --stop-timeout 0 p.onyx -- spin
stop_test monitor/sigterm-running-guest TERM 143 --stop-timeout 0 \
    p.onyx -- spin
stop_test monitor/sigterm-waiting-guest TERM 143 --stop-timeout 0 \
    p.onyx -- wait
stop_test monitor/second-signal-running-guest TERM,INT 130 p.onyx -- spin
port=$(free_port)
stop_test monitor/sigint-with-forward INT 130 --stop-timeout 0 \
    -p "127.0.0.1:$port:80" p.onyx -- wait
if python3 -c "import socket; socket.socket().bind(('127.0.0.1', $port))" \
    2> /dev/null; then
    ok monitor/forward-port-released
else
    fail monitor/forward-port-released "port $port still bound"
fi

# ---- user networking (libslirp) ----------------------------------------------
run_image --net user p.onyx -- arp
expect_status monitor/slirp-arp 0
port=$(free_port)
"$ONYX" run -p "127.0.0.1:$port:8080" p.onyx -- listen > fwd.out 2> fwd.err &
pid=$!
for i in $(seq 100); do
    [ -s fwd.out ] && break
    sleep 0.05
done
python3 - "$port" << 'PY' 2> /dev/null
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
time.sleep(2)
PY
wait "$pid"
rc=$?
if [ "$rc" = 0 ] && has fwd.out "tcp syn to port=8080"; then
    ok monitor/forward-reaches-guest
else
    fail monitor/forward-reaches-guest \
        "exit $rc: $(cat fwd.out fwd.err | head -c 300)"
fi
port=$(free_port)
python3 -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $port)); s.listen()
print('bound', flush=True); time.sleep(5)
" > holder.out &
holder=$!
for i in $(seq 100); do
    [ -s holder.out ] && break
    sleep 0.05
done
run_image -p "127.0.0.1:$port:80" p.onyx -- hello
kill "$holder" 2> /dev/null
wait "$holder" 2> /dev/null
if [ "$STATUS" = 125 ] && has "$T/err" "cannot listen on 127.0.0.1:$port"; then
    ok monitor/forward-port-busy
else
    fail monitor/forward-port-busy "exit $STATUS: $(head -c 200 "$T/err")"
fi

# ---- tap --------------------------------------------------------------------
TAP=onyxprobe0
if [ "$(id -u)" != 0 ] || ! ip tuntap add "$TAP" mode tap 2> /dev/null; then
    skip monitor/tap-arp "cannot create a tap device here (needs root)"
else
    ip addr add 172.31.250.1/24 dev "$TAP" && ip link set "$TAP" up
    run_image --net "tap:$TAP" --ip 172.31.250.2/24 --gw 172.31.250.1 \
        p.onyx -- arp
    expect_status monitor/tap-arp 0
    ip link del "$TAP"
fi
run_image --net tap:onyx-no-such-device-name-too-long --ip 10.9.9.2/24 \
    p.onyx -- hello
[ "$STATUS" = 125 ] && has "$T/err" "interface name too long" &&
    ok monitor/tap-bad-name ||
    fail monitor/tap-bad-name "$STATUS $(cat "$T/err")"
finish
