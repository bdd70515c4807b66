#!/bin/sh
# Builds natgw's DPDK shim against the installed libdpdk; called by Maven (generate-resources).
# Usage: build.sh OUTPUT_DIR
set -eu
src=$(dirname "$0")
out=$1
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libdpdk; then
    echo "natgw: the DPDK development files are not installed (pkg-config cannot find libdpdk)." >&2
    echo "natgw: install them with: apt-get install -y dpdk dpdk-dev libdpdk-dev pkg-config gcc" >&2
    echo "natgw: (./natgw setup installs them too)" >&2
    exit 1
fi
if ! command -v "${CC:-gcc}" >/dev/null 2>&1; then
    echo "natgw: no C compiler; install one with: apt-get install -y gcc" >&2
    exit 1
fi
mkdir -p "$out"
# shellcheck disable=SC2046
"${CC:-gcc}" -O3 -march=x86-64-v2 -fPIC -shared -Wall -Wextra -Werror -Wno-address-of-packed-member \
    -o "$out/libnatgw_dpdk.so" "$src/natgw_dpdk.c" \
    $(pkg-config --cflags libdpdk) $(pkg-config --libs libdpdk) -Wl,--no-as-needed -lrte_bus_vdev -lrte_net_ring
echo "natgw: built $out/libnatgw_dpdk.so against DPDK $(pkg-config --modversion libdpdk)"
