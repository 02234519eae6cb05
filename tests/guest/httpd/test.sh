# The example service on KVM behind user-mode networking: curl, ab with
# keep-alive and fresh connections, 10 MiB up/down with matching SHA-256,
# request logs, graceful stop on SIGTERM (the app's handler runs).
. "$ROOT/tests/lib.sh"
have_kvm httpd || finish
image="$ROOT/build/examples/httpd.onyx"
[ -f "$image" ] || { fail httpd/image "missing $image (make examples)"; finish; }
port=$(free_port)
url="http://127.0.0.1:$port"
timeout -k 5 600 "$ONYX" run -p "$port:8080" "$image" > "$T/out" 2> "$T/err" &
pid=$!
# $pid is timeout(1), which passes TERM on to onyx; KILL would orphan it.
cleanup() {
    kill -TERM "$pid" 2>/dev/null
    kill -KILL "${npid:-}" 2>/dev/null
    wait "$pid" 2>/dev/null
}
trap cleanup EXIT

up=0
for _ in $(seq 1 100); do
    if curl -sf -m 2 "$url/health" > "$T/health" 2>/dev/null; then
        up=1; break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$up" = 1 ] && grep -q '"status":"ok"' "$T/health"; then
    ok httpd/health
else
    fail httpd/health "no answer on $url/health: $(tail -c 400 "$T/err")"
    finish
fi

curl -sf -m 5 "$url/" > "$T/index" && cmp -s "$T/index" "$ROOT/examples/httpd/rootfs/index.html" &&
    ok httpd/rootfs-file || fail httpd/rootfs-file "index differs or failed"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$url/no-such-file")
[ "$code" = 404 ] && ok httpd/404 || fail httpd/404 "got $code"
hl=$(curl -sI -m 5 "$url/index.html" | tr -d '\r' | grep -i '^content-length:' | awk '{print $2}')
[ "$hl" = "$(stat -c %s "$ROOT/examples/httpd/rootfs/index.html")" ] &&
    ok httpd/head || fail httpd/head "HEAD content-length '$hl'"

ab_check httpd/keepalive-1000 1000 -n 1000 -c 10 -k "$url/health"
ab_check httpd/fresh-1000 1000 -n 1000 -c 10 "$url/index.html"
# A burst of 100 concurrent connects must not overflow the host listener.
ab_check httpd/fresh-c100-1000 1000 -n 1000 -c 100 "$url/index.html"

head -c $((10 * 1024 * 1024)) /dev/urandom > "$T/blob"
want=$(sha256sum < "$T/blob" | cut -d' ' -f1)
got=$(curl -sf -m 60 --data-binary @"$T/blob" "$url/sha256" | tr -d '\n')
[ "$got" = "$want" ] && ok httpd/upload-10MiB-sha256 || fail httpd/upload-10MiB-sha256 "got '$got' want '$want'"
got=$(curl -sf -m 60 --data-binary @"$T/blob" "$url/echo" | sha256sum | cut -d' ' -f1)
[ "$got" = "$want" ] && ok httpd/echo-10MiB || fail httpd/echo-10MiB "sha mismatch $got"

# Download: the same endpoint of the same program run natively.
if gcc -O2 -o "$T/httpd-native" "$ROOT/examples/httpd/httpd.c" "$ROOT/examples/httpd/sha256.c" 2> "$T/native.log"; then
    nport=$(free_port)
    "$T/httpd-native" --port "$nport" --quiet > /dev/null 2>&1 &
    npid=$!
    sleep 0.3
    want=$(curl -sf -m 30 "http://127.0.0.1:$nport/bytes/10485760" | sha256sum | cut -d' ' -f1)
    got=$(curl -sf -m 60 "$url/bytes/10485760" | sha256sum | cut -d' ' -f1)
    kill "$npid" 2>/dev/null
    [ -n "$want" ] && [ "$got" = "$want" ] && ok httpd/download-10MiB-sha256 ||
        fail httpd/download-10MiB-sha256 "guest $got native $want"
else
    fail httpd/native-build "$(cat "$T/native.log")"
fi

grep -q '"GET /health" 200' "$T/out" && ok httpd/request-log ||
    fail httpd/request-log "no request lines on stdout"

kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    fail httpd/sigterm-graceful "still running 5 s after SIGTERM"
else
    wait "$pid"
    rc=$?
    [ "$rc" = 0 ] && ok httpd/sigterm-graceful ||
        fail httpd/sigterm-graceful "exit status $rc, want 0"
fi
grep -q '^httpd: stopping after [0-9]* requests' "$T/out" &&
    ok httpd/stopping-line ||
    fail httpd/stopping-line "no 'httpd: stopping after N requests' line"

if curl -s -m 2 "$url/health" > /dev/null 2>&1; then
    fail httpd/port-released "port $port still answers after stop"
else
    ok httpd/port-released
fi
finish
