# The example service over a tap device, inside a network namespace made
# for this test only (nothing leaves it): curl and ab from the namespace.
. "$ROOT/tests/lib.sh"
have_kvm httpd-tap || finish
if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null || [ ! -e /dev/net/tun ]; then
    skip httpd-tap/all "needs root, iproute2 and /dev/net/tun"
    finish
fi
image="$ROOT/build/examples/httpd.onyx"
ns="onyx-tap-$$"
tap="onyxtap$$"
tap=${tap:0:15}
cleanup() {
    [ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
}
trap cleanup EXIT
if ! ip netns add "$ns" ||
    ! ip netns exec "$ns" ip link set lo up ||
    ! ip netns exec "$ns" ip tuntap add dev "$tap" mode tap ||
    ! ip netns exec "$ns" ip addr add 10.77.0.1/24 dev "$tap" ||
    ! ip netns exec "$ns" ip link set "$tap" up; then
    skip httpd-tap/all "cannot create a namespace with a tap device here"
    finish
fi
ip netns exec "$ns" timeout -k 5 300 "$ONYX" run --net "tap:$tap" \
    --ip 10.77.0.2/24 --gw 10.77.0.1 "$image" > "$T/out" 2> "$T/err" &
pid=$!
url="http://10.77.0.2:8080"
up=0
for _ in $(seq 1 100); do
    if ip netns exec "$ns" curl -sf -m 2 "$url/health" > "$T/health" 2>/dev/null; then
        up=1; break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
[ "$up" = 1 ] && ok httpd-tap/health || { fail httpd-tap/health "no answer: $(tail -c 300 "$T/err")"; finish; }
ip netns exec "$ns" ab -q -r -n 1000 -c 10 -k "$url/health" > "$T/ab" 2>&1
c=$(awk '/^Complete requests:/ {print $3}' "$T/ab")
f=$(awk '/^Failed requests:/ {print $3}' "$T/ab")
[ "$c" = 1000 ] && [ "$f" = 0 ] && ok httpd-tap/ab-keepalive-1000 ||
    fail httpd-tap/ab-keepalive-1000 "complete=$c failed=$f"
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] && ok httpd-tap/sigterm-graceful ||
    fail httpd-tap/sigterm-graceful "exit $rc, want 0 (the app's handler)"
pid=
finish
