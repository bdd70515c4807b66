package dev.natgw.traversal.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.IntConsumer;

/** Copies one direction of a relay through one caller-sized buffer. Stateless. */
public final class Splice {
    private Splice() {
    }

    /**
     * Copies until end of stream.
     *
     * @param in where bytes come from
     * @param out where they go; flushed after each chunk
     * @param buffer the one buffer used, which bounds what is in flight in this direction
     * @param onChunk told the size of each chunk after it is written
     * @return the bytes copied
     */
    public static long copy(InputStream in, OutputStream out, byte[] buffer, IntConsumer onChunk) throws IOException {
        long total = 0;
        while (true) {
            int n = in.read(buffer);
            if (n < 0) {
                return total;
            }
            out.write(buffer, 0, n);
            out.flush();
            total += n;
            onChunk.accept(n);
        }
    }
}
