package dev.natgw.nat.export;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An IPFIX message reader written from RFC 7011 alone, independent of {@link IpfixWriter}: checks the header and set
 * lengths and decodes data records with the templates it has seen, element by element.
 */
final class IpfixDecoder {
    /** The fields of each template seen, as element id to length, in order. */
    final Map<Integer, int[]> templates = new HashMap<>();
    /** Data records decoded, each as element id to value (numbers as Long, strings as String). */
    final List<Map<Integer, Object>> records = new ArrayList<>();
    /** Per record, the template it came with. */
    final List<Integer> recordTemplates = new ArrayList<>();
    long lastSequence;
    long lastDomain;

    void read(ByteBuffer m) {
        ByteBuffer b = m.duplicate();
        int start = b.position();
        if ((b.getShort() & 0xffff) != 10) {
            throw new AssertionError("version is not 10");
        }
        int length = b.getShort() & 0xffff;
        if (length != b.limit() - start) {
            throw new AssertionError("message length " + length + " but " + (b.limit() - start) + " bytes");
        }
        b.getInt(); // export time
        lastSequence = b.getInt() & 0xffffffffL;
        lastDomain = b.getInt() & 0xffffffffL;
        while (b.position() < start + length) {
            int setStart = b.position();
            int id = b.getShort() & 0xffff;
            int setLength = b.getShort() & 0xffff;
            if (setLength < 4 || setStart + setLength > start + length) {
                throw new AssertionError("set " + id + " of length " + setLength + " overruns the message");
            }
            int end = setStart + setLength;
            if (id == 2) {
                while (end - b.position() >= 4) {
                    int tid = b.getShort() & 0xffff;
                    int count = b.getShort() & 0xffff;
                    int[] f = new int[count * 2];
                    for (int i = 0; i < count; i++) {
                        f[2 * i] = b.getShort() & 0xffff;
                        f[2 * i + 1] = b.getShort() & 0xffff;
                    }
                    templates.put(tid, f);
                }
            } else if (id >= 256) {
                int[] f = templates.get(id);
                if (f == null) {
                    throw new AssertionError("data set " + id + " before its template");
                }
                while (b.position() < end) {
                    Map<Integer, Object> r = new LinkedHashMap<>();
                    for (int i = 0; i < f.length; i += 2) {
                        int len = f[i + 1];
                        if (len == 0xffff) {
                            len = b.get() & 0xff;
                            byte[] s = new byte[len];
                            b.get(s);
                            r.put(f[i], new String(s, java.nio.charset.StandardCharsets.UTF_8));
                        } else {
                            long v = 0;
                            for (int k = 0; k < len; k++) {
                                v = v << 8 | (b.get() & 0xff);
                            }
                            r.put(f[i], v);
                        }
                    }
                    records.add(r);
                    recordTemplates.add(id);
                }
            }
            b.position(end);
        }
    }
}
