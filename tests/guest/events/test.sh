# Pipes, socket pairs, eventfd, timerfd and epoll, compared with a
# native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm events || finish
src="$ROOT/tests/guest/events/main.c"
build_native "$src" || { fail events/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want"
build_image "$T/events.onyx" "$src" ||
    { fail events/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/events.onyx"
expect_status events/status 0
app_lines "$T/out" > "$T/got"
expect_same events/output "$T/got" "$T/want"
finish
