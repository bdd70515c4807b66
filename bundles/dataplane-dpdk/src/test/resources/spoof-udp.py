#!/usr/bin/env python3
"""Sends UDP datagrams with forged IPv4 sources from a raw socket, as a spoofing inside host would.

usage: spoof-udp.py FIRST_SRC SOURCES DST DPORT COUNT
The sources run from FIRST_SRC through FIRST_SRC + SOURCES - 1, one per datagram in turn, each from its own source
port; the UDP checksum is right, so a gateway can refuse them only for their source. The kernel routes them as any
other datagram of the namespace and fills in the IP checksum.
"""
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main():
    first, sources, dst, dport, count = sys.argv[1:6]
    first_int = struct.unpack("!I", socket.inet_aton(first))[0]
    dst_bytes = socket.inet_aton(dst)
    payload = b"natgw spoof test"
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as s:
        for k in range(int(count)):
            src = struct.pack("!I", first_int + k % int(sources))
            sport = 20000 + k % 40000
            length = 8 + len(payload)
            pseudo = src + dst_bytes + struct.pack("!BBH", 0, 17, length)
            udp = struct.pack("!HHHH", sport, int(dport), length, 0) + payload
            sum_ = checksum(pseudo + udp) or 0xFFFF
            udp = udp[:6] + struct.pack("!H", sum_) + udp[8:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, k & 0xFFFF, 0, 64, 17, 0, src, dst_bytes)
            s.sendto(ip + udp, (dst, 0))
            if k % 100 == 99:
                time.sleep(0.005)


if __name__ == "__main__":
    main()
