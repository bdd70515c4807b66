package dev.natgw.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class FramesTest {
    static final int SRC = Rfc9693.ip("198.18.0.2");
    static final int DST = Rfc9693.ip("198.19.128.3");
    static final int TRIAL = 0x01020304;

    /** The RFC 1071 sum, byte by byte, independent of the code under test. */
    static int checksum(byte[] b, int from, int len, long start) {
        long sum = start;
        for (int i = 0; i < len; i += 2) {
            int hi = b[from + i] & 0xff;
            int lo = i + 1 < len ? b[from + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    static MemorySegment frame(Arena arena, int length) {
        MemorySegment s = arena.allocate(length);
        Frames.template(s, 0, length, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L);
        Frames.write(s, 0, length, SRC, 4321, DST, Flows.DST_PORT, 77, Frames.FORWARD, TRIAL, 0x7f00ff01);
        return s;
    }

    @Test
    void writesValidChecksumsAtBothSizes() {
        try (Arena arena = Arena.ofConfined()) {
            for (int length : new int[]{Frames.MIN, 200, Frames.MAX}) {
                byte[] b = frame(arena, length).toArray(ValueLayout.JAVA_BYTE);
                assertThat(checksum(b, 14, 20, 0)).as("IPv4 header sum at %d", length).isEqualTo(0xffff);
                int udpLen = length - 34;
                long pseudo = (SRC >>> 16) + (SRC & 0xffff) + (DST >>> 16) + (DST & 0xffff) + 17 + udpLen;
                assertThat(checksum(b, 34, udpLen, pseudo)).as("UDP sum at %d", length).isEqualTo(0xffff);
                assertThat(((b[16] & 0xff) << 8) | (b[17] & 0xff)).isEqualTo(length - 14);
                assertThat(Frames.checkHeaders(MemorySegment.ofArray(b), 0, length, length, Frames.FORWARD, TRIAL))
                        .isEqualTo(Frames.OK);
            }
        }
    }

    @Test
    void refusesEveryKindOfDamage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = frame(arena, 100);
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.FORWARD, TRIAL)).isEqualTo(Frames.OK);
            assertThat(Frames.checkHeaders(s, 0, 100, 60, Frames.FORWARD, TRIAL)).isEqualTo(Frames.BAD_LENGTH);
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.REVERSE, TRIAL)).isEqualTo(Frames.NOT_OURS);
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.FORWARD, TRIAL + 1)).isEqualTo(Frames.STALE);
            // a payload byte flipped far from the headers: only the full UDP sum sees it
            s.set(ValueLayout.JAVA_BYTE, 90, (byte) 1);
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.FORWARD, TRIAL)).isEqualTo(Frames.BAD_UDP_CHECKSUM);
            s.set(ValueLayout.JAVA_BYTE, 90, (byte) 0);
            s.set(ValueLayout.JAVA_BYTE, 22, (byte) 63); // TTL changed, IPv4 checksum not
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.FORWARD, TRIAL)).isEqualTo(Frames.BAD_IP_CHECKSUM);
            s.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
            s.set(Frames.U16, 12, (short) 0x86dd);
            assertThat(Frames.checkHeaders(s, 0, 100, 100, Frames.FORWARD, TRIAL)).isEqualTo(Frames.NOT_IPV4_UDP);
        }
    }

    @Test
    void flowsCoverDistinctTuplesAndBlocksDoNotOverlap() {
        Flows a = new Flows(70_000, SRC, Rfc9693.ip("198.19.128.0"), 0);
        Flows b = a.next();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (Flows f : new Flows[]{a, b}) {
            for (int i = 0; i < f.count(); i++) {
                assertThat(seen.add(((long) f.srcPort(i) << 32) | (f.dstAddress(i) & 0xffffffffL))).isTrue();
                assertThat(f.srcPort(i)).isBetween(Flows.SRC_PORT_LO, 65535);
            }
        }
        assertThat(a.dstAddress(Flows.SRC_PORTS)).isEqualTo(Rfc9693.ip("198.19.128.1"));
    }

    @Test
    void labelsFlowCounts() {
        assertThat(Procedures.label(1000)).isEqualTo("1k");
        assertThat(Procedures.label(1_000_000)).isEqualTo("1M");
        assertThat(Procedures.label(4 << 20)).isEqualTo("4M");
        assertThat(Procedures.label(65536)).isEqualTo("64k");
        assertThat(Procedures.label(1234)).isEqualTo("1234");
    }
}
