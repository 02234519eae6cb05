# Socket semantics: main.c over loopback in one thread (TCP and UDP
# readiness, errors, options, shutdown, reset, 1 MiB bulk, 3000 fresh
# connections), threads.c with calls blocking across threads. Each check's
# result on Onyx must equal the same program's result on Linux.
. "$ROOT/tests/lib.sh"
have_kvm sockets || finish

# compare PROGRAM: runs it natively and on Onyx, one result per check.
compare() {
    local prog=$1 src="$ROOT/tests/guest/sockets/$1.c"
    if ! musl-gcc -static -O2 -o "$T/$prog-native" "$src" -lpthread \
        > "$T/$prog-native.log" 2>&1; then
        fail "sockets/$prog-native" "$(head -c 300 "$T/$prog-native.log")"
        return
    fi
    "$T/$prog-native" > "$T/$prog-want" 2> "$T/$prog-want-err" ||
        { fail "sockets/$prog-native-run" "$(head -c 300 "$T/$prog-want-err")"; return; }
    build_image "$T/$prog.onyx" "$src" ||
        { fail "sockets/$prog-build" "$(tail -3 "$T/build.log")"; return; }
    run_image "$T/$prog.onyx"
    cp "$T/out" "$T/$prog-out"
    cp "$T/err" "$T/$prog-err"
    expect_status "sockets/$prog-status" 0
    while IFS= read -r line; do
        name=$(printf %s "${line%%: *}" | tr " " -)
        if grep -F -x -q -- "$line" "$T/$prog-out"; then
            ok "sockets/$prog/$name"
        else
            fail "sockets/$prog/$name" "want '$line', got '$(grep -F -m1 -- "${line%%: *}: " "$T/$prog-out")'"
        fi
    done < "$T/$prog-want"
}

compare main
compare threads
finish
