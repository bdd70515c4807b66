package dev.natgw.nat.export;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds IPFIX messages (RFC 7011 section 3) of NAT event records (RFC 8158) in one reused buffer: a header, then
 * sets, each of the records of one template. Not thread-safe: one exporting thread owns it. Records that do not fit
 * the message size are refused, so the caller sends the message and begins the next; a message never exceeds the
 * size given, so over UDP it needs no IP fragmentation.
 */
final class IpfixWriter {
    private final ByteBuffer buf;
    private final byte[] nameBytes = new byte[IpfixFormat.POOL_NAME_MAX];
    private int setStart = -1;
    private int setId;
    private int records;

    /**
     * Makes a writer.
     *
     * @param maxMessage the largest message in bytes, at least 256 (every template fits) and at most 65535
     */
    IpfixWriter(int maxMessage) {
        if (maxMessage < 256 || maxMessage > 65535) {
            throw new IllegalArgumentException("maxMessage must be 256..65535, was " + maxMessage);
        }
        this.buf = ByteBuffer.allocate(maxMessage);
    }

    /**
     * Starts a message, discarding any unfinished one.
     *
     * @param exportSeconds the export time, seconds since 1970
     * @param domain the observation domain id
     */
    void begin(long exportSeconds, int domain) {
        buf.clear();
        buf.putShort((short) IpfixFormat.VERSION);
        buf.putShort((short) 0); // length, at finish
        buf.putInt((int) exportSeconds);
        buf.putInt(0); // sequence number, set per collector
        buf.putInt(domain);
        setStart = -1;
        records = 0;
    }

    /** Adds the template set of every template; call first in a message. */
    void templates() {
        closeSet();
        int start = buf.position();
        buf.putShort((short) IpfixFormat.TEMPLATE_SET);
        buf.putShort((short) 0);
        for (int t : IpfixFormat.TEMPLATES) {
            int[] f = IpfixFormat.fields(t);
            buf.putShort((short) t);
            buf.putShort((short) (f.length / 2));
            for (int i = 0; i < f.length; i += 2) {
                buf.putShort((short) f[i]);
                buf.putShort((short) f[i + 1]);
            }
        }
        buf.putShort(start + 2, (short) (buf.position() - start));
    }

    /**
     * Adds a mapping created or deleted.
     *
     * @return false if the record does not fit; the message is unchanged then
     */
    boolean session(boolean created, long millis, int proto, int inAddr, int inPort, int outAddr, int outPort,
            int poolSlot, String poolName) {
        int name = name(poolName);
        if (!room(IpfixFormat.TEMPLATE_SESSION, 26 + 1 + name)) {
            return false;
        }
        buf.putLong(millis);
        buf.put((byte) (created ? IpfixFormat.NAT44_SESSION_CREATE : IpfixFormat.NAT44_SESSION_DELETE));
        buf.put((byte) proto);
        buf.putInt(inAddr);
        buf.putShort((short) inPort);
        buf.putInt(outAddr);
        buf.putShort((short) outPort);
        buf.putInt(poolSlot);
        putName(name);
        records++;
        return true;
    }

    /**
     * Adds a new session refused: the pool had no free port (natEvent 3), or the inside host reached its port quota
     * or session limit (natEvent 11, natQuotaExceededEvent 3).
     *
     * @return false if the record does not fit
     */
    boolean refused(boolean quota, long millis, int proto, int inAddr, int inPort, int poolSlot, String poolName) {
        int name = name(poolName);
        if (!room(quota ? IpfixFormat.TEMPLATE_QUOTA : IpfixFormat.TEMPLATE_EXHAUSTED, (quota ? 24 : 20) + 1 + name)) {
            return false;
        }
        buf.putLong(millis);
        if (quota) {
            buf.put((byte) IpfixFormat.QUOTA_EXCEEDED);
            buf.putInt(IpfixFormat.QUOTA_MAX_ENTRIES_PER_USER);
        } else {
            buf.put((byte) IpfixFormat.NAT_ADDRESSES_EXHAUSTED);
        }
        buf.put((byte) proto);
        buf.putInt(inAddr);
        buf.putShort((short) inPort);
        buf.putInt(poolSlot);
        putName(name);
        records++;
        return true;
    }

    /**
     * Adds a port block allocated to an inside host or released (RFC 8158 section 4.1.13, natEvent 14 and 15):
     * port-block pools log these instead of a record per mapping.
     *
     * @return false if the record does not fit
     */
    boolean portBlock(boolean allocated, long millis, int inAddr, int outAddr, int firstPort, int lastPort,
            int step, int ports, int poolSlot, String poolName) {
        int name = name(poolName);
        if (!room(IpfixFormat.TEMPLATE_PORT_BLOCK, 29 + 1 + name)) {
            return false;
        }
        buf.putLong(millis);
        buf.put((byte) (allocated ? IpfixFormat.PORT_BLOCK_ALLOCATION : IpfixFormat.PORT_BLOCK_DEALLOCATION));
        buf.putInt(inAddr);
        buf.putInt(outAddr);
        buf.putShort((short) firstPort);
        buf.putShort((short) lastPort);
        buf.putShort((short) step);
        buf.putShort((short) ports);
        buf.putInt(poolSlot);
        putName(name);
        records++;
        return true;
    }

    /** {@return the data records in the message so far} */
    int records() {
        return records;
    }

    /** {@return whether the message holds anything beyond its header} */
    boolean isEmpty() {
        return buf.position() == IpfixFormat.HEADER;
    }

    /**
     * Finishes the message.
     *
     * @return the message from position 0 to its length; valid until the next {@link #begin}
     */
    ByteBuffer finish() {
        closeSet();
        buf.putShort(2, (short) buf.position());
        return buf.duplicate().flip();
    }

    /**
     * Sets the sequence number of a finished message (RFC 7011: data records sent before it in this transport
     * session), which each collector counts on its own.
     *
     * @param message a message from {@link #finish}
     * @param sequence the number
     */
    static void sequence(ByteBuffer message, long sequence) {
        message.putInt(8, (int) sequence);
    }

    private boolean room(int template, int length) {
        boolean newSet = setStart < 0 || setId != template;
        if (buf.remaining() < length + (newSet ? 4 : 0)) {
            return false;
        }
        if (newSet) {
            closeSet();
            setStart = buf.position();
            setId = template;
            buf.putShort((short) template);
            buf.putShort((short) 0);
        }
        return true;
    }

    private void closeSet() {
        if (setStart >= 0) {
            buf.putShort(setStart + 2, (short) (buf.position() - setStart));
            setStart = -1;
        }
    }

    /**
     * Encodes the name into {@link #nameBytes}, cut at a character boundary.
     *
     * @return its length
     */
    private int name(String poolName) {
        if (poolName == null || poolName.isEmpty()) {
            return 0;
        }
        byte[] b = poolName.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, nameBytes.length);
        while (n < b.length && n > 0 && (b[n] & 0xc0) == 0x80) {
            n--; // never cut a UTF-8 sequence
        }
        System.arraycopy(b, 0, nameBytes, 0, n);
        return n;
    }

    private void putName(int n) {
        buf.put((byte) n); // short form of a variable length (RFC 7011 section 7), n < 255
        buf.put(nameBytes, 0, n);
    }
}
