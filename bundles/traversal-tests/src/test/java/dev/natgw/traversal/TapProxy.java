package dev.natgw.traversal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP proxy on loopback in front of a target, standing for whoever is on the path: it records what passes each way
 * (the first {@link #CAPTURE} bytes of each direction, all connections together) and may flip one bit of the bytes
 * going back to the connecting side, at a given offset of each connection.
 */
final class TapProxy implements AutoCloseable {
    static final int CAPTURE = 8 * 1024 * 1024;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long flipAt;
    final ByteArrayOutputStream up = new ByteArrayOutputStream();
    final ByteArrayOutputStream down = new ByteArrayOutputStream();

    /** @param flipAt the offset, in the bytes the target sends on each connection, of the byte to alter; -1: none */
    TapProxy(InetSocketAddress target, long flipAt) throws IOException {
        this.target = target;
        this.flipAt = flipAt;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptAll);
    }

    int port() {
        return listener.getLocalPort();
    }

    Endpoint endpoint() {
        return new Endpoint(Endpoint.FORWARDER, "127.0.0.1", port());
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                out.connect(target, 2000);
                Thread.ofVirtual().start(() -> pump(in, out, up, -1));
                Thread.ofVirtual().start(() -> pump(out, in, down, flipAt));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream capture, long flipAt) {
        byte[] b = new byte[16 * 1024];
        long offset = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(b)) >= 0) {
                if (flipAt >= offset && flipAt < offset + n) {
                    b[(int) (flipAt - offset)] ^= 0x01;
                }
                offset += n;
                synchronized (capture) {
                    if (capture.size() < CAPTURE) {
                        capture.write(b, 0, Math.min(n, CAPTURE - capture.size()));
                    }
                }
                out.write(b, 0, n);
                out.flush();
            }
            // a half-close passes on as one
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** {@return everything captured, both ways} */
    byte[] captured() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        synchronized (up) {
            all.writeBytes(up.toByteArray());
        }
        synchronized (down) {
            all.writeBytes(down.toByteArray());
        }
        return all.toByteArray();
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
