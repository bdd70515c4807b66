package dev.natgw.traversal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of a forwarder, standing for anyone on the path who cuts a stream short: each
 * connection passes honestly until cutAfter bytes went back to the connecting side, then passes nothing more and ends
 * both of its TCP connections with a FIN (reading and dropping what still comes, so that the closes stay FINs).
 * Connections that carry less (a server's control connection) pass untouched.
 */
final class CutProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final long cutAfter;
    private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
    final AtomicInteger cuts = new AtomicInteger();

    CutProxy(InetSocketAddress target, long cutAfter) throws IOException {
        this.target = target;
        this.cutAfter = cutAfter;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptAll);
    }

    Endpoint endpoint() {
        return new Endpoint(Endpoint.FORWARDER, "127.0.0.1", listener.getLocalPort());
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket();
                out.connect(target, 2000);
                sockets.add(in);
                sockets.add(out);
                AtomicBoolean cut = new AtomicBoolean();
                Thread.ofVirtual().start(() -> pump(out, in, cut, in, out));
                Thread.ofVirtual().start(() -> pump(in, out, cut, null, null));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Pumps from to to; the direction given both sockets is the one that cuts after cutAfter bytes. */
    private void pump(Socket from, Socket to, AtomicBoolean cut, Socket a, Socket b) {
        byte[] buf = new byte[16 * 1024];
        long passed = 0;
        long limit = a == null ? Long.MAX_VALUE : cutAfter;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0;) {
                if (cut.get()) {
                    continue;
                }
                int pass = (int) Math.min(n, limit - passed);
                passed += pass;
                write(out, buf, pass);
                if (pass < n && cut.compareAndSet(false, true)) {
                    cuts.incrementAndGet();
                    a.shutdownOutput();
                    b.shutdownOutput();
                }
            }
            if (!cut.get()) {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            // the end of the test
        }
    }

    private static void write(OutputStream out, byte[] buf, int n) {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            // the cut's FIN went out meanwhile: dropped
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
