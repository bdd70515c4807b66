package dev.natgw.forwarder;

import dev.natgw.traversal.TraversalServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/** An echo service behind a TraversalServer, and a client check that what comes back is what went. */
public final class Echo {
    private Echo() {
    }

    /** Serves echo on every accepted socket until the server closes; returns the serving thread. */
    public static Thread serve(TraversalServer server) {
        return Thread.ofVirtual().start(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException closed) {
                    return;
                }
                Thread.ofVirtual().start(() -> {
                    try (Socket c = s) {
                        c.getInputStream().transferTo(c.getOutputStream());
                        c.shutdownOutput();
                    } catch (IOException e) {
                        // the client went away
                    }
                });
            }
        });
    }

    /** Sends size random bytes, half-closes, and checks the echo; fails with AssertionError on a difference. */
    public static void roundTrip(Socket s, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        AtomicReference<IOException> writeFailed = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(data);
                s.shutdownOutput();
            } catch (IOException e) {
                writeFailed.set(e);
            }
        });
        InputStream in = s.getInputStream();
        byte[] back = in.readAllBytes();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!Arrays.equals(data, back)) {
            throw new AssertionError("echo differs: sent " + size + " bytes, got " + back.length
                    + (writeFailed.get() == null ? "" : "; the write failed: " + writeFailed.get()), writeFailed.get());
        }
    }
}
