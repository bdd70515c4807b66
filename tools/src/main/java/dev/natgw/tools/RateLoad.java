package dev.natgw.tools;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * New TCP connections per second: {@code concurrency} threads each loop on connect, a 1-byte echo, close, until
 * {@code seconds} have passed or {@code max} connections have been tried, whichever comes first. Each connection's
 * connect and echo are bounded by {@code timeoutMillis}. The connect latency of every successful connection is kept
 * (at most {@code max} of them) for the percentiles.
 */
final class RateLoad {

    record Settings(InetSocketAddress target, int seconds, int concurrency, int max, int timeoutMillis) {
    }

    record Result(String target, int concurrency, long connections, long failures, double seconds,
            double p50ConnectMs, double p99ConnectMs, double maxConnectMs, Tally errors) {

        double perSecond() {
            return seconds > 0 ? connections / seconds : 0;
        }

        String json() {
            return new Json().put("mode", "rate").put("target", target).put("concurrency", concurrency).put(
                    "connections", connections).put("failures", failures).put("seconds", seconds).put("perSecond",
                            perSecond())
                    .put("p50ConnectMs", p50ConnectMs).put("p99ConnectMs", p99ConnectMs).put(
                            "maxConnectMs", maxConnectMs)
                    .put("errors", errors.snapshot()).toString();
        }

        boolean clean() {
            return connections > 0 && failures == 0;
        }
    }

    private final Settings settings;
    private final long[] latencies;
    private final AtomicInteger issued = new AtomicInteger();
    private final LongAdder connections = new LongAdder();
    private final Tally errors = new Tally();

    RateLoad(Settings settings) {
        this.settings = settings;
        this.latencies = new long[settings.max()];
    }

    Result run() throws InterruptedException {
        Arrays.fill(latencies, -1);
        long start = System.nanoTime();
        Deadline end = new Deadline(start + TimeUnit.SECONDS.toNanos(settings.seconds()));
        Thread[] workers = new Thread[settings.concurrency()];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = Thread.ofPlatform().name("tcpload-rate-" + w).daemon(true).start(() -> loop(end));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        return new Result(settings.target().getAddress().getHostAddress() + ":" + settings.target().getPort(),
                settings.concurrency(), connections.sum(), errors.total(), seconds, percentile(ok, 50), percentile(ok,
                        99),
                ok.length == 0 ? Double.NaN : ok[ok.length - 1] / 1e6, errors);
    }

    private void loop(Deadline end) {
        while (end.remainingNanos() > 0) {
            int k = issued.getAndIncrement();
            if (k >= settings.max()) {
                return;
            }
            long t0 = System.nanoTime();
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(settings.target(), settings.timeoutMillis());
                long connected = System.nanoTime() - t0;
                socket.setSoTimeout(settings.timeoutMillis());
                socket.getOutputStream().write(k & 0xff);
                int back = socket.getInputStream().read();
                if (back < 0) {
                    throw new EOFException();
                }
                if (back != (k & 0xff)) {
                    throw new IOException("echo mismatch");
                }
                latencies[k] = connected;
                connections.increment();
            } catch (IOException e) {
                errors.add("connection", e);
            }
        }
    }

    /** Nearest-rank percentile of sorted nanosecond values, in milliseconds; NaN when there are none. */
    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
