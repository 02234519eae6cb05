# uname, sysinfo, rlimits, prctl, affinity and CPU-time clocks, compared with a
# native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm procenv || finish
src="$ROOT/tests/guest/procenv/main.c"
build_native "$src" || { fail procenv/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want"
build_image "$T/procenv.onyx" "$src" ||
    { fail procenv/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/procenv.onyx"
expect_status procenv/status 0
app_lines "$T/out" > "$T/got"
expect_same procenv/output "$T/got" "$T/want"
finish
