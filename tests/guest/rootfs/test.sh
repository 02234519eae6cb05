# The image's read-only tree: open/read/stat/lseek/getdents like natively.
. "$ROOT/tests/lib.sh"
have_kvm rootfs || finish
src="$ROOT/tests/guest/rootfs/main.c"
tree="$T/tree"
mkdir -p "$tree/sub/deeper" "$tree/empty"
printf 'abcdefgh\n' > "$tree/a.txt"
head -c 300000 /dev/urandom > "$tree/sub/big.bin"
printf '' > "$tree/sub/deeper/zero"
seq 1 1000 > "$tree/sub/deeper/numbers"
build_native "$src" || { fail rootfs/native "$(cat "$T/native-build.log")"; finish; }
"$T/native" "$tree" > "$T/want"
build_image "$T/rootfs.onyx" --rootfs "$tree" "$src" ||
    { fail rootfs/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/rootfs.onyx"
expect_status rootfs/status 0
expect_same rootfs/listing "$T/out" "$T/want"
finish
