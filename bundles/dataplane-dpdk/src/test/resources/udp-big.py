#!/usr/bin/env python3
"""One large UDP datagram each way, fragmented by the sending kernel, for the fragment tests.

usage: udp-big.py serve ADDR PORT SECONDS
         answers each datagram it gets with a datagram of the same length whose bytes are the received ones
         reversed, and prints "got N from HOST:PORT" for each; ends after SECONDS
       udp-big.py send ADDR PORT BYTES SECONDS
         sends BYTES bytes (a pattern) with path MTU discovery off, so the kernel cuts the datagram into
         fragments, waits for the answer and prints "answer N ok" when it is the pattern reversed, else exits 1
"""
import socket
import sys
import time

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


def pattern(n):
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


def serve(addr, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    s.bind((addr, port))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.settimeout(max(0.1, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        print("got %d from %s:%d" % (len(data), peer[0], peer[1]), flush=True)
        s.sendto(data[::-1], peer)


def send(addr, port, n, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
    s.settimeout(seconds)
    data = pattern(n)
    s.sendto(data, (addr, port))
    answer, _ = s.recvfrom(65535)
    if answer != data[::-1]:
        print("answer %d wrong" % len(answer))
        sys.exit(1)
    print("answer %d ok" % len(answer))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
