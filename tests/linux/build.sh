#!/usr/bin/env bash
# Builds tsemu's Linux test guest: a small RV64 kernel for the virt board from Debian's
# linux-source-6.1 (tsemu-virt.config over tinyconfig) and an initramfs holding the init programs
# of init/ (static, riscv64-linux-gnu-gcc). Nothing is committed: the results are cached in
# $TSEMU_LINUX_CACHE (default ~/.cache/tsemu/linux), keyed by the inputs, so a second run with the
# same inputs does nothing. Prints the paths of Image and initramfs.cpio (beside it, root/ holds the
# init programs as files, for a disk image).
#
#   tests/linux/build.sh            # build (or reuse) and print the output directory
#   tests/linux/build.sh --print    # only print where the output for these inputs is (or would be)
#
# Needs (Debian): linux-source-6.1 gcc-riscv64-linux-gnu gcc make bc flex bison; as root it
# installs what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${TSEMU_LINUX_CACHE:-$HOME/.cache/tsemu/linux}
tarball=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
cross=riscv64-linux-gnu-

need=()
[ -f "$tarball" ] || need+=(linux-source-6.1)
command -v ${cross}gcc >/dev/null || need+=(gcc-riscv64-linux-gnu)
for t in gcc make bc flex bison; do command -v $t >/dev/null || need+=($t); done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "build.sh: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "build.sh: missing ${need[*]} (Debian packages; install them as root)" >&2
    exit 1
  fi
fi

# One key for the kernel (source, config, and the recipe's version: bump kernel_recipe when the
# kernel steps below change), one for the initramfs (init sources, the bench workloads init.c
# includes, this script).
kernel_recipe=2
kernel_key=$( (stat -c '%s %Y' "$tarball"; cat "$here/tsemu-virt.config"; echo "$kernel_recipe") | sha256sum | cut -c1-16)
init_key=$( (cat "$here"/init/*.c "$here"/init/*.h "$here/../../bench/guest/workloads.h" 2>/dev/null; cat "$here/make-cpio.mjs" "$here/build.sh"; ${cross}gcc --version | head -1) | sha256sum | cut -c1-16)
kdir=$cache/kernel-$kernel_key
idir=$cache/initramfs-$init_key
if [ "${1:-}" = --print ]; then echo "$kdir/Image $idir/initramfs.cpio"; exit 0; fi
mkdir -p "$cache"

if [ ! -f "$kdir/Image" ]; then
  src=$cache/src-$(stat -c '%s' "$tarball")
  if [ ! -f "$src/Makefile" ]; then
    echo "build.sh: unpacking $tarball" >&2
    rm -rf "$src.tmp" && mkdir -p "$src.tmp"
    tar -xf "$tarball" -C "$src.tmp" --strip-components=1
    mv "$src.tmp" "$src"
  fi
  out=$kdir.tmp
  rm -rf "$out" && mkdir -p "$out"
  echo "build.sh: configuring and building the kernel in $out (a few minutes)" >&2
  make -s -C "$src" O="$out" ARCH=riscv CROSS_COMPILE=$cross tinyconfig >/dev/null
  KCONFIG_CONFIG="$out/.config" "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$here/tsemu-virt.config" >/dev/null
  make -s -C "$src" O="$out" ARCH=riscv CROSS_COMPILE=$cross olddefconfig >/dev/null
  # every line of the fragment must have survived olddefconfig (a dependency missing would drop it)
  missing=$(grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$here/tsemu-virt.config" | while read -r line; do
    case $line in
      "# "*) opt=${line#\# }; opt=${opt%% *}; grep -q "^$opt=" "$out/.config" && echo "$line" ;;
      *) grep -qx "$line" "$out/.config" || echo "$line" ;;
    esac
  done || true)
  if [ -n "$missing" ]; then echo "build.sh: options not in the final .config: $missing" >&2; exit 1; fi
  make -s -C "$src" O="$out" ARCH=riscv CROSS_COMPILE=$cross -j"$(nproc)" Image
  mkdir -p "$kdir"
  cp "$out/arch/riscv/boot/Image" "$out/.config" "$out/System.map" "$kdir/"
  rm -rf "$out"
fi

if [ ! -f "$idir/initramfs.cpio" ]; then
  tmp=$idir.tmp
  rm -rf "$tmp" && mkdir -p "$tmp/root"
  for c in "$here"/init/*.c; do
    name=$(basename "$c" .c)
    ${cross}gcc -static -O2 -Wall -Werror -pthread -o "$tmp/root/$name" "$c"
  done
  [ -x "$tmp/root/init" ] || { echo "build.sh: init/init.c is missing" >&2; exit 1; }
  node "$here/make-cpio.mjs" "$tmp/root" "$tmp/initramfs.cpio"
  mkdir -p "$idir"
  # the same programs as files, for a root file system image (mke2fs -d)
  mv "$tmp/initramfs.cpio" "$tmp/root" "$idir/"
  rm -rf "$tmp"
fi
echo "$kdir/Image $idir/initramfs.cpio"
