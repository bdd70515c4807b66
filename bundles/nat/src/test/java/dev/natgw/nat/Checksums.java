package dev.natgw.nat;

import dev.natgw.nat.testing.FrameView;
import dev.natgw.nat.testing.Frames;

/**
 * Checksum helpers for frames a fuzzer made: whether every checksum of a frame is right, and a repair that
 * recomputes them after bytes were mutated, so mutated headers reach the translator past the parser's
 * checksum checks. Both take any bytes and never throw.
 */
final class Checksums {
    private Checksums() {
    }

    /**
     * Whether a frame is an IPv4 frame whose every checksum {@link FrameView} can check is right.
     *
     * @param frame any bytes
     * @return false for anything else, including frames too short to read
     */
    static boolean valid(byte[] frame) {
        int l3 = l3(frame);
        if (l3 < 0 || frame.length < l3 + 20 || (frame[l3] & 0xf0) != 0x40 || (frame[l3] & 0x0f) < 5) {
            return false;
        }
        try {
            return new FrameView(frame).checksumProblems().isEmpty();
        } catch (RuntimeException e) {
            // FrameView reads well-formed frames; a frame it cannot read counts as not valid
            return false;
        }
    }

    /**
     * Recomputes, where the lengths allow, the quoted IPv4 header checksum of an ICMP error, the TCP, UDP or
     * ICMP checksum and the IPv4 header checksum.
     *
     * @param f the frame, changed in place
     */
    static void repair(byte[] f) {
        int l3 = l3(f);
        if (l3 < 0 || f.length < l3 + 20) {
            return;
        }
        int ihl = (f[l3] & 0x0f) * 4;
        if (ihl < 20 || f.length < l3 + ihl) {
            return;
        }
        int total = Math.min(getShort(f, l3 + 2), f.length - l3);
        int l4 = l3 + ihl;
        int len = total - ihl;
        int src = getInt(f, l3 + 12);
        int dst = getInt(f, l3 + 16);
        switch (f[l3 + 9] & 0xff) {
            case Frames.TCP -> {
                if (len >= 20) {
                    put(f, l4 + 16, 0);
                    put(f, l4 + 16, Frames.pseudoChecksum(src, dst, Frames.TCP, f, l4, len));
                }
            }
            case Frames.UDP -> {
                if (len >= 8) {
                    int udpLength = getShort(f, l4 + 4);
                    if (udpLength >= 8 && udpLength <= len) {
                        put(f, l4 + 6, 0);
                        int sum = Frames.pseudoChecksum(src, dst, Frames.UDP, f, l4, udpLength);
                        put(f, l4 + 6, sum == 0 ? 0xffff : sum);
                    }
                }
            }
            case Frames.ICMP -> {
                if (len >= 8) {
                    int type = f[l4] & 0xff;
                    int in = l4 + 8;
                    if ((type == 3 || type == 11 || type == 12) && len >= 28) {
                        int innerIhl = (f[in] & 0x0f) * 4;
                        if (innerIhl >= 20 && in + innerIhl <= l3 + total) {
                            put(f, in + 10, 0);
                            put(f, in + 10, Frames.internetChecksum(f, in, innerIhl));
                        }
                    }
                    put(f, l4 + 2, 0);
                    put(f, l4 + 2, Frames.internetChecksum(f, l4, len));
                }
            }
            default -> {
            }
        }
        put(f, l3 + 10, 0);
        put(f, l3 + 10, Frames.internetChecksum(f, l3, ihl));
    }

    /** The IPv4 header's offset, after one optional 802.1Q tag, or -1 when the frame is not IPv4. */
    private static int l3(byte[] f) {
        if (f.length < 14) {
            return -1;
        }
        int type = getShort(f, 12);
        if (type == 0x8100) {
            return f.length >= 18 && getShort(f, 16) == 0x0800 ? 18 : -1;
        }
        return type == 0x0800 ? 14 : -1;
    }

    private static int getShort(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    private static int getInt(byte[] b, int at) {
        return getShort(b, at) << 16 | getShort(b, at + 2);
    }

    private static void put(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
