# nginx from Debian's source (single process, no daemon) behind user-mode
# networking: curl fetches rootfs files byte for byte, ab with and without
# keep-alive completes every request, the access log reaches stdout.
. "$ROOT/tests/lib.sh"
img="$ROOT/build/apps/nginx.onyx"
nginx="$ROOT/build/apps/bin/nginx"
if [ ! -f "$img" ] || [ ! -x "$nginx" ]; then
    skip apps/nginx "build/apps/nginx.onyx not built (make apps)"
    finish
fi
have_kvm apps/nginx || finish
tree="$T/tree"
cp -r "$ROOT/apps/nginx/rootfs" "$tree"
head -c $((4 * 1024 * 1024)) /dev/urandom > "$tree/html/big.bin"
build_image "$T/nginx.onyx" --rootfs "$tree" "$nginx" -- -c /nginx.conf -p / ||
    { fail apps/nginx/build "$(tail -3 "$T/build.log")"; finish; }
port=$(free_port)
url="http://127.0.0.1:$port"
timeout -k 5 300 "$ONYX" run -p "$port:8080" "$T/nginx.onyx" \
    > "$T/out" 2> "$T/err" &
pid=$!
# SIGTERM: timeout passes it on to onyx run (a SIGKILL would leave the
# monitor running as an orphan).
cleanup() {
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || return
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
}
trap cleanup EXIT

up=0
for _ in $(seq 1 100); do
    if curl -sf -m 2 -o "$T/index" "$url/"; then
        up=1; break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$up" != 1 ]; then
    # nginx needs a writable /tmp (temp folders, pid file) to start.
    fail apps/nginx/start "no answer on $url/: $(tail -c 300 "$T/err")"
    finish
fi
expect_same apps/nginx/index "$T/index" "$tree/html/index.html"
curl -sf -m 30 -o "$T/big" "$url/big.bin"
expect_same apps/nginx/big-file "$T/big" "$tree/html/big.bin"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "$url/no-such-file")
[ "$code" = 404 ] && ok apps/nginx/404 || fail apps/nginx/404 "got $code"
len=$(curl -sI -m 5 "$url/big.bin" | tr -d '\r' |
    awk 'tolower($1) == "content-length:" { print $2 }')
[ "$len" = $((4 * 1024 * 1024)) ] && ok apps/nginx/head ||
    fail apps/nginx/head "content-length '$len'"

# A byte range of the big file (sendfile from an offset).
curl -sf -m 10 -r 1000000-1999999 -o "$T/range" "$url/big.bin"
tail -c +1000001 "$tree/html/big.bin" | head -c 1000000 > "$T/range-want"
expect_same apps/nginx/range "$T/range" "$T/range-want"

ab_check apps/nginx/ab-keepalive-1000 1000 -n 1000 -c 10 -k "$url/index.html"
ab_check apps/nginx/ab-fresh-1000 1000 -n 1000 -c 10 "$url/index.html"

logged=$(grep -c '"GET /index.html HTTP/1.0" 200' "$T/out")
[ "$logged" -ge 2000 ] && ok apps/nginx/access-log-stdout ||
    fail apps/nginx/access-log-stdout "$logged ab requests logged on stdout"
finish
