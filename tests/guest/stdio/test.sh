# stdout/stderr intact versus a native run, incl. the last line.
. "$ROOT/tests/lib.sh"
have_kvm stdio || finish
src="$ROOT/tests/guest/stdio/main.c"
build_native "$src" || { fail stdio/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want-out" 2> "$T/want-err"
build_image "$T/stdio.onyx" "$src" || { fail stdio/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/stdio.onyx"
expect_status stdio/status 0
expect_same stdio/stdout "$T/out" "$T/want-out"
app_lines "$T/err" > "$T/got-err"
expect_same stdio/stderr "$T/got-err" "$T/want-err"

# Broken pipe and full disk on the monitor's stdout reach the app like on
# Linux: SIGPIPE ends it (141); ENOSPC is an error it can see.
spam="$ROOT/tests/guest/stdio/spam.c"
build_native "$spam" || { fail stdio/native-spam "$(cat "$T/native-build.log")"; finish; }
build_image "$T/spam.onyx" "$spam" || { fail stdio/build-spam "$(tail -3 "$T/build.log")"; finish; }
timeout 20 "$T/native" | head -1 > /dev/null
want=${PIPESTATUS[0]}
timeout 20 "$ONYX" run "$T/spam.onyx" 2> "$T/err" | head -1 > /dev/null
got=${PIPESTATUS[0]}
[ "$got" = "$want" ] && ok stdio/broken-pipe-status ||
    fail stdio/broken-pipe-status "onyx run exited $got, native $want"
timeout 20 "$ONYX" run "$T/spam.onyx" > /dev/full 2> "$T/err"
got=$?
if [ "$got" = 3 ] && grep -q 'write failed: No space left on device' "$T/err"; then
    ok stdio/full-disk-enospc
else
    fail stdio/full-disk-enospc "status $got, stderr: $(head -c 200 "$T/err")"
fi
# SIGINT stops a guest whose stdout pipe is full and never read.
mkfifo "$T/fifo"
exec 7<> "$T/fifo"
"$ONYX" run "$T/spam.onyx" > "$T/fifo" 2> /dev/null &
pid=$!
sleep 1
kill -INT "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    fail stdio/sigint-while-stdout-full "still running 5 s after SIGINT"
else
    wait "$pid"
    rc=$?
    [ "$rc" = 130 ] && ok stdio/sigint-while-stdout-full ||
        fail stdio/sigint-while-stdout-full "exit status $rc, want 130"
fi
exec 7>&-
# A write to a pipe or socket pair without a reader: SIGPIPE, like Linux.
sp="$ROOT/tests/guest/stdio/sigpipe.c"
musl-gcc -static -O2 -o "$T/sigpipe-native" "$sp" 2> "$T/native-build.log" ||
    { fail stdio/native-sigpipe "$(cat "$T/native-build.log")"; finish; }
build_image "$T/sigpipe.onyx" "$sp" || { fail stdio/build-sigpipe "$(tail -3 "$T/build.log")"; finish; }
for how in "pipe" "pair" "pipe ign" "pair ign"; do
    # shellcheck disable=SC2086
    want=$("$T/sigpipe-native" $how; echo "status $?")
    # shellcheck disable=SC2086
    run_image "$T/sigpipe.onyx" -- $how
    got=$(cat "$T/out"; echo "status $STATUS")
    [ "$got" = "$want" ] && ok "stdio/sigpipe-${how// /-}" ||
        fail "stdio/sigpipe-${how// /-}" "got '$got', native '$want'"
done
finish
