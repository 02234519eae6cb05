# redis-server from Debian's source, persistence off, behind user-mode
# networking: redis-cli round trips and redis-benchmark SET/GET with
# pipelining, with zero errors; same replies as the binary run natively.
. "$ROOT/tests/lib.sh"
img="$ROOT/build/apps/redis.onyx"
bench="$ROOT/build/apps/bin/redis-benchmark"
cli="$ROOT/build/apps/bin/redis-cli"
server="$ROOT/build/apps/bin/redis-server"
if [ ! -f "$img" ] || [ ! -x "$bench" ] || [ ! -x "$cli" ]; then
    skip apps/redis "build/apps/redis.onyx not built (make apps)"
    finish
fi
have_kvm apps/redis || finish
port=$(free_port)
timeout -k 5 300 "$ONYX" run -p "$port:6379" "$img" > "$T/out" 2> "$T/err" &
pid=$!
npid=
# SIGTERM: timeout passes it on to onyx run (a SIGKILL would leave the
# monitor running as an orphan).
cleanup() {
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    [ -n "$npid" ] && kill -KILL "$npid" 2>/dev/null
}
trap cleanup EXIT

up=0
for _ in $(seq 1 100); do
    if [ "$("$cli" -p "$port" ping 2>/dev/null)" = PONG ]; then
        up=1; break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$up" = 1 ]; then
    ok apps/redis/ping
else
    fail apps/redis/ping "no PONG on port $port: $(tail -c 400 "$T/err")"
    finish
fi

# The same commands against the guest and a native server: same replies.
cmds() {
    local c=$1 p=$2
    "$c" -p "$p" set greeting "hello onyx"
    "$c" -p "$p" get greeting
    "$c" -p "$p" incrby counter 41
    "$c" -p "$p" incr counter
    "$c" -p "$p" rpush list a b c d
    "$c" -p "$p" lrange list 1 -1
    "$c" -p "$p" hset h f1 v1 f2 v2
    "$c" -p "$p" hgetall h
    "$c" -p "$p" zadd z 3 c 1 a 2 b
    "$c" -p "$p" zrange z 0 -1 withscores
    "$c" -p "$p" eval "return redis.call('get', KEYS[1]) .. '!'" 1 greeting
    "$c" -p "$p" get missing
    "$c" -p "$p" config get save
    "$c" -p "$p" config get appendonly
    "$c" -p "$p" dbsize
}
cmds "$cli" "$port" > "$T/got" 2>&1
nport=$(free_port)
"$server" "$ROOT/apps/redis/rootfs/redis.conf" --port "$nport" \
    --bind 127.0.0.1 > "$T/native.log" 2>&1 &
npid=$!
for _ in $(seq 1 50); do
    [ "$("$cli" -p "$nport" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
done
cmds "$cli" "$nport" > "$T/want" 2>&1
expect_same apps/redis/commands "$T/got" "$T/want"

# redis-benchmark: SET and GET, 16 commands per pipeline, 20 clients.
n=100000
"$bench" -p "$port" -t set,get -n "$n" -P 16 -c 20 -q > "$T/bench" 2>&1
brc=$?
tr '\r' '\n' < "$T/bench" | grep -E '^(SET|GET): [0-9.]+ requests' \
    > "$T/bench.sum"
"$cli" -p "$port" info stats > "$T/stats" 2>&1
"$cli" -p "$port" info errorstats > "$T/errstats" 2>&1
calls=$(tr -d '\r' < "$T/stats" |
    sed -n 's/^total_commands_processed://p')
errs=$(tr -d '\r' < "$T/stats" | sed -n 's/^total_error_replies://p')
if [ "$brc" -eq 0 ] && [ "$(wc -l < "$T/bench.sum")" -eq 2 ] &&
    [ "$errs" = 0 ] && ! grep -q '^errorstat' "$T/errstats" &&
    [ "${calls:-0}" -ge $((2 * n)) ] &&
    ! grep -qi error "$T/bench"; then
    ok apps/redis/benchmark-set-get-pipelined
    sed 's/^/# /' "$T/bench.sum"
else
    fail apps/redis/benchmark-set-get-pipelined \
        "rc=$brc calls=$calls errors=$errs $(tail -c 300 "$T/bench")"
fi
[ "$("$cli" -p "$port" get greeting)" = "hello onyx" ] &&
    ok apps/redis/data-kept || fail apps/redis/data-kept "greeting lost"

# SAVE (in the foreground: BGSAVE needs fork) writes dump.rdb to /tmp.
[ "$("$cli" -p "$port" save)" = OK ] && ok apps/redis/save-to-tmpfs ||
    fail apps/redis/save-to-tmpfs "$(tail -c 300 "$T/out")"
# SHUTDOWN ends the app itself: onyx run exits with its status, 0.
"$cli" -p "$port" shutdown nosave > /dev/null 2>&1
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid"
STATUS=$?
expect_status apps/redis/shutdown 0
if grep -q 'Ready to accept connections' "$T/out" "$T/err"; then
    ok apps/redis/log-on-console
else
    fail apps/redis/log-on-console "no start-up log: $(tail -c 200 "$T/out")"
fi
finish
