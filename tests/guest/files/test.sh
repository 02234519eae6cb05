# The writable /tmp, sendfile, locks, /proc and process calls, compared with a
# native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm files || finish
src="$ROOT/tests/guest/files/main.c"
build_native "$src" || { fail files/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want"
build_image "$T/files.onyx" "$src" ||
    { fail files/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/files.onyx"
expect_status files/status 0
app_lines "$T/out" > "$T/got"
expect_same files/output "$T/got" "$T/want"
finish
