package dev.natgw.traversal;

import java.io.IOException;
import java.io.InputStream;

/**
 * An input stream that passes reads through to another and shows each result to {@link #seen}, which may note it
 * (an end of stream) or turn it into an error. Reads that skip or transfer go through the same two reads.
 */
abstract class WatchedInput extends InputStream {
    private final InputStream in;

    WatchedInput(InputStream in) {
        this.in = in;
    }

    /** {@return n, what a read returned, after looking at it} */
    abstract int seen(int n) throws IOException;

    @Override
    public int read() throws IOException {
        return seen(in.read());
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return seen(in.read(b, off, len));
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
