import dev.natgw.forwarder.internal.ForwarderConfig;
import dev.natgw.forwarder.internal.ForwarderEngine;
import dev.natgw.forwarder.internal.ForwarderSettings;
import dev.natgw.testing.ConfigProxy;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Relayed TCP throughput through a natgw forwarder, encrypted end to end by the library (natgw-e2e/1) and as a plain
 * relay (a server registered by hand, no end-to-end channel), against a direct connection and against socat as a
 * relay, with 1 and 16 streams, in one run; then the end-to-end relay against direct TLS; and the setup latency of a relayed connection (connect by key -> first byte) at a
 * bounded rate. Everything on loopback. Run by benchmarks/relay/run.
 *
 * Arguments: SECONDS_PER_CASE (0: no throughput) SOCAT_PATH LATENCY_RATES(comma-separated) LATENCY_SECONDS RELAYS; or {@code forwarder}
 * alone (the child process of the held-relays step).
 */
public class RelayBenchmark {

    static final int CHUNK = 64 * 1024;
    static final java.util.concurrent.atomic.AtomicInteger FAILURES = new java.util.concurrent.atomic.AtomicInteger();

    /** A sink: reads and discards everything from every socket handed to it, counting bytes. */
    static final class Sink {
        final AtomicLong bytes = new AtomicLong();

        void drain(Socket s) {
            Thread.ofPlatform().daemon(true).start(() -> {
                byte[] buf = new byte[CHUNK];
                try (s; InputStream in = s.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        bytes.addAndGet(n);
                    }
                } catch (IOException e) {
                    // stream ended
                }
            });
        }
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long direct() {
        return ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(b -> b.getMemoryUsed()).sum();
    }

    static long rss() throws IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    interface Acceptor {
        Socket accept() throws IOException;
    }

