# Signal handlers, siginfo, masks, sigaltstack, nested signals and
# SA_RESTART against EINTR, compared with a native run of the same program.
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
finish
