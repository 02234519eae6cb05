# Debian's busybox-static (linked against glibc, not musl), packed as is:
# sha256sum, wc, sort and other non-forking applets on rootfs files give
# the same output as the same binary natively and as the host's tools.
. "$ROOT/tests/lib.sh"
img="$ROOT/build/apps/busybox.onyx"
bb="$ROOT/build/apps/bin/busybox"
if [ ! -f "$img" ] || [ ! -x "$bb" ]; then
    skip apps/busybox "build/apps/busybox.onyx not built (make apps)"
    finish
fi
have_kvm apps/busybox || finish
tree="$T/tree"
mkdir -p "$tree/data"
head -c 1000000 /dev/urandom > "$tree/data/random.bin"
seq 1 20000 | awk '{ print ($1 * 7919) % 10007, "row", $1 }' \
    > "$tree/data/rows.txt"
printf 'pear\nApple\nbanana\napple\n\nCherry\n' > "$tree/data/fruits.txt"
build_image "$T/busybox.onyx" --rootfs "$tree" "$bb" ||
    { fail apps/busybox/build "$(tail -3 "$T/build.log")"; finish; }

# applet NAME HOSTCMD ARGS... : runs `busybox ARGS` in the guest, with
# files named from / in the image's tree, and natively with the same names
# made relative (cwd $tree), and compares the outputs; with the host's own
# tool too when HOSTCMD is not "-".
applet() {
    local name=$1 hostcmd=$2 a
    shift 2
    local native_args=()
    for a in "$@"; do
        native_args+=("${a#/}")
    done
    run_image "$T/busybox.onyx" -- "$@"
    app_lines "$T/out" | sed -E 's#(^|[ ])/data#\1data#g' > "$T/got-$name"
    expect_status "apps/busybox/$name/status" 0
    (cd "$tree" && "$bb" "${native_args[@]}") > "$T/native-$name" 2>&1
    expect_same "apps/busybox/$name/native" "$T/got-$name" "$T/native-$name"
    if [ "$hostcmd" != - ]; then
        (cd "$tree" && eval "$hostcmd") > "$T/host-$name" 2>&1
        expect_same "apps/busybox/$name/host" "$T/got-$name" "$T/host-$name"
    fi
}

applet sha256sum 'sha256sum data/random.bin data/rows.txt' \
    sha256sum /data/random.bin /data/rows.txt
applet md5sum 'md5sum data/random.bin' md5sum /data/random.bin
applet wc - wc /data/rows.txt /data/fruits.txt
applet wc-l 'wc -l data/rows.txt' wc -l /data/rows.txt
applet sort 'LC_ALL=C sort data/fruits.txt' sort /data/fruits.txt
# Past 1 KiB of input glibc's qsort asks sysinfo() for the RAM size: a
# guest writing musl's 368-byte struct sysinfo smashed glibc's 112 bytes.
applet sort-n 'LC_ALL=C sort -n -k1,1 -k3,3n data/rows.txt' \
    sort -n -k1,1 -k3,3n /data/rows.txt
applet sort-u 'LC_ALL=C sort -u data/fruits.txt' sort -u /data/fruits.txt
applet uniq-c - uniq -c /data/fruits.txt
applet ls 'ls -1 data' ls -1 /data
applet head 'head -n 3 data/rows.txt' head -n 3 /data/rows.txt
applet tail 'tail -n 5 data/rows.txt' tail -n 5 /data/rows.txt
applet grep-c 'grep -c "row 1" data/rows.txt' grep -c "row 1" /data/rows.txt
applet sed 'sed -n "100,110p;s/row/ROW/p" data/fruits.txt' \
    sed -n "100,110p;s/row/ROW/p" /data/fruits.txt
applet awk - awk '{ s += $1 } END { print s, NR }' /data/rows.txt
applet cut 'cut -d " " -f 3 data/rows.txt' cut -d " " -f 3 /data/rows.txt
applet base64 'base64 data/fruits.txt' base64 /data/fruits.txt
applet od 'od -c data/fruits.txt' od -c /data/fruits.txt
applet stat-size 'stat -c %s data/random.bin' stat -c %s /data/random.bin

# Relative names: glibc passes openat's AT_FDCWD as a 32-bit -100.
run_image "$T/busybox.onyx" -- wc -l data/rows.txt
expect_status apps/busybox/relative-name/status 0
printf '20000 data/rows.txt\n' > "$T/want-rel"
app_lines "$T/out" > "$T/got-rel"
expect_same apps/busybox/relative-name/output "$T/got-rel" "$T/want-rel"
finish