    /** Hands every accepted socket to handler, on a thread of its own, until accept fails. */
    static void serve(Acceptor acceptor, java.util.function.Consumer<Socket> handler) {
        Thread.ofPlatform().daemon(true).start(() -> {
            while (true) {
                try {
                    handler.accept(acceptor.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /**
     * A server of key registered by hand with the forwarder, without the end-to-end channel (the protocol's sections
     * 4 and 5 only): the plain relay, to compare the library's encrypted one with. Its data connections go to handler.
     */
    static void plainServer(Endpoint forwarder, Identity id, java.util.function.Consumer<Socket> handler)
            throws IOException {
        Socket control = new Socket(forwarder.host(), forwarder.port());
        OutputStream out = control.getOutputStream();
        InputStream in = control.getInputStream();
        new Payload.Writer().string("bench").frame(MessageType.HELLO).write(out);
        Payload.Reader c = Frame.read(in).expect(MessageType.CHALLENGE).reader();
        byte[] nonce = c.bytes(32, 32);
        long heartbeat = c.u32();
        c.u32();
        c.end();
        new Payload.Writer().bytes(id.publicKey().getEncoded()).bytes(id.sign(Keys.registerProof(nonce,
                ForwarderIdentity.none()))).frame(
                MessageType.REGISTER).write(out);
        Frame.read(in).expect(MessageType.REGISTERED);
        Thread.ofPlatform().daemon(true).start(() -> {
            long seq = 0;
            try {
                while (true) {
                    Thread.sleep(heartbeat / 2);
                    byte[] ping = new Payload.Writer().u64(++seq).frame(MessageType.PING).encode();
                    synchronized (control) {
                        out.write(ping);
                        out.flush();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // ended
            }
        });
        Thread.ofPlatform().daemon(true).start(() -> {
            try {
                while (true) {
                    Frame f = Frame.read(in);
                    if (f.type() == MessageType.PING) {
                        byte[] pong = new Payload.Writer().u64(f.reader().u64()).frame(MessageType.PONG).encode();
                        synchronized (control) {
                            out.write(pong);
                            out.flush();
                        }
                    } else if (f.type() == MessageType.INCOMING) {
                        byte[] token = f.reader().bytes(32, 32);
                        Socket data = new Socket(forwarder.host(), forwarder.port());
                        data.setTcpNoDelay(true);
                        new Payload.Writer().bytes(token).bytes(id.sign(Keys.dataProof(ForwarderIdentity.none(),
                                token))).frame(MessageType.DATA).write(data.getOutputStream());
                        Frame.read(data.getInputStream()).expect(MessageType.CONNECTED);
                        handler.accept(data);
                    }
                }
            } catch (IOException e) {
                // ended
            }
        });
    }

    /** {@return opens plain relayed connections to the key: CONNECT, CONNECTED, then raw bytes} */
    static Supplier<Socket> plainByKey(Endpoint forwarder, String key) {
        return () -> {
            try {
                Socket s = new Socket(forwarder.host(), forwarder.port());
                s.setTcpNoDelay(true);
                new Payload.Writer().string(key).frame(MessageType.CONNECT).write(s.getOutputStream());
                Frame.read(s.getInputStream()).expect(MessageType.CONNECTED);
                return s;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }

    static ForwarderConfig config(Map<String, Object> values) {
        return ConfigProxy.of(ForwarderConfig.class, values);
    }

    /** Streams for `seconds` from `streams` sockets opened by `open`; returns Gbit/s counted at the sink. */
    static double run(String name, int streams, double seconds, Supplier<Socket> open, Sink sink) throws Exception {
        return run(name, streams, seconds, open, sink, -1);
    }

    /**
     * As above; with a forwarder process (pid &gt; 0) it also prints the CPU that process and this one (the
     * endpoints: writers, sink, client and server libraries) took meanwhile, in CPUs (2.0 = both CPUs of this machine).
     */
    static double run(String name, int streams, double seconds, Supplier<Socket> open, Sink sink, long forwarderPid)
            throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            sockets.add(open.get());
        }
        Thread.sleep(200);
        long self = ProcessHandle.current().pid();
        long cpuSelf0 = cpuMillis(self);
        long cpuFwd0 = forwarderPid > 0 ? cpuMillis(forwarderPid) : 0;
        long before = sink.bytes.get();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> writers = new ArrayList<>();
        for (Socket s : sockets) {
            writers.add(Thread.ofPlatform().start(() -> {
                byte[] chunk = new byte[CHUNK];
                try (OutputStream out = s.getOutputStream()) {
                    while (System.nanoTime() < end) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    System.err.println(name + ": " + e);
                }
            }));
        }
        for (Thread t : writers) {
            t.join();
        }
        long bytes = sink.bytes.get() - before;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpuSelf = (cpuMillis(self) - cpuSelf0) / 1e3 / elapsed;
        double cpuFwd = forwarderPid > 0 ? (cpuMillis(forwarderPid) - cpuFwd0) / 1e3 / elapsed : Double.NaN;
        for (Socket s : sockets) {
            s.close();
        }
        double gbps = bytes * 8 / elapsed / 1e9;
        System.out.printf("  %-44s %2d stream%s  %7.2f Gbit/s  (%,d bytes in %.2f s)%s%n", name, streams,
                streams == 1 ? " " : "s", gbps, bytes, elapsed, forwarderPid > 0 ? String.format(
                        "  CPUs: forwarder %.2f, endpoints %.2f", cpuFwd, cpuSelf) : String.format(
                                "  CPUs: this process %.2f", cpuSelf));
        return gbps;
    }

    /** {@return opens relayed connections to the key} */
    static Supplier<Socket> byKey(TraversalClient client, String key) {
        return () -> {
            try {
                return client.connect(key);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }

    static Socket connect(int port) {
        try {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * Opens rate connections per second for seconds, paced by the clock. Each is timed from its scheduled start (so a
     * late start counts against it): [0] until the first byte, [1] until connect returned (CONNECTED read); the sorted
     * micros of those that worked.
     */
    static long[][] latency(TraversalClient client, String key, int rate, double seconds) throws Exception {
        int total = (int) (rate * seconds);
        long[] micros = new long[total];
        long[] connected = new long[total];
        long interval = 1_000_000_000L / rate;
        long t0 = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            long due = t0 + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            int k = i;
            ts.add(Thread.ofVirtual().start(() -> {
                try (Socket s = client.connect(key)) {
                    connected[k] = (System.nanoTime() - due) / 1000;
                    micros[k] = s.getInputStream().read() == 1 ? (System.nanoTime() - due) / 1000 : -1;
                } catch (IOException e) {
                    micros[k] = -1;
                    if (FAILURES.incrementAndGet() <= 3) {
                        System.err.println("connection " + k + " failed: " + e);
                    }
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        return new long[][]{Arrays.stream(micros).filter(m -> m >= 0).sorted().toArray(), Arrays.stream(connected)
                .filter(m -> m > 0).sorted().toArray()};
    }

    static long[] gc() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += b.getCollectionCount();
            millis += b.getCollectionTime();
        }
        return new long[]{count, millis};
    }

    static ForwarderEngine newForwarder() throws IOException {
        Map<String, Object> values = new java.util.HashMap<>(Map.of("listen.port", 0, "announce", false,
                "max.connections", 1_000_000, "max.connections.per.source", 100000, "rate.per.source", 100000,
                "max.pending.per.key", 10000, "max.relays.per.key", 100000, "relay.buffer", Integer.getInteger(
                        "relay.buffer", 65536)));
        // -Dforwarder.config=key=value;key=value sets further attributes (numbers as integers, else strings)
        for (String kv : System.getProperty("forwarder.config", "").split(";")) {
            if (kv.contains("=")) {
                String v = kv.substring(kv.indexOf('=') + 1);
                values.put(kv.substring(0, kv.indexOf('=')), v.matches("-?[0-9]+") ? (Object) Integer.valueOf(v)
                        : v.equals("true") || v.equals("false") ? (Object) Boolean.valueOf(v) : v);
            }
        }
        ForwarderEngine fwd = new ForwarderEngine(ForwarderSettings.of(config(values)), null, null, Clock.systemUTC());
        fwd.start();
        return fwd;
    }

    /** The footprint of this process: heap after GC, direct buffers, RSS, platform threads. */
    static String footprint() throws IOException {
        return heapAfterGc() + " " + direct() + " " + rss() + " " + ManagementFactory.getThreadMXBean()
                .getThreadCount();
    }

    /**
     * A forwarder alone in this process (for measuring what held relays cost the forwarder itself): prints its port,
     * then answers every line on standard input with its footprint and relay count; ends at end of input.
     */
    static void forwarderProcess() throws Exception {
        ForwarderEngine fwd = newForwarder();
        System.out.println(fwd.boundAddress().getPort());
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        while (in.readLine() != null) {
            System.out.println(footprint() + " " + fwd.load().relays());
        }
        fwd.close();
        System.exit(0);
    }

    static final char[] PASSWORD = "changeit".toCharArray();

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin",
                "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
    }

    static java.security.KeyStore load(java.nio.file.Path file) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /**
     * TLS throughput, 1 and 16 streams: direct TLS against the end-to-end channel through a plain forwarder, and through
     * a TLS forwarder (two layers).
     */
    static void tlsThroughput(double seconds, Sink sink, List<Variant> variants) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("natgw-relay-bench");
        java.nio.file.Path keystore = dir.resolve("forwarder.p12");
        java.nio.file.Path cert = dir.resolve("forwarder.pem");
        java.nio.file.Path trust = dir.resolve("trust.p12");
        String pw = new String(PASSWORD);
        keytool("-genkeypair", "-alias", "forwarder", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", pw, "-keypass", pw);
        keytool("-exportcert", "-rfc", "-alias", "forwarder", "-file", cert.toString(), "-keystore", keystore
                .toString(), "-storepass", pw);
        keytool("-importcert", "-noprompt", "-alias", "forwarder", "-file", cert.toString(), "-keystore", trust
                .toString(), "-storetype", "PKCS12", "-storepass", pw);
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(keystore), PASSWORD);
        javax.net.ssl.SSLContext serverCtx = javax.net.ssl.SSLContext.getInstance("TLS");
        serverCtx.init(kmf.getKeyManagers(), null, null);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(trust));
        javax.net.ssl.SSLContext clientCtx = javax.net.ssl.SSLContext.getInstance("TLS");
        clientCtx.init(null, tmf.getTrustManagers(), null);

        // direct TLS: an SSLServerSocket whose connections feed the sink
        ServerSocket directTls = serverCtx.getServerSocketFactory().createServerSocket(0, 128, InetAddress
                .getLoopbackAddress());
        serve(directTls::accept, sink::drain);
        // relayed TLS: a TLS forwarder, a server registered over TLS
        ForwarderSettings tlsSettings = ForwarderSettings.of(config(Map.of("listen.port", 0, "announce", false,
                "tls.enabled", true, "tls.keystore", keystore.toString(), "tls.keystore.password", pw,
                "max.connections.per.source", 100000, "rate.per.source", 100000, "relay.buffer", Integer.getInteger(
                        "relay.buffer", 65536))));
        ForwarderEngine fwd = new ForwarderEngine(tlsSettings, dev.natgw.forwarder.internal.ForwarderTls.of(
                tlsSettings), null, Clock.systemUTC());
        fwd.start();
        TraversalOptions options = TraversalOptions.builder().forwarder(new Endpoint(Endpoint.FORWARDER_TLS,
                "127.0.0.1", fwd.boundAddress().getPort())).direct(false).tls(clientCtx.getSocketFactory()).build();
        Identity id = Identity.generate();
        TraversalServer server = TraversalServer.open(id, options);
        server.awaitRegistered(Duration.ofSeconds(10));
        serve(server::accept, sink::drain);
        TraversalClient client = new TraversalClient(options);
        Supplier<Socket> directConnect = () -> {
            try {
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) clientCtx.getSocketFactory().createSocket(
                        InetAddress.getLoopbackAddress(), directTls.getLocalPort());
                s.startHandshake();
                return s;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
        // JSSE's ciphers are compiled only after some traffic: warm both paths up first
        for (int i = 0; i < 2; i++) {
            run("warm-up direct TLS, not counted", 4, 1.0, directConnect, sink);
            run("warm-up natgw TLS, not counted", 4, 1.0, byKey(client, id.key()), sink);
            for (Variant v : variants) {
                run("warm-up natgw e2e, not counted", 4, 1.0, byKey(v.client, v.e2eKey), sink);
            }
        }
        for (int streams : new int[]{1, 16}) {
            String st = streams + "-stream" + (streams == 1 ? "" : "s");
            double d = run("direct TLS", streams, seconds, directConnect, sink);
            double n = run("natgw TLS forwarder (this JVM), e2e TLS inside", streams, seconds, byKey(client, id.key()),
                    sink);
            measure("relayed-tls-forwarder-e2e-" + st, n, "Gbit/s", "direct-tls", d);
            for (Variant v : variants) {
                double e = run("natgw e2e TLS relay [" + v.name + "]", streams, seconds, byKey(v.client, v.e2eKey),
                        sink, v.pid());
                measure("relayed-e2e-" + st + "-" + v.name.replaceAll("[^A-Za-z0-9]+", "-"), e, "Gbit/s",
                        "direct-tls", d);
            }
        }
        server.close();
        fwd.close();
        directTls.close();
    }


    /**
     * A forwarder under test in the throughput part (child null: the one in this JVM), with a plain server and an
     * end-to-end server registered with it, both feeding the sink.
     */
    record Variant(String name, Endpoint fe, ChildForwarder child, String plainKey, TraversalClient client,
            String e2eKey) {
        static Variant of(String name, Endpoint fe, ChildForwarder child, Sink sink) throws Exception {
            Identity plainId = Identity.generate();
            plainServer(fe, plainId, sink::drain);
            TraversalOptions options = TraversalOptions.builder().forwarder(fe).direct(false).backlog(4096).build();
            Identity id = Identity.generate();
            TraversalServer server = TraversalServer.open(id, options);
            server.awaitRegistered(Duration.ofSeconds(10));
            serve(server::accept, sink::drain);
            return new Variant(name, fe, child, plainId.key(), new TraversalClient(options), id.key());
        }

        long pid() {
            return child == null ? -1 : child.process().pid();
        }
    }

    /** {@return this class path with the forwarder jar replaced by jar (a build to compare with)} */
    static String swapForwarderJar(String jar) {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator)).map(e -> e
                .contains("natgw-forwarder-") ? jar : e).collect(java.util.stream.Collectors.joining(
                        java.io.File.pathSeparator));
    }

    /** A forwarder in a JVM of its own (FORWARDER_OPTS adds JVM options, e.g. a profiler): its process and port. */
    record ChildForwarder(Process process, int port, java.io.BufferedReader out, java.io.PrintStream in) {
        static ChildForwarder start() throws IOException {
            return start(System.getProperty("java.class.path"), null);
        }

        /** @param variantOpts JVM options for this forwarder only (FORWARDER_OPTS_name), or null */
        static ChildForwarder start(String classPath, String variantOpts) throws IOException {
            String javaCommand = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>();
            // FORWARDER_CPUS=1 runs the forwarder on those CPUs only (taskset), e.g. apart from the endpoints
            String cpus = System.getenv("FORWARDER_CPUS");
            if (cpus != null && !cpus.isBlank()) {
                cmd.addAll(List.of("taskset", "-c", cpus.trim()));
            }
            cmd.addAll(List.of(javaCommand, "-Xmx512m", "--enable-native-access=ALL-UNNAMED"));
            for (String opts : new String[]{System.getenv("FORWARDER_OPTS"), variantOpts}) {
                if (opts != null && !opts.isBlank()) {
                    cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
                }
            }
            cmd.addAll(List.of("-cp", classPath, "benchmarks/relay/RelayBenchmark.java", "forwarder"));
            Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child
                    .getInputStream()));
            java.io.PrintStream in = new java.io.PrintStream(child.getOutputStream(), true);
            // the first line that is a number is the port (an agent such as a profiler may print before it)
            String line;
            while ((line = out.readLine()) != null && !line.trim().matches("[0-9]+")) {
                System.out.println("  forwarder: " + line);
            }
            if (line == null) {
                throw new IOException("the forwarder process ended before it listened");
            }
            return new ChildForwarder(child, Integer.parseInt(line.trim()), out, in);
        }

        /** {@return the child's CPU time so far, in ms (user + system, from /proc)} */
        long cpuMillis() throws IOException {
            return RelayBenchmark.cpuMillis(process.pid());
        }

        void stop() throws InterruptedException {
            in.close();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** {@return the process's CPU time so far, in ms (user + system, from /proc; clock ticks of 10 ms)} */
    static long cpuMillis(long pid) throws IOException {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** A data-connection strategy of the server: its name and the parked connections it keeps per forwarder. */
    record Strategy(String name, int pool) {
    }

    static final List<Strategy> STRATEGIES = List.of(new Strategy("per-client", 0), new Strategy("pooled", 8));

    static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))]
                / 1000.0;
    }

    static void measure(String name, double value, String unit, String baselineName, double baseline) {
        if (baselineName == null) {
            System.out.printf("measure %s %.3f %s%n", name, value, unit);
        } else {
            System.out.printf("measure %s %.3f %s vs %s %.3f ratio %.2f%n", name, value, unit, baselineName, baseline,
                    value / baseline);
        }
    }

    /**
     * Setup latency per strategy and rate, the forwarder in a JVM of its own; client and server here. Prints
     * p50/p99/p999 and {@code measure} lines, each strategy's against the first's, and the CPU time per connection of
     * both processes.
     */
    static void setupLatency(int[] rates, double latencySeconds) throws Exception {
        ChildForwarder child = ChildForwarder.start();
        Endpoint fe = new Endpoint(Endpoint.FORWARDER, "127.0.0.1", child.port());
        Map<String, Double> baseline = new java.util.HashMap<>();
        long self = ProcessHandle.current().pid();
        List<TraversalServer> servers = new ArrayList<>();
        try {
            // every strategy's server at once, so that each rate measures them one after the other in the same
            // state of the JIT and of the machine
            List<TraversalClient> clients = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (Strategy strategy : STRATEGIES) {
                TraversalOptions options = TraversalOptions.builder().forwarder(fe).direct(false).backlog(4096)
                        .dataPool(strategy.pool()).build();
                Identity id = Identity.generate();
                TraversalServer hello = TraversalServer.open(id, options);
                servers.add(hello);
                hello.awaitRegistered(Duration.ofSeconds(10));
                serve(hello::accept, s -> Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.getOutputStream().write(1);
                        s.getInputStream().read();
                    } catch (IOException e) {
                        // done
                    }
                }));
                clients.add(new TraversalClient(options));
                keys.add(id.key());
            }
            // JIT warm-up of every path, below saturation, not counted
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < STRATEGIES.size(); i++) {
                    latency(clients.get(i), keys.get(i), 100, 3.0);
                }
            }
            for (int rate : rates) {
                for (int i = 0; i < STRATEGIES.size(); i++) {
                    Strategy strategy = STRATEGIES.get(i);
                    TraversalClient client = clients.get(i);
                    String key = keys.get(i);
                    // warm-up at the same rate, not counted, then the measured run
                    latency(client, key, rate, 1.0);
                    Thread.sleep(300);
                    FAILURES.set(0);
                    long[] gc0 = gc();
                    long cpuF0 = child.cpuMillis();
                    long cpuS0 = cpuMillis(self);
                    long[][] r = latency(client, key, rate, latencySeconds);
                    long cpuF = child.cpuMillis() - cpuF0;
                    long cpuS = cpuMillis(self) - cpuS0;
                    long[] gc1 = gc();
                    long[] ok = r[0];
                    int total = (int) (rate * latencySeconds);
                    double p50 = percentile(ok, 0.5);
                    double p99 = percentile(ok, 0.99);
                    double p999 = percentile(ok, 0.999);
                    System.out.printf("setup latency [%s], connect by key -> first byte, %d connections at %d/s"
                            + " (forwarder in its own JVM; timed from each one's scheduled start): p50 %.2f ms, p99"
                            + " %.2f ms, p999 %.2f ms, max %.2f ms, failures %d; CPU per connection: forwarder %.0f"
                            + " us, client+server %.0f us; GC meanwhile %d collections, %d ms%n", strategy.name(),
                            total, rate, p50, p99, p999, percentile(ok, 1.0), total - ok.length, cpuF * 1000.0
                                    / total, cpuS * 1000.0 / total, gc1[0] - gc0[0], gc1[1] - gc0[1]);
                    String suffix = "-at-" + rate + "-" + strategy.name();
                    String base = "-at-" + rate + "-" + STRATEGIES.get(0).name();
                    for (String q : List.of("p50", "p99", "p999")) {
                        double v = q.equals("p50") ? p50 : q.equals("p99") ? p99 : p999;
                        Double b = baseline.get("setup-" + q + base);
                        measure("setup-" + q + suffix, v, "ms", b == null || i == 0 ? null : "setup-" + q + base,
                                b == null ? 0 : b);
                        baseline.putIfAbsent("setup-" + q + suffix, v);
                    }
                    measure("setup-failures" + suffix, total - ok.length, "connections", null, 0);
                    measure("setup-cpu-forwarder" + suffix, cpuF * 1000.0 / total, "us/connection", null, 0);
                    measure("setup-cpu-client-server" + suffix, cpuS * 1000.0 / total, "us/connection", null, 0);
                }
            }
        } finally {
            for (TraversalServer server : servers) {
                server.close();
            }
            child.stop();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("forwarder")) {
            forwarderProcess();
            return;
        }
        double seconds = Double.parseDouble(args[0]);
        String socat = args[1];
        int[] rates = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        double latencySeconds = Double.parseDouble(args[3]);

        // the direct sink
        Sink sink = new Sink();
        ServerSocket direct = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        serve(direct::accept, sink::drain);

        // natgw: a forwarder, a server behind it whose accepted sockets feed the same sink
        ForwarderEngine fwd = newForwarder();
        Endpoint fe = new Endpoint(Endpoint.FORWARDER, "127.0.0.1", fwd.boundAddress().getPort());
        TraversalOptions options = TraversalOptions.builder().forwarder(fe).direct(false).backlog(4096).build();
        Identity id = Identity.generate();
        TraversalServer server = TraversalServer.open(id, options);
        server.awaitRegistered(Duration.ofSeconds(10));
        serve(server::accept, sink::drain);
        TraversalClient client = new TraversalClient(options);

        // socat as a relay in front of the sink
        int socatPort;
        try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socatPort = tmp.getLocalPort();
        }
        Process socatProcess = null;
        if (!socat.isEmpty()) {
            socatProcess = new ProcessBuilder(socat, "TCP-LISTEN:" + socatPort + ",bind=127.0.0.1,fork,reuseaddr",
                    "TCP:127.0.0.1:" + direct.getLocalPort()).inheritIO().start();
            long until = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < until) {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), socatPort)) {
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
        }

        System.out.printf("throughput, %.0f s per case, 64 KiB writes, loopback, %d CPUs:%n", seconds, Runtime
                .getRuntime().availableProcessors());
        // the relays under test: forwarders in JVMs of their own (what an operator runs; the endpoints here then do
        // not share a JVM, its GC and its carrier threads with the forwarder), one per build named in FORWARDER_JARS
        // (name=jar,...; default: this build), measured one after the other in each case; SAME_JVM=1 adds the
        // forwarder in this JVM that the figures before 2026-12-08 used
        List<Variant> variants = new ArrayList<>();
        if (seconds > 0) {
            String jars = System.getenv("FORWARDER_JARS");
            for (String spec : jars == null || jars.isBlank() ? List.of("") : List.of(jars.split(","))) {
                String name = spec.isEmpty() ? "own JVM" : spec.substring(0, spec.indexOf('='));
                String cp = spec.isEmpty() ? System.getProperty("java.class.path") : swapForwarderJar(spec.substring(
                        spec.indexOf('=') + 1));
                ChildForwarder child = ChildForwarder.start(cp, System.getenv("FORWARDER_OPTS_" + name));
                variants.add(Variant.of(name, new Endpoint(Endpoint.FORWARDER, "127.0.0.1", child.port()), child,
                        sink));
            }
            if ("1".equals(System.getenv("SAME_JVM"))) {
                variants.add(Variant.of("same JVM", fe, null, sink));
            }
        }
        for (int streams : seconds > 0 ? new int[]{1, 16} : new int[0]) {
            String st = streams + "-stream" + (streams == 1 ? "" : "s");
            double d = run("direct", streams, seconds, () -> connect(direct.getLocalPort()), sink);
            double s = Double.NaN;
            if (socatProcess != null) {
                int p = socatPort;
                s = run("socat relay", streams, seconds, () -> connect(p), sink);
            }
            for (Variant v : variants) {
                double pl = run("natgw plain relay [" + v.name + "]", streams, seconds, plainByKey(v.fe, v.plainKey),
                        sink, v.pid());
                double n = run("natgw e2e TLS relay [" + v.name + "]", streams, seconds, byKey(v.client, v.e2eKey),
                        sink, v.pid());
                String tag = v.name.replaceAll("[^A-Za-z0-9]+", "-");
                measure("relayed-plain-" + st + "-" + tag, pl, "Gbit/s", "direct", d);
                // the end-to-end channel's cost over the plain relay (before the TLS part's warm-up of the ciphers)
                measure("e2e-over-plain-relay-" + st + "-" + tag, n, "Gbit/s", "relayed-plain", pl);
                if (socatProcess != null) {
                    measure("relayed-plain-" + st + "-" + tag + "-vs-socat", pl, "Gbit/s", "socat", s);
                }
            }
        }

        // TLS: direct TLS against the end-to-end channel through each forwarder, and a TLS forwarder in this JVM
        if (seconds > 0) {
            tlsThroughput(seconds, sink, variants);
        }
        for (Variant v : variants) {
            if (v.child != null) {
                v.child.stop();
            }
        }

        // setup latency: connect by key -> first byte, at a bounded rate, through a forwarder in a JVM of its own,
        // for each data-connection strategy in turn
        if (latencySeconds > 0) {
            setupLatency(rates, latencySeconds);
        }
        // concurrent relays held open, through a forwarder in a process of its own, so that its own cost is seen
        // apart from that of the clients and servers (which live here)
        int relays = Integer.parseInt(args[4]);
        if (relays <= 0) {
            if (socatProcess != null) {
                socatProcess.destroy();
            }
            System.exit(0);
        }
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(javaCommand, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "benchmarks/relay/RelayBenchmark.java", "forwarder").redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        java.io.BufferedReader childOut = new java.io.BufferedReader(new java.io.InputStreamReader(child
                .getInputStream()));
        java.io.PrintStream childIn = new java.io.PrintStream(child.getOutputStream(), true);
        int heldPort = Integer.parseInt(childOut.readLine().trim());
        TraversalOptions heldOptions = TraversalOptions.builder().forwarder(new Endpoint(Endpoint.FORWARDER,
                "127.0.0.1", heldPort)).direct(false).backlog(4096).build();
        Identity id3 = Identity.generate();
        TraversalServer holder = TraversalServer.open(id3, heldOptions);
        holder.awaitRegistered(Duration.ofSeconds(10));
        TraversalClient heldClient = new TraversalClient(heldOptions);
        List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
        serve(holder::accept, s -> {
            held.add(s);
            Thread.ofVirtual().start(() -> {
                try {
                    byte[] b = new byte[100];
                    s.getInputStream().readNBytes(b, 0, 100);
                    s.getOutputStream().write(b);
                } catch (IOException e) {
                    // closed
                }
            });
        });
        childIn.println("measure");
        long[] f0 = Arrays.stream(childOut.readLine().trim().split(" ")).mapToLong(Long::parseLong).toArray();
        long heap0 = heapAfterGc();
        long direct0 = direct();
        long rss0 = rss();
        int threads0 = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> clients = new ArrayList<>();
        byte[] hundred = new byte[100];
        long t0 = System.nanoTime();
        for (int i = 0; i < relays; i++) {
            Socket c = heldClient.connect(id3.key());
            c.getOutputStream().write(hundred);
            c.getInputStream().readNBytes(100);
            clients.add(c);
        }
        double openSeconds = (System.nanoTime() - t0) / 1e9;
        long heap1 = heapAfterGc();
        long direct1 = direct();
        long rss1 = rss();
        int threads1 = ManagementFactory.getThreadMXBean().getThreadCount();
        childIn.println("measure");
        long[] f1 = Arrays.stream(childOut.readLine().trim().split(" ")).mapToLong(Long::parseLong).toArray();
        System.out.printf("%d concurrent relays held open (each has moved 100 bytes each way; opened in %.1f s)%n",
                relays, openSeconds);
        System.out.printf("  forwarder process (-Xmx512m) alone: %.1f MB heap, %.1f MB direct buffers, %.1f MB RSS,"
                + " %d platform threads in all; the relays added +%.1f MB heap, +%.1f MB direct, +%.1f MB RSS, %+d"
                + " platform threads: per relay %.1f kB heap + %.1f kB direct, %.1f kB RSS; it reports %d relays%n",
                f1[0] / 1e6, f1[1] / 1e6, f1[2] / 1e6, f1[3], (f1[0] - f0[0]) / 1e6, (f1[1] - f0[1]) / 1e6, (f1[2]
                        - f0[2]) / 1e6, f1[3] - f0[3], (f1[0] - f0[0]) / 1e3 / relays, (f1[1] - f0[1]) / 1e3
                                / relays, (f1[2] - f0[2]) / 1e3 / relays, f1[4]);
        System.out.printf("  clients and servers process: %+.1f MB heap, %+.1f MB direct buffers, %+.1f MB RSS, %+d"
                + " platform threads%n", (heap1 - heap0) / 1e6, (direct1 - direct0) / 1e6, (rss1 - rss0) / 1e6,
                threads1 - threads0);
        for (Socket c : clients) {
            c.close();
        }
        holder.close();
        childIn.close();
        child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        System.out.printf("forwarder counters: %s%n", fwd.counters());
        System.out.printf("JVM: %d platform threads, heap used %.0f MB%n", ManagementFactory.getThreadMXBean()
                .getThreadCount(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6);
        if (socatProcess != null) {
            socatProcess.destroy();
        }
        server.close();
        fwd.close();
        System.exit(0);
    }
}
