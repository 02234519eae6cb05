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
finish
