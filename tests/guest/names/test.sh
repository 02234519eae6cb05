# Generated /etc files: localhost and the app's name resolve, root and
# nobody exist, a rootfs /etc/passwd wins over the generated one, and a
# DNS lookup (A and AAAA sent together) through --net user's server
# answers quickly.
. "$ROOT/tests/lib.sh"
have_kvm names || finish
src="$ROOT/tests/guest/names/main.c"
build_image "$T/names.onyx" --name namesapp "$src" ||
    { fail names/build "$(tail -3 "$T/build.log")"; finish; }

run_image "$T/names.onyx" -- namesapp
expect_status names/status 0
app_lines "$T/out" > "$T/got"
cat > "$T/want" <<'END'
uid0: root /root
nobody: 65534
gid0: root
localhost4: 127.0.0.1
localhost6: ::1
self: 127.0.1.1
END
expect_same names/offline "$T/got" "$T/want"

mkdir -p "$T/root/etc"
echo 'root:x:0:0:admin:/home/admin:/bin/sh' > "$T/root/etc/passwd"
build_image "$T/own.onyx" --name namesapp --rootfs "$T/root" "$src" ||
    { fail names/own-build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/own.onyx" -- namesapp
if app_lines "$T/out" | grep -qx 'uid0: root /home/admin' &&
    app_lines "$T/out" | grep -qx 'self: 127.0.1.1'; then
    ok names/rootfs-wins
else
    fail names/rootfs-wins "$(app_lines "$T/out" | head -3 | tr '\n' ' ')"
fi

# The host's resolver must know the name, or slirp cannot forward.
name=deb.debian.org
if ! timeout 5 getent ahosts "$name" > /dev/null 2>&1; then
    skip names/dns "the host cannot resolve $name"
    finish
fi
run_image --net user "$T/names.onyx" -- namesapp "$name"
ms=$(sed -n 's/^lookup-ms: //p' "$T/err")
if [ "$STATUS" = 0 ] && app_lines "$T/out" | grep -q '^dns: found ' &&
    app_lines "$T/out" | grep -qx 'self: 10.0.2.15' &&
    [ -n "$ms" ] && [ "$ms" -lt 2000 ]; then
    ok names/dns
    echo "# $name resolved in $ms ms"
else
    fail names/dns "status $STATUS, $ms ms: \
$(tail -c 300 "$T/out" "$T/err" | tr '\n' ' ')"
fi
finish
