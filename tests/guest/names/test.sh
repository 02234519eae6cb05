# Generated /etc files: localhost and the app's name resolve, root and
# nobody exist, a rootfs /etc/passwd wins over the generated one,
# `onyx build --host/--dns` entries work (and clash with a rootfs that
# has the file), and a DNS lookup (A and AAAA sent together) through
# --net user's server answers quickly.
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

# Build-time names: --host entries in /etc/hosts, --dns in resolv.conf.
build_image "$T/hosts.onyx" --name namesapp --host db=10.1.2.3 \
    --host v6.example=fd00::5 --dns 10.0.2.3 "$src" ||
    { fail names/host-build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/hosts.onyx" -- namesapp - db v6.example
if [ "$STATUS" = 0 ] && app_lines "$T/out" | grep -qx 'db: 10.1.2.3' &&
    app_lines "$T/out" | grep -qx 'v6.example: fd00::5' &&
    app_lines "$T/out" | grep -qx 'self: 127.0.1.1' &&
    app_lines "$T/out" | grep -qx 'uid0: root /root'; then
    ok names/build-hosts
else
    fail names/build-hosts "$(app_lines "$T/out" | tr '\n' ' ')"
fi
echo '127.0.0.1 localhost' > "$T/root/etc/hosts"
if ! build_image "$T/bad.onyx" --rootfs "$T/root" --host a=1.2.3.4 "$src" &&
    grep -q 'has its own /etc/hosts' "$T/build.log" &&
    ! build_image "$T/bad.onyx" --host a=1.2.3 "$src" &&
    ! build_image "$T/bad.onyx" --dns example.org "$src"; then
    ok names/build-refuses
else
    fail names/build-refuses "$(tail -2 "$T/build.log")"
fi

# The host's resolver must know the name, or slirp cannot forward.
name=deb.debian.org
if ! timeout 5 getent ahosts "$name" > /dev/null 2>&1; then
    skip names/dns "the host cannot resolve $name"
    finish
fi
# names.onyx: resolv.conf from the run's network (the guest makes it);
# hosts.onyx: the one --dns packed.
for img in names hosts; do
    run_image --net user "$T/$img.onyx" -- namesapp "$name"
    ms=$(sed -n 's/^lookup-ms: //p' "$T/err")
    self=10.0.2.15
    [ "$img" = hosts ] && self=127.0.1.1
    if [ "$STATUS" = 0 ] && app_lines "$T/out" | grep -q '^dns: found ' &&
        app_lines "$T/out" | grep -qx "self: $self" &&
        [ -n "$ms" ] && [ "$ms" -lt 2000 ]; then
        ok "names/dns-$img"
        echo "# $name resolved in $ms ms ($img.onyx)"
    else
        fail "names/dns-$img" "status $STATUS, $ms ms: \
$(tail -c 300 "$T/out" "$T/err" | tr '\n' ' ')"
    fi
done
finish
