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

/**
 * A TCP proxy on loopback in front of a forwarder that can fall silent, standing for a host that vanished without a
 * word: after {@link #silence()} it passes no byte either way and closes nothing, and new connections are accepted
 * (the kernel would complete them from the backlog anyway) and never answered.
 */
final class SilentProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();
    private volatile boolean silent;

    SilentProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptAll);
    }

    Endpoint endpoint() {
        return new Endpoint(Endpoint.FORWARDER, "127.0.0.1", listener.getLocalPort());
    }

    /** From now on nothing passes and nothing closes, until {@link #close()}. */
    void silence() {
        silent = true;
    }

    private void acceptAll() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                sockets.add(in);
                if (silent) {
                    continue;
                }
                Socket out = new Socket();
                out.connect(target, 2000);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] b = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(b)) >= 0) {
                if (silent) {
                    // the bytes vanish with the host; the connections stay open until the proxy closes
                    continue;
                }
                out.write(b, 0, n);
                out.flush();
            }
            if (!silent) {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            if (!silent) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket s;
        while ((s = sockets.poll()) != null) {
            closeQuietly(s);
        }
    }
}
