# Signal handlers, siginfo, masks, sigaltstack, nested signals and
# SA_RESTART against EINTR, compared with a native run of the same program;
# then SIGINT/SIGTERM sent to `onyx run`: passed to an app's handler, the
# default action without one, a second signal or --stop-timeout stops it.
. "$ROOT/tests/lib.sh"
have_kvm signals || finish
src="$ROOT/tests/guest/signals/main.c"
build_native "$src" || { fail signals/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want"
want_rc=$?
build_image "$T/signals.onyx" "$src" ||
    { fail signals/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/signals.onyx"
expect_status signals/status "$want_rc"
app_lines "$T/out" > "$T/got"
expect_same signals/output "$T/got" "$T/want"

stop_src="$ROOT/tests/guest/signals/stop.c"
build_image "$T/stop.onyx" "$stop_src" ||
    { fail signals/stop-build "$(tail -3 "$T/build.log")"; finish; }

# start_stop NAME MODE [RUN OPTIONS]: boots stop.onyx in the background
# and waits for its ready line; sets spid.
start_stop() {
    local name=$1 mode=$2
    shift 2
    "$ONYX" run "$@" "$T/stop.onyx" -- "$mode" > "$T/$name.out" \
        2> "$T/$name.err" &
    spid=$!
    for _ in $(seq 1 100); do
        grep -q 'stop: ready' "$T/$name.out" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# wait_stop NAME SECONDS: waits for spid to end; sets STATUS (or 999).
wait_stop() {
    local i
    for i in $(seq 1 $(($2 * 20))); do
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$spid" 2>/dev/null; then
        kill -KILL "$spid"
        wait "$spid" 2>/dev/null
        STATUS=999
    else
        wait "$spid"
        STATUS=$?
    fi
    cp "$T/$1.err" "$T/err"
}

# The app's handler runs and it keeps going; the second signal stops it.
start_stop term2 handler || fail signals/term-ready "no ready line"
kill -TERM "$spid"
for _ in $(seq 1 100); do
    grep -q 'got signal 15' "$T/term2.out" && break
    sleep 0.05
done
grep -q 'stop: got signal 15' "$T/term2.out" && kill -0 "$spid" &&
    ok signals/term-reaches-handler ||
    fail signals/term-reaches-handler "$(cat "$T/term2.out" "$T/term2.err")"
kill -TERM "$spid"
wait_stop term2 5
expect_status signals/second-term-stops 143

start_stop int2 handler || fail signals/int-ready "no ready line"
kill -INT "$spid"
for _ in $(seq 1 100); do
    grep -q 'got signal 2' "$T/int2.out" && break
    sleep 0.05
done
grep -q 'stop: got signal 2' "$T/int2.out" &&
    ok signals/int-reaches-handler ||
    fail signals/int-reaches-handler "$(cat "$T/int2.out" "$T/int2.err")"
kill -INT "$spid"
wait_stop int2 5
expect_status signals/second-int-stops 130

# --stop-timeout: a handler that does not exit is stopped after it.
start_stop timeout handler --stop-timeout 1 || fail signals/timeout-ready x
start=$(date +%s%N)
kill -TERM "$spid"
wait_stop timeout 5
ms=$((($(date +%s%N) - start) / 1000000))
expect_status signals/stop-timeout-status 143
[ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ] && ok signals/stop-timeout-time ||
    fail signals/stop-timeout-time "stopped after $ms ms, want about 1000"

# No handler: the default action ends the app at the first signal.
start_stop default default || fail signals/default-ready "no ready line"
kill -TERM "$spid"
wait_stop default 5
expect_status signals/default-term 143
start_stop defint default || fail signals/defint-ready "no ready line"
kill -INT "$spid"
wait_stop defint 5
expect_status signals/default-int 130

# A guest spinning in ring 3 never polls: the timeout still stops it,
# and so does a second signal.
start_stop busy busy --stop-timeout 1 || fail signals/busy-ready x
kill -TERM "$spid"
wait_stop busy 5
expect_status signals/busy-timeout 143
start_stop busy2 busy || fail signals/busy2-ready x
kill -TERM "$spid"
sleep 0.2
kill -INT "$spid"
wait_stop busy2 5
expect_status signals/busy-second-signal 130
finish
