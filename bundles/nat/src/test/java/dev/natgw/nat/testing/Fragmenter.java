package dev.natgw.nat.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts a whole IPv4 frame into fragments as a sending host does (RFC 791 section 3.2), and puts fragments back
 * together as a receiving host does, with its own byte arithmetic and {@link Frames}' checksum: nothing here comes
 * from the translator. Frames without a VLAN tag; IP options are copied into every fragment.
 */
public final class Fragmenter {
    private Fragmenter() {
    }

    /**
     * Cuts a frame's IP payload into pieces of at most {@code chunk} bytes.
     *
     * @param frame a whole frame built by {@link Frames}
     * @param chunk bytes of IP payload per fragment, a positive multiple of 8
     * @return the fragments, first to last, each with its IP header checksum right
     */
    public static List<byte[]> split(byte[] frame, int chunk) {
        if (chunk <= 0 || chunk % 8 != 0) {
            throw new IllegalArgumentException("chunk must be a positive multiple of 8, was " + chunk);
        }
        List<Integer> sizes = new ArrayList<>();
        int payload = payloadLength(frame);
        for (int off = 0; off < payload; off += chunk) {
            sizes.add(Math.min(chunk, payload - off));
        }
        return pieces(frame, sizes);
    }

    /**
     * Cuts a frame's IP payload into pieces of the given sizes, in order.
     *
     * @param frame a whole frame
     * @param sizes the payload bytes of each piece; all but the last multiples of 8, summing to the payload
     * @return the fragments
     */
    public static List<byte[]> pieces(byte[] frame, List<Integer> sizes) {
        int payload = payloadLength(frame);
        List<byte[]> out = new ArrayList<>();
        int off = 0;
        for (int k = 0; k < sizes.size(); k++) {
            int len = sizes.get(k);
            boolean last = k == sizes.size() - 1;
            out.add(fragment(frame, off, len, !last || off + len < payload));
            off += len;
        }
        if (off != payload) {
            throw new IllegalArgumentException("pieces sum to " + off + ", payload is " + payload);
        }
        return out;
    }

    /**
     * Makes one fragment of a whole frame: its header with the given offset and MF flag, and the payload bytes from
     * {@code off}.
     *
     * @param frame a whole frame
     * @param off the payload offset, a multiple of 8
     * @param len the payload bytes
     * @param more the MF flag
     * @return the fragment
     */
    public static byte[] fragment(byte[] frame, int off, int len, boolean more) {
        int l3 = Frames.ETH;
        int ihl = (frame[l3] & 0x0f) * 4;
        byte[] f = new byte[l3 + ihl + len];
        System.arraycopy(frame, 0, f, 0, l3 + ihl);
        System.arraycopy(frame, l3 + ihl + off, f, l3 + ihl, len);
        Frames.putShort(f, l3 + 2, ihl + len);
        Frames.putShort(f, l3 + 6, (more ? 0x2000 : 0) | (off / 8));
        return Frames.refreshIpChecksum(f);
    }

    /**
     * Puts fragments back together; fails if they do not make exactly one whole datagram.
     *
     * @param fragments the fragments of one datagram, in any order
     * @return the whole frame, its header from the first fragment with MF and offset cleared
     */
    public static byte[] reassemble(List<byte[]> fragments) {
        List<byte[]> sorted = new ArrayList<>(fragments);
        sorted.sort(Comparator.comparingInt(Fragmenter::offset));
        byte[] first = sorted.get(0);
        int l3 = Frames.ETH;
        int ihl = (first[l3] & 0x0f) * 4;
        int end = 0;
        for (byte[] f : sorted) {
            if (offset(f) != end) {
                throw new AssertionError("a hole or an overlap at " + end + ": next fragment at " + offset(f));
            }
            end += payloadLength(f);
        }
        byte[] last = sorted.get(sorted.size() - 1);
        if ((Frames.getShort(last, l3 + 6) & 0x2000) != 0) {
            throw new AssertionError("the last fragment still says more fragments follow");
        }
        byte[] whole = new byte[l3 + ihl + end];
        System.arraycopy(first, 0, whole, 0, l3 + ihl);
        int at = l3 + ihl;
        for (byte[] f : sorted) {
            int fl3 = Frames.ETH;
            int fihl = (f[fl3] & 0x0f) * 4;
            if (Frames.getInt(f, fl3 + 12) != Frames.getInt(first, l3 + 12)
                    || Frames.getInt(f, fl3 + 16) != Frames.getInt(first, l3 + 16)
                    || Frames.getShort(f, fl3 + 4) != Frames.getShort(first, l3 + 4)) {
                throw new AssertionError("fragments disagree on addresses or identification");
            }
            System.arraycopy(f, fl3 + fihl, whole, at, payloadLength(f));
            at += payloadLength(f);
        }
        Frames.putShort(whole, l3 + 2, ihl + end);
        Frames.putShort(whole, l3 + 6, 0);
        return Frames.refreshIpChecksum(whole);
    }

    /** {@return a fragment's payload offset in bytes} */
    public static int offset(byte[] f) {
        return (Frames.getShort(f, Frames.ETH + 6) & 0x1fff) * 8;
    }

    private static int payloadLength(byte[] f) {
        int l3 = Frames.ETH;
        return Frames.getShort(f, l3 + 2) - (f[l3] & 0x0f) * 4;
    }
}
