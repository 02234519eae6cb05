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

# A client reconnecting from the same port while the guest still holds
# the previous connection in TIME-WAIT gets a new connection, as on Linux.
if build_image "$T/tw_reuse.onyx" "$ROOT/tests/guest/sockets/tw_reuse.c"; then
    port=$(free_port)
    cport=$(free_port)
    # Four connections: the readiness probe, then three from one port.
    timeout -k 5 60 "$ONYX" run -p "$port:7000" "$T/tw_reuse.onyx" -- 4 \
        > "$T/tw-out" 2> "$T/tw-err" &
    pid=$!
    python3 - "$port" "$cport" > "$T/tw-client" 2>&1 <<'PY'
import socket, sys, time
port, cport = int(sys.argv[1]), int(sys.argv[2])
for attempt in range(50):  # wait for the guest to listen
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        break
    except OSError:
        time.sleep(0.1)
for i in range(3):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", cport))
    s.settimeout(10)  # slirp itself may hold a reused port a few seconds
    try:
        s.connect(("127.0.0.1", port))
        print("try", i, s.recv(10).decode())
    except OSError as e:
        print("try", i, "failed:", e)
    s.close()
    time.sleep(0.05)
PY
    wait "$pid"
    n=$(grep -c '^try [0-9] hi$' "$T/tw-client")
    reused=$(grep -c "^peer port $cport\$" "$T/tw-out")
    if [ "$n" = 3 ] && [ "$reused" = 3 ]; then
        ok sockets/time-wait-reuse
    else
        fail sockets/time-wait-reuse "$(tr '\n' ' ' < "$T/tw-client") guest saw $reused from port $cport"
    fi
else
    fail sockets/tw_reuse-build "$(tail -3 "$T/build.log")"
fi
finish
