package dev.natgw.traversal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream through an echo server, written while the connection may switch paths: random bytes go out until this
 * side writes directly (or the upgrade ended on the relay) and then {@code after} bytes more; the echo is read back at
 * the same time and compared by digest and length, which catches a lost, doubled or reordered byte anywhere.
 */
final class PunchTransfer {
    /** What went out on each path and whether the echo came back intact. */
    record Result(long relayed, long direct, long echoed, boolean intact) {
    }

    private PunchTransfer() {
    }

    static Result run(Socket s, long after, long seed) throws IOException, InterruptedException {
        UpgradableSocket u = s instanceof UpgradableSocket x ? x : null;
        MessageDigest sent = sha256();
        MessageDigest back = sha256();
        CompletableFuture<Long> reader = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            long n = 0;
            byte[] buf = new byte[8192];
            try {
                InputStream in = s.getInputStream();
                for (int r; (r = in.read(buf)) > 0; n += r) {
                    back.update(buf, 0, r);
                }
                reader.complete(n);
            } catch (IOException e) {
                reader.completeExceptionally(e);
            }
        });
        Random random = new Random(seed);
        byte[] chunk = new byte[4096];
        long relayed = 0;
        long direct = 0;
        long tail = 0;
        OutputStream out = s.getOutputStream();
        while (tail < after) {
            random.nextBytes(chunk);
            boolean wasDirect = u != null && u.direct();
            boolean ended = u == null || u.upgrade().toCompletableFuture().isDone();
            out.write(chunk);
            sent.update(chunk);
            if (wasDirect) {
                direct += chunk.length;
            } else {
                relayed += chunk.length;
            }
            if (ended) {
                tail += chunk.length;
            }
        }
        s.shutdownOutput();
        long echoed;
        try {
            echoed = reader.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the echo did not come back: " + e.getMessage(), e);
        }
        boolean intact = echoed == relayed + direct && Arrays.equals(sent.digest(), back.digest());
        return new Result(relayed, direct, echoed, intact);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
