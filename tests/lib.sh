# Onyx test helpers, sourced by every tests/**/test.sh and host test.
# Each check prints one line: "ok NAME", "not ok NAME: why" or
# "skip NAME: why"; tests/run.sh counts them.

ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ONYX=${ONYX:-$ROOT/build/onyx}
# Per-test scratch folder; run.sh keeps it when the test failed.
T=${T:-$(mktemp -d /tmp/onyx-test.XXXXXX)}
RUN_TIMEOUT=${RUN_TIMEOUT:-60}
failures=0

ok() { printf 'ok %s\n' "$1"; }
fail() {
    printf 'not ok %s: %s\n' "$1" "$2"
    failures=$((failures + 1))
}
skip() { printf 'skip %s: %s\n' "$1" "$2"; }

# True when KVM is usable; otherwise prints a skip line for $1.
have_kvm() {
    if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
        return 0
    fi
    skip "$1" "no usable /dev/kvm on this machine"
    return 1
}

# build_image OUT.onyx ARGS... : onyx build; logs in $T/build.log.
build_image() {
    local out=$1
    shift
    "$ONYX" build -o "$out" "$@" > "$T/build.log" 2>&1
}

# run_image ARGS... : onyx run with a timeout. Sets STATUS; stdout in
# $T/out, stderr in $T/err.
run_image() {
    timeout -k 5 "$RUN_TIMEOUT" "$ONYX" run "$@" > "$T/out" 2> "$T/err"
    STATUS=$?
}

# Native reference: compiles SOURCES with musl-gcc -static into $T/native.
build_native() {
    musl-gcc -static -O2 -o "$T/native" "$@" > "$T/native-build.log" 2>&1
}

# expect_status NAME WANT
expect_status() {
    if [ "$STATUS" = "$2" ]; then
        ok "$1"
    else
        fail "$1" "exit status $STATUS, want $2 (stderr: $(tail -c 300 "$T/err" | tr '\n' ' '))"
    fi
}

# expect_same NAME FILE-GOT FILE-WANT
expect_same() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        fail "$1" "output differs: $(diff "$3" "$2" | head -5 | tr '\n' ' ')"
    fi
}

# A free TCP port on loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Kernel log lines carry the "[onyx]" tag; app output does not.
app_lines() { grep -v '^\[onyx\]' "$1"; }

# ab_check NAME N AB-ARGS... : ab must complete N requests, none failed
# and none answered with a non-2xx status. Prints its req/s as a comment.
ab_check() {
    local name=$1 want=$2 out
    shift 2
    out="$T/$(basename "$name").ab"
    ab -q -r -s 20 "$@" > "$out" 2>&1
    local complete failed non2xx
    complete=$(awk '/^Complete requests:/ { print $3 }' "$out")
    failed=$(awk '/^Failed requests:/ { print $3 }' "$out")
    non2xx=$(awk '/^Non-2xx responses:/ { print $3 }' "$out")
    if [ "$complete" = "$want" ] && [ "$failed" = 0 ] && [ -z "$non2xx" ]; then
        ok "$name"
        grep -E '^Requests per second' "$out" | sed 's/^/# /'
    else
        fail "$name" "complete=$complete failed=$failed non2xx=$non2xx $(grep -iE 'error|fail' "$out" | head -3 | tr '\n' ' ')"
    fi
}

# same_as_native NAME SOURCE.c : builds SOURCE natively and as an image,
# runs both without arguments, and expects exit 0 and the same stdout
# (kernel log lines left out).
same_as_native() {
    local name=$1 src=$2
    build_native "$src" || { fail "$name/native" "$(cat "$T/native-build.log")"; return; }
    "$T/native" > "$T/want"
    build_image "$T/$name.onyx" "$src" ||
        { fail "$name/build" "$(tail -3 "$T/build.log")"; return; }
    run_image "$T/$name.onyx"
    expect_status "$name/status" 0
    app_lines "$T/out" > "$T/got"
    expect_same "$name/output" "$T/got" "$T/want"
}

finish() { exit $((failures > 0)); }
