#!/usr/bin/env python3
"""Sends forged IPv4 packets from a raw socket at a paced rate, bounded in count and in time, for the flood tests.

usage: flood.py udp SRC SOURCES SPORTS DST DPORT RATE SECONDS
         UDP datagrams to DST:DPORT from SOURCES addresses starting at SRC, each from one of SPORTS source ports
         starting at 1024, in turn (SOURCES 1 with a real remote's address is what address-dependent filtering
         lets in; many forged ones are what it keeps out)
       flood.py syn SRC DST DESTINATIONS DPORT RATE SECONDS
         TCP SYNs from SRC, a source port each, to DESTINATIONS addresses starting at DST, one SYN each
Every packet carries a right L4 checksum, so a gateway can refuse it only for what it is. It stops after the count
its arguments give or after SECONDS, whichever comes first, and prints what it sent and at what rate.
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


def addr(text):
    return struct.unpack("!I", socket.inet_aton(text))[0]


def ipv4(k, proto, src, dst, l4):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), k & 0xFFFF, 0, 64, proto, 0, src, dst) + l4


def udp(k, src_first, sources, sports, dst, dport):
    src = struct.pack("!I", src_first + k % sources)
    sport = 1024 + (k // sources) % sports
    payload = b"natgw flood test"
    length = 8 + len(payload)
    head = struct.pack("!HHHH", sport, dport, length, 0) + payload
    sum_ = checksum(src + dst + struct.pack("!BBH", 0, 17, length) + head) or 0xFFFF
    return src, dst, ipv4(k, 17, src, dst, head[:6] + struct.pack("!H", sum_) + head[8:])


def syn(k, src, dst_first, dport):
    dst = struct.pack("!I", dst_first + k)
    sport = 1024 + k % 64000
    head = struct.pack("!HHIIBBHHH", sport, dport, k, 0, 5 << 4, 0x02, 64240, 0, 0)
    sum_ = checksum(src + dst + struct.pack("!BBH", 0, 6, len(head)) + head)
    return src, dst, ipv4(k, 6, src, dst, head[:16] + struct.pack("!H", sum_) + head[18:])


def main():
    mode = sys.argv[1]
    if mode == "udp":
        src, sources, sports, dst, dport, rate, seconds = sys.argv[2:9]
        count = int(rate) * int(seconds)
        dst_b = socket.inet_aton(dst)
        make = lambda k: udp(k, addr(src), int(sources), int(sports), dst_b, int(dport))
    elif mode == "syn":
        src, dst, destinations, dport, rate, seconds = sys.argv[2:8]
        count = int(destinations)
        src_b = socket.inet_aton(src)
        make = lambda k: syn(k, src_b, addr(dst), int(dport))
    else:
        sys.exit("mode must be udp or syn")
    rate = int(rate)
    limit = float(seconds) + 5
    start = time.monotonic()
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW) as s:
        while sent < count:
            now = time.monotonic() - start
            if now > limit:
                break
            due = min(count, int(now * rate) + 100)
            while sent < due:
                _, dst_b, packet = make(sent)
                try:
                    s.sendto(packet, (socket.inet_ntoa(dst_b), 0))
                except OSError:
                    pass  # a full socket buffer: the flood goes on
                sent += 1
            if sent >= int(now * rate) + 100:
                time.sleep(0.002)
    took = time.monotonic() - start
    print("flood: %s sent %d in %.1f s, %.0f/s" % (mode, sent, took, sent / took if took > 0 else 0))


if __name__ == "__main__":
    main()
