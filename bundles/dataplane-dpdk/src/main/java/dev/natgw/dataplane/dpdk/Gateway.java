package dev.natgw.dataplane.dpdk;

import dev.natgw.api.dataplane.PacketBurst;
import dev.natgw.api.dataplane.Verdict;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What makes the dataplane an IPv4 router that hosts can use, per worker: ARP (answers for the ports'
 * addresses and, on the outside, the NAT pools' global addresses; learns neighbours; asks for unknown
 * next hops), ICMP echo for its own addresses, TTL decrement with ICMP time exceeded, ICMP
 * fragmentation needed for too-big packets with DF, and the Ethernet rewrite on the way out.
 *
 * <p>
 * {@link #input} runs before the stages, so the NAT sees packets whose TTL is already decremented and
 * ICMP errors are made about the packet as it arrived. Fragments pass to the stages unchanged (the NAT
 * drops and counts them). Allocation-free and lock-free: all replies are written in the received
 * packet's own buffer.
 */
final class Gateway {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final int ETH = 14;
    private static final long ARP_RETRY_MILLIS = 1000;
    /** ICMP errors each worker may send per second (and in one burst). */
    private static final long ICMP_TOKENS_PER_SECOND = 1000;

    private final Interfaces ifs;
    private final long[] counters;
    private long icmpTokens = ICMP_TOKENS_PER_SECOND;
    private long icmpRefillNanos;

    /** The last next hop looked up per egress port and its MAC, valid for one burst. */
    private final int[] cachedHop = new int[2];
    private final long[] cachedMac = new long[2];

    /** Forgets the per-burst next-hop cache, so a changed or expired neighbour is seen at the next burst. */
    void newBurst() {
        cachedMac[0] = 0;
        cachedMac[1] = 0;
    }

    Gateway(Interfaces ifs, long[] counters) {
        this.ifs = ifs;
        this.counters = counters;
    }

    /**
     * Handles ARP, packets to the appliance, TTL and MTU for every received slot still at PASS.
     *
     * @param l2Ready set for slots answered here, whose Ethernet header is already final
     */
    void input(PacketBurst b, boolean[] l2Ready, long nowNanos) {
        MemorySegment m = b.memory();
        int n = b.size();
        for (int i = 0; i < n; i++) {
            l2Ready[i] = false;
            if (b.verdict(i) != Verdict.PASS || b.handedOffFrom(i) >= 0) {
                continue;
            }
            long f = b.dataOffset(i);
            int len = b.length(i);
            if (len < ETH + 20) {
                drop(b, i, Counters.RUNT);
                continue;
            }
            int type = m.get(U16, f + 12) & 0xffff;
            if (type == 0x0806) {
                arp(b, m, i, f, l2Ready);
            } else if (type == 0x0800) {
                ipv4(b, m, i, f, len, l2Ready, nowNanos);
            } else {
                drop(b, i, Counters.NOT_IPV4);
            }
        }
    }

    private void drop(PacketBurst b, int i, int reason) {
        counters[reason]++;
        b.setVerdict(i, Verdict.DROP);
    }

    private void arp(PacketBurst b, MemorySegment m, int i, long f, boolean[] l2Ready) {
        long a = f + ETH;
        if (b.length(i) < ETH + 28 || (m.get(U16, a) & 0xffff) != 1 || (m.get(U16, a + 2) & 0xffff) != 0x0800
                || m.get(U8, a + 4) != 6 || m.get(U8, a + 5) != 4) {
            drop(b, i, Counters.ARP_IGNORED);
            return;
        }
        int role = b.inPort(i);
        int op = m.get(U16, a + 6) & 0xffff;
        long senderMac = mac(m, a + 8);
        int senderIp = m.get(U32, a + 14);
        int targetIp = m.get(U32, a + 24);
        boolean forUs = ifs.answersArp(role, targetIp);
        if (senderIp != 0 && senderIp != ifs.address[role] && ifs.connected(role, senderIp) && (forUs || op == 2)) {
            // replies only to natgw's own requests, and no packet changes a known or pinned MAC: see Neighbours
            Neighbours table = ifs.neighbours[role];
            long now = System.currentTimeMillis();
            int outcome = op == 2 ? table.answer(senderIp, senderMac, now) : table.announce(senderIp, senderMac, now);
            if (outcome == Neighbours.FULL) {
                counters[Counters.NEIGHBOUR_TABLE_FULL]++;
            } else if (outcome == Neighbours.REFUSED) {
                counters[Counters.ARP_REFUSED]++;
            }
        }
        if (op != 1 || !forUs) {
            drop(b, i, Counters.ARP_IGNORED);
            return;
        }
        long ours = ifs.mac[role];
        putMac(m, f, senderMac);
        putMac(m, f + 6, ours);
        m.set(U16, a + 6, (short) 2);
        putMac(m, a + 18, senderMac);
        m.set(U32, a + 24, senderIp);
        putMac(m, a + 8, ours);
        m.set(U32, a + 14, targetIp);
        counters[Counters.ARP_REPLIES]++;
        l2Ready[i] = true;
        b.setVerdict(i, role == 0 ? Verdict.TX_INSIDE : Verdict.TX_OUTSIDE);
    }

    private void ipv4(PacketBurst b, MemorySegment m, int i, long f, int len, boolean[] l2Ready, long nowNanos) {
        long ip = f + ETH;
        int vihl = m.get(U8, ip) & 0xff;
        int ihl = (vihl & 0xf) * 4;
        int total = m.get(U16, ip + 2) & 0xffff;
        if ((vihl >>> 4) != 4 || ihl < 20 || total < ihl || total > len - ETH) {
            return; // malformed: the NAT parses, drops and counts it by its reason
        }
        int role = b.inPort(i);
        int dst = m.get(U32, ip + 16);
        int proto = m.get(U8, ip + 9) & 0xff;
        int fragField = m.get(U16, ip + 6) & 0xffff;
        boolean firstFragment = (fragField & 0x1fff) == 0;
        if (dst == ifs.address[0] || dst == ifs.address[1]) {
            if (proto == 1 && (fragField & 0x3fff) == 0 && total >= ihl + 8 && (m.get(U8, ip + ihl) & 0xff) == 8) {
                echoReply(b, m, i, f, ihl, total, role, l2Ready);
                return;
            }
            if (!ifs.isClaimed(dst)) {
                drop(b, i, Counters.TO_SELF);
                return;
            }
        }
        if ((dst & 0xf0000000) == 0xe0000000 || dst == -1 || dst == (ifs.address[role] | ~ifs.netmask[role])) {
            drop(b, i, Counters.NOT_ROUTED);
            return;
        }
        int ttl = m.get(U8, ip + 8) & 0xff;
        if (ttl <= 1) {
            if (firstFragment && !isIcmpError(m, ip, ihl, proto) && icmpToken(nowNanos)) {
                icmpError(b, m, i, f, ihl, total, role, 11, 0, 0, l2Ready);
                counters[Counters.TIME_EXCEEDED_SENT]++;
            } else {
                drop(b, i, Counters.TTL_EXPIRED);
            }
            return;
        }
        int egress = role ^ 1;
        if (total > ifs.mtu[egress] && (fragField & 0x4000) != 0) {
            if (firstFragment && !isIcmpError(m, ip, ihl, proto) && icmpToken(nowNanos)) {
                icmpError(b, m, i, f, ihl, total, role, 3, 4, ifs.mtu[egress], l2Ready);
                counters[Counters.FRAG_NEEDED_SENT]++;
            } else {
                drop(b, i, Counters.TOO_BIG);
            }
            return;
        }
        // longer than the egress MTU without DF (a datagram the kernel reassembled for net_af_packet): the worker
        // sends it in fragments
        // TTL - 1: the 16-bit word TTL|protocol goes down by 0x0100 (RFC 1624)
        m.set(U8, ip + 8, (byte) (ttl - 1));
        int sum = (~m.get(U16, ip + 10) & 0xffff) + (~0x0100 & 0xffff);
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        m.set(U16, ip + 10, (short) ~sum);
    }

    private static boolean isIcmpError(MemorySegment m, long ip, int ihl, int proto) {
        if (proto != 1) {
            return false;
        }
        int type = m.get(U8, ip + ihl) & 0xff;
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    private boolean icmpToken(long nowNanos) {
        if (nowNanos - icmpRefillNanos >= 1_000_000L) {
            long add = (nowNanos - icmpRefillNanos) / 1_000_000L * ICMP_TOKENS_PER_SECOND / 1000;
            icmpTokens = Math.min(ICMP_TOKENS_PER_SECOND, icmpTokens + Math.max(1, add));
            icmpRefillNanos = nowNanos;
        }
        if (icmpTokens > 0) {
            icmpTokens--;
            return true;
        }
        counters[Counters.ICMP_RATE_LIMITED]++;
        return false;
    }

    private void echoReply(PacketBurst b, MemorySegment m, int i, long f, int ihl, int total, int role,
            boolean[] l2Ready) {
        long ip = f + ETH;
        int src = m.get(U32, ip + 12);
        int dst = m.get(U32, ip + 16);
        m.set(U32, ip + 12, dst);
        m.set(U32, ip + 16, src);
        m.set(U8, ip + 8, (byte) 64);
        m.set(U16, ip + 10, (short) 0);
        m.set(U16, ip + 10, (short) checksum(m, ip, ihl));
        long icmp = ip + ihl;
        m.set(U8, icmp, (byte) 0);
        m.set(U16, icmp + 2, (short) 0);
        m.set(U16, icmp + 2, (short) checksum(m, icmp, total - ihl));
        long peer = mac(m, f + 6);
        putMac(m, f, peer);
        putMac(m, f + 6, ifs.mac[role]);
        b.setLength(i, ETH + total);
        counters[Counters.ECHO_REPLIES]++;
        l2Ready[i] = true;
        b.setVerdict(i, role == 0 ? Verdict.TX_INSIDE : Verdict.TX_OUTSIDE);
    }

    /** Rewrites slot i in place into an ICMP error about it, sent back out of the port it came in on. */
    private void icmpError(PacketBurst b, MemorySegment m, int i, long f, int ihl, int total, int role, int type,
            int code, int mtu, boolean[] l2Ready) {
        long ip = f + ETH;
        int origSrc = m.get(U32, ip + 12);
        long peer = mac(m, f + 6);
        int quote = Math.min(total, ihl + 8);
        MemorySegment.copy(m, ip, m, ip + 28, quote);
        m.set(U8, ip, (byte) 0x45);
        m.set(U8, ip + 1, (byte) 0xc0);
        m.set(U16, ip + 2, (short) (28 + quote));
        m.set(U32, ip + 4, 0);
        m.set(U8, ip + 8, (byte) 64);
        m.set(U8, ip + 9, (byte) 1);
        m.set(U16, ip + 10, (short) 0);
        m.set(U32, ip + 12, ifs.address[role]);
        m.set(U32, ip + 16, origSrc);
        m.set(U16, ip + 10, (short) checksum(m, ip, 20));
        long icmp = ip + 20;
        m.set(U8, icmp, (byte) type);
        m.set(U8, icmp + 1, (byte) code);
        m.set(U16, icmp + 2, (short) 0);
        m.set(U16, icmp + 4, (short) 0);
        m.set(U16, icmp + 6, (short) mtu);
        m.set(U16, icmp + 2, (short) checksum(m, icmp, 8 + quote));
        putMac(m, f, peer);
        putMac(m, f + 6, ifs.mac[role]);
        b.setLength(i, ETH + 28 + quote);
        l2Ready[i] = true;
        b.setVerdict(i, role == 0 ? Verdict.TX_INSIDE : Verdict.TX_OUTSIDE);
    }

    /**
     * Readies slot i to leave through port egress: Ethernet addresses of this port and of the next hop.
     * When the next hop's MAC is unknown the packet is dropped and, at most once a second per address,
     * its buffer becomes an ARP request for it instead.
     *
     * @return 1 to transmit the packet, 2 to transmit it turned into an ARP request, 0 to drop it (counted)
     */
    int output(PacketBurst b, int i, int egress) {
        MemorySegment m = b.memory();
        long f = b.dataOffset(i);
        if (b.length(i) < ETH + 20) {
            counters[Counters.RUNT]++;
            return 0;
        }
        int dst = m.get(U32, f + ETH + 16);
        int hop = ifs.nextHop(egress, dst);
        if (hop == 0) {
            counters[Counters.NO_ROUTE]++;
            return 0;
        }
        long mac;
        if (hop == cachedHop[egress] && cachedMac[egress] != 0) {
            mac = cachedMac[egress];
        } else {
            mac = ifs.neighbours[egress].lookup(hop);
            cachedHop[egress] = hop;
            cachedMac[egress] = mac;
        }
        Neighbours table = ifs.neighbours[egress];
        if (mac != 0) {
            putMac(m, f, mac);
            putMac(m, f + 6, ifs.mac[egress]);
            return 1;
        }
        if (!table.shouldRequest(hop, System.currentTimeMillis(), ARP_RETRY_MILLIS)) {
            counters[Counters.NO_NEIGHBOUR]++;
            return 0;
        }
        writeArpRequest(m, f, ifs.mac[egress], ifs.address[egress], hop);
        b.setLength(i, 60);
        counters[Counters.ARP_REQUESTS]++;
        return 2;
    }

    /** Writes a 60-byte broadcast ARP request for ip from (ourMac, ourIp) at frame offset f. */
    static void writeArpRequest(MemorySegment m, long f, long ourMac, int ourIp, int ip) {
        putMac(m, f, 0xffff_ffff_ffffL);
        putMac(m, f + 6, ourMac);
        m.set(U16, f + 12, (short) 0x0806);
        long a = f + ETH;
        m.set(U16, a, (short) 1);
        m.set(U16, a + 2, (short) 0x0800);
        m.set(U8, a + 4, (byte) 6);
        m.set(U8, a + 5, (byte) 4);
        m.set(U16, a + 6, (short) 1);
        putMac(m, a + 8, ourMac);
        m.set(U32, a + 14, ourIp);
        putMac(m, a + 18, 0);
        m.set(U32, a + 24, ip);
        // pad to the Ethernet minimum: 42 bytes of ARP, 18 of zeros
        for (int k = 28; k < 46; k += 2) {
            m.set(U16, a + k, (short) 0);
        }
    }

    static long mac(MemorySegment m, long at) {
        return ((long) (m.get(U32, at)) & 0xffff_ffffL) << 16 | (m.get(U16, at + 4) & 0xffff);
    }

    static void putMac(MemorySegment m, long at, long mac) {
        m.set(U32, at, (int) (mac >>> 16));
        m.set(U16, at + 4, (short) mac);
    }

    /** The Internet checksum of len bytes at off, as a 16-bit value. */
    static int checksum(MemorySegment m, long off, int len) {
        long sum = 0;
        int k = 0;
        for (; k + 1 < len; k += 2) {
            sum += m.get(U16, off + k) & 0xffff;
        }
        if (k < len) {
            sum += (m.get(U8, off + k) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
