# Socket semantics over loopback (TCP and UDP: readiness, errors, options,
# shutdown, reset, 1 MiB bulk, 3000 fresh connections): each check's
# result on Onyx must equal the same program's result on Linux.
. "$ROOT/tests/lib.sh"
have_kvm sockets || finish
src="$ROOT/tests/guest/sockets/main.c"
build_native "$src" || { fail sockets/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" > "$T/want" 2> "$T/want-err" ||
    { fail sockets/native-run "$(head -c 300 "$T/want-err")"; finish; }
build_image "$T/sockets.onyx" "$src" ||
    { fail sockets/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/sockets.onyx"
expect_status sockets/status 0
# One result line per check, named after it.
while IFS= read -r line; do
    name=$(printf %s "${line%%: *}" | tr " " -)
    got=$(grep -F -x -m1 -- "$line" "$T/out")
    if [ -n "$got" ]; then
        ok "sockets/$name"
    else
        fail "sockets/$name" "want '$line', got '$(grep -F -m1 -- "${line%%: *}: " "$T/out")'"
    fi
done < "$T/want"
finish
