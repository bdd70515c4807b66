package dev.natgw.traversal.cli;

import dev.natgw.traversal.ClientPolicy;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.TruncatedStreamException;
import dev.natgw.traversal.protocol.Splice;
import dev.natgw.traversal.protocol.TenantCredential;
import dev.natgw.traversal.udp.UdpExpose;
import dev.natgw.traversal.udp.UdpForward;
import dev.natgw.traversal.udp.UdpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code natgw-traversal}: {@code expose} a local TCP or UDP port under a key (like frpc), {@code connect} standard
 * input and output to a key (like nc), {@code forward} a local TCP or UDP port to a key, {@code keygen} an identity.
 * Exit codes: 0 done, 1 failed (a stream cut short on the way too), 2 bad usage.
 */
public final class TraversalCli {

    static final String USAGE = """
            usage: natgw-traversal COMMAND [OPTIONS]
              keygen  --identity FILE                      create (or show) an identity and print its key
              expose  --port PORT [--host HOST]            publish HOST:PORT (default 127.0.0.1) under the identity's key
                      [--identity FILE]                    through a forwarder (no listening socket of its own)
                      [--direct [--direct-bind HOST:PORT] [--reprobe SECONDS]]
                                                           also listen at HOST:PORT (default 0.0.0.0, any port) and
                                                           take clients there directly while a forwarder's probe
                                                           reaches it; re-probe every SECONDS (default 60)
                      [--client-secret-file FILE]          serve only clients that present the file's secret
                      [--allow-client KEY]...              serve only clients that prove one of these keys
                      [--token FILE|CREDENTIAL]            the tenant credential the forwarder's operator issued
                                                           (fwd:tenant-add), or a file holding it; default: the
                                                           NATGW_TOKEN environment variable
                      [--forwarders N]                     register with up to N forwarders at once, each
                                                           announced, 1..4 (default 2): clients reach the server
                                                           through the others while one is down
              connect KEY                                  standard input and output to the server of KEY
              forward --listen [HOST:]PORT KEY             connections to the local port go to the server of KEY
              (expose, forward) [--udp]                    a UDP service instead of TCP: each flow (a client's
                                                           address and port) is carried over a connection of its
                                                           own, datagrams up to 65507 bytes
                      [--max-flows N]                      UDP flows at once (default 256); more are dropped
                      [--udp-idle SECONDS]                 a flow quiet this long ends (default 60; one request
                                                           and its answer, as DNS, ends after 5)
                      (connect, forward) [--identity FILE] [--client-secret-file FILE]
                                                           show this identity / present this secret to the server
            common options:
              --registry URL        the registry's HTTP face, e.g. http://127.0.0.1:8181/natgw/registry/v1, or
                                    https://HOST:8443/natgw/registry/v1#sha256:HEX pinned to the certificate
                                    natgw:status shows
              --forwarder ENDPOINT  natgw://HOST:PORT or natgw+tls://HOST:PORT; repeatable; used instead of the
                                    forwarders the registry lists
              --truststore FILE [--truststore-password PW]   trust for natgw+tls:// forwarders (PKCS12)
              --timeout SECONDS     connect and handshake timeout (default 10)
              --max-connections N   expose/forward: TCP connections relayed at once (default 1024)
              --direct-upgrade      try to move each relayed connection to a direct TCP path by hole punching,
                                    without loss; both ends must give it; where it fails the relay carries on
            Every connection is encrypted end to end and the server proves it holds KEY (docs/protocol.md, 11).
            """;

    private static final int BUFFER = 64 * 1024;

    private TraversalCli() {
    }

    public static void main(String[] args) {
        int code = run(args, System.in, System.out, System.err);
        System.exit(code);
    }

    /** Runs one command; returns its exit code. The long-running commands return when interrupted or on failure. */
    static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr) {
        Args a;
        try {
            a = Args.parse(args);
        } catch (IllegalArgumentException e) {
            stderr.println("natgw-traversal: " + e.getMessage());
            stderr.print(USAGE);
            return 2;
        }
        try {
            return switch (a.command) {
                case "keygen" -> keygen(a, stdout);
                case "expose" -> expose(a, stdout, stderr);
                case "connect" -> connect(a, stdin, stdout, stderr);
                case "forward" -> forward(a, stdout, stderr);
                default -> {
                    stderr.println("natgw-traversal: unknown command " + a.command);
                    stderr.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            stderr.println("natgw-traversal: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            stderr.println("natgw-traversal: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int keygen(Args a, PrintStream out) throws IOException {
        Identity id = Identity.loadOrCreate(Path.of(a.require("--identity")));
        out.println(id.key());
        return 0;
    }

    private static int expose(Args a, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        int port = a.port("--port");
        String host = a.get("--host", "127.0.0.1");
        Path idFile = Path.of(a.get("--identity", System.getProperty("user.home") + "/.natgw/identity"));
        TraversalOptions.Builder b = a.options();
        // forwarded only unless asked: listening on every address is the user's choice, never a default
        boolean direct = a.flag("--direct");
        if (direct && a.flag("--no-direct")) {
            throw new IllegalArgumentException("expose takes --direct or --no-direct, not both");
        }
        for (String needsDirect : List.of("--direct-bind", "--reprobe")) {
            if (!direct && a.has(needsDirect)) {
                throw new IllegalArgumentException(needsDirect + " needs --direct");
            }
        }
        b.direct(direct);
        if (a.has("--direct-bind")) {
            b.directBind(a.hostPort("--direct-bind"));
        }
        if (a.has("--reprobe")) {
            b.reprobeInterval(Duration.ofSeconds(a.integer("--reprobe", 60)));
        }
        int atOnce = a.integer("--forwarders", TraversalOptions.DEFAULT_FORWARDERS_AT_ONCE);
        if (atOnce > TraversalOptions.MAX_FORWARDERS_AT_ONCE) {
            throw new IllegalArgumentException("--forwarders must be 1.." + TraversalOptions.MAX_FORWARDERS_AT_ONCE
                    + ", was " + atOnce);
        }
        b.forwardersAtOnce(atOnce);
        String token = a.has("--token") ? a.get("--token", null) : System.getenv("NATGW_TOKEN");
        if (token != null && !token.isBlank()) {
            b.credential(credentialText(token));
        }
        UdpLimits udpLimits = a.udpLimits();
        Semaphore slots = new Semaphore(a.integer("--max-connections", 1024));
        TraversalOptions options = b.build();
        ClientPolicy.Builder policy = ClientPolicy.builder();
        if (a.has("--client-secret-file")) {
            policy.secret(a.secret());
        }
        for (String k : a.all("--allow-client")) {
            policy.allow(k);
        }
        ClientPolicy clients = policy.build();
        // only a command line found good creates an identity
        Identity id = Identity.loadOrCreate(idFile);
        try (TraversalServer server = TraversalServer.open(id, options, clients, a.flag("--direct-upgrade"))) {
            out.println("key " + server.key());
            out.flush();
            if (!server.awaitRegistered(Duration.ofSeconds(30))) {
                err.println("natgw-traversal: no forwarder has taken " + server.key() + " yet; still trying");
                err.flush();
            }
            // a line each time where clients reach it changes (registered, a forwarder lost or added, moved to
            // another forwarder, direct): every place, comma-separated
            Thread.ofVirtual().name("natgw-traversal-status").start(() -> {
                String shown = "";
                try {
                    while (true) {
                        String now = server.endpoints().stream().map(Endpoint::toString).sorted().collect(Collectors
                                .joining(", "));
                        if (!now.isEmpty() && !now.equals(shown)) {
                            out.println("published at " + now);
                            out.flush();
                            shown = now;
                        }
                        Thread.sleep(250);
                    }
                } catch (InterruptedException e) {
                    // done
                }
            });
            if (udpLimits != null) {
                return exposeUdp(server, new InetSocketAddress(host, port), udpLimits, err);
            }
            while (true) {
                Socket client = server.accept();
                if (!slots.tryAcquire()) {
                    client.close();
                    continue;
                }
                Thread.ofVirtual().start(() -> {
                    try (Socket c = client; Socket local = new Socket()) {
                        local.setTcpNoDelay(true);
                        local.connect(new InetSocketAddress(host, port), 10_000);
                        splice(c, local, local);
                    } catch (IOException e) {
                        // this client's relay ended
                    } finally {
                        slots.release();
                    }
                });
            }
        }
    }

    /** Serves each client of server as a UDP flow to service, until the server fails. */
    private static int exposeUdp(TraversalServer server, InetSocketAddress service, UdpLimits limits,
            PrintStream err) throws IOException {
        UdpStatus status = new UdpStatus(err);
        try (UdpExpose udp = new UdpExpose(service, limits, status::failed)) {
            Thread report = Thread.ofVirtual().name("natgw-traversal-udp-status").start(() -> status.report(udp
                    .counters()));
            try {
                while (true) {
                    udp.serve(server.accept());
                }
            } finally {
                report.interrupt();
            }
        }
    }

    private static int connect(Args a, InputStream stdin, PrintStream stdout, PrintStream stderr)
            throws IOException, InterruptedException {
        String key = a.positional(0, "KEY");
        if (a.flag("--udp")) {
            throw new IllegalArgumentException("connect carries a stream; --udp is for expose and forward");
        }
        try (Socket s = a.client().connect(key)) {
            Thread up = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    Splice.copy(stdin, s.getOutputStream(), new byte[BUFFER], n -> {
                    });
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the connection ended
                }
            });
            try {
                Splice.copy(s.getInputStream(), stdout, new byte[BUFFER], n -> {
                });
            } catch (TruncatedStreamException e) {
                // what came may be only the first part of the answer: a script must not take it for all of it
                stdout.flush();
                up.interrupt();
                stderr.println("natgw-traversal: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                // reset: done
            }
            stdout.flush();
            up.interrupt();
            return 0;
        }
    }

    private static int forward(Args a, PrintStream out, PrintStream err) throws IOException {
        String key = a.positional(0, "KEY");
        InetSocketAddress listen = a.listen("--listen");
        UdpLimits udpLimits = a.udpLimits();
        TraversalClient client = a.client();
        if (udpLimits != null) {
            return forwardUdp(listen, () -> client.connect(key), key, udpLimits, out, err);
        }
        Semaphore slots = new Semaphore(a.integer("--max-connections", 1024));
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(listen, 128);
            out.println("forwarding " + ss.getLocalSocketAddress() + " to " + key);
            out.flush();
            while (true) {
                Socket local = ss.accept();
                if (!slots.tryAcquire()) {
                    local.close();
                    continue;
                }
                Thread.ofVirtual().start(() -> {
                    try (Socket l = local) {
                        Socket remote;
                        try {
                            remote = client.connect(key);
                        } catch (IOException e) {
                            // why this local connection is closed at once: the key unreachable, or an impostor
                            err.println("natgw-traversal: " + e.getMessage());
                            err.flush();
                            return;
                        }
                        try (remote) {
                            l.setTcpNoDelay(true);
                            splice(l, remote, l);
                        }
                    } catch (IOException e) {
                        // this connection ended
                    } finally {
                        slots.release();
                    }
                });
            }
        }
    }

    /** Carries the UDP flows at listen to the server of key, each over a stream from streams, until interrupted. */
    private static int forwardUdp(InetSocketAddress listen, UdpForward.Streams streams, String key, UdpLimits limits,
            PrintStream out, PrintStream err) throws IOException {
        UdpStatus status = new UdpStatus(err);
        try (UdpForward udp = UdpForward.open(listen, streams, limits, status::failed)) {
            out.println("forwarding udp " + udp.localAddress() + " to " + key);
            out.flush();
            status.report(udp.counters());
            return 1;
        }
    }

    /**
     * Relays both ways with half-close until both directions end. A stream cut short on the way ends local, the
     * application's own connection, with a reset, so that the application sees an error rather than an end.
     */
    static void splice(Socket a, Socket b, Socket local) throws IOException {
        Thread back = Thread.ofVirtual().start(() -> oneWay(b, a, local));
        oneWay(a, b, local);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void oneWay(Socket from, Socket to, Socket local) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            Splice.copy(in, out, new byte[BUFFER], n -> {
            });
            to.shutdownOutput();
        } catch (IOException | UnsupportedOperationException e) {
            if (e instanceof TruncatedStreamException) {
                // a reset, not a FIN: the application must not take the part that came for the whole
                try {
                    local.setSoLinger(true, 0);
                } catch (IOException closed) {
                    // closed already by the other direction
                }
            }
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** {@return a credential given as its text, or the text of the file it names} */
    static String credentialText(String value) throws IOException {
        String v = value.strip();
        if (v.startsWith(TenantCredential.PREFIX)) {
            return v;
        }
        Path file = Path.of(v);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--token takes a credential (" + TenantCredential.PREFIX
                    + "...) or a file holding one; no file " + v);
        }
        return Files.readString(file).strip();
    }

    /** Parsed command line. */
    static final class Args {
        String command;
        final List<String> positional = new ArrayList<>();
        final List<String[]> options = new ArrayList<>();

        /** --no-direct is the default now, still accepted for the scripts that give it. */
        static final List<String> FLAGS = List.of("--direct", "--no-direct", "--udp", "--direct-upgrade");
        static final List<String> VALUED = List.of("--identity", "--port", "--host", "--registry", "--forwarder",
                "--truststore", "--truststore-password", "--timeout", "--listen", "--direct-bind",
                "--max-connections", "--reprobe", "--client-secret-file", "--allow-client", "--token",
                "--forwarders", "--max-flows", "--udp-idle");

        static Args parse(String[] args) {
            Args a = new Args();
            for (int i = 0; i < args.length; i++) {
                String s = args[i];
                if (FLAGS.contains(s)) {
                    a.options.add(new String[]{s, "true"});
                } else if (VALUED.contains(s)) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(s + " needs a value");
                    }
                    a.options.add(new String[]{s, args[++i]});
                } else if (s.startsWith("--")) {
                    throw new IllegalArgumentException("unknown option " + s);
                } else if (a.command == null) {
                    a.command = s;
                } else {
                    a.positional.add(s);
                }
            }
            if (a.command == null) {
                throw new IllegalArgumentException("no command");
            }
            return a;
        }

        boolean has(String name) {
            return options.stream().anyMatch(o -> o[0].equals(name));
        }

        boolean flag(String name) {
            return has(name);
        }

        String get(String name, String def) {
            String v = def;
            for (String[] o : options) {
                if (o[0].equals(name)) {
                    v = o[1];
                }
            }
            return v;
        }

        List<String> all(String name) {
            return options.stream().filter(o -> o[0].equals(name)).map(o -> o[1]).toList();
        }

        String require(String name) {
            String v = get(name, null);
            if (v == null) {
                throw new IllegalArgumentException(command + " needs " + name);
            }
            return v;
        }

        String positional(int i, String what) {
            if (positional.size() <= i) {
                throw new IllegalArgumentException(command + " needs " + what);
            }
            return positional.get(i);
        }

        int integer(String name, int def) {
            String v = get(name, String.valueOf(def));
            try {
                int n = Integer.parseInt(v);
                if (n < 1) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a positive number, was " + v);
            }
        }

        int port(String name) {
            int p = portOf(name, require(name));
            if (p == 0) {
                throw new IllegalArgumentException(name + " must be 1..65535, was 0");
            }
            return p;
        }

        InetSocketAddress hostPort(String name) {
            String v = require(name);
            int colon = v.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(name + " must be HOST:PORT, was " + v);
            }
            return new InetSocketAddress(v.substring(0, colon), portOf(name, v.substring(colon + 1)));
        }

        InetSocketAddress listen(String name) {
            String v = require(name);
            int colon = v.lastIndexOf(':');
            if (colon < 0) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), portOf(name, v));
            }
            return new InetSocketAddress(v.substring(0, colon), portOf(name, v.substring(colon + 1)));
        }

        private static int portOf(String name, String v) {
            try {
                int p = Integer.parseInt(v);
                if (p < 0 || p > 65535) {
                    throw new NumberFormatException();
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " has a bad port: " + v);
            }
        }

        TraversalOptions.Builder options() throws IOException {
            TraversalOptions.Builder b = TraversalOptions.builder();
            if (has("--registry")) {
                b.registry(URI.create(get("--registry", null)));
            }
            for (String f : all("--forwarder")) {
                b.forwarder(Endpoint.parse(f));
            }
            int timeout = integer("--timeout", 10);
            b.connectTimeout(Duration.ofSeconds(timeout)).handshakeTimeout(Duration.ofSeconds(timeout));
            if (has("--truststore")) {
                b.tls(trust(Path.of(get("--truststore", null)), get("--truststore-password", "")));
            }
            if (!has("--registry") && !has("--forwarder")) {
                throw new IllegalArgumentException(command + " needs --registry URL or --forwarder ENDPOINT");
            }
            return b;
        }

        /** {@return the UDP bounds given, null unless --udp} */
        UdpLimits udpLimits() {
            if (!flag("--udp")) {
                for (String udpOnly : List.of("--max-flows", "--udp-idle")) {
                    if (has(udpOnly)) {
                        throw new IllegalArgumentException(udpOnly + " needs --udp");
                    }
                }
                return null;
            }
            if (has("--max-connections")) {
                throw new IllegalArgumentException("--max-connections bounds TCP connections; with --udp give "
                        + "--max-flows");
            }
            return UdpLimits.DEFAULTS.withMaxFlows(integer("--max-flows", UdpLimits.DEFAULT_MAX_FLOWS))
                    .withIdleTimeout(Duration.ofSeconds(integer("--udp-idle", (int) UdpLimits.DEFAULT_IDLE
                            .toSeconds())));
        }

        /** {@return a client with the options, and the identity and secret given, if any} */
        TraversalClient client() throws IOException {
            TraversalOptions o = options().build();
            Identity id = has("--identity") ? Identity.load(Path.of(get("--identity", null))) : null;
            return new TraversalClient(o, id, has("--client-secret-file") ? secret() : null, flag("--direct-upgrade"));
        }

        /** {@return the secret in --client-secret-file: its bytes, without a final line break} */
        byte[] secret() throws IOException {
            Path file = Path.of(require("--client-secret-file"));
            String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
            text = text.endsWith("\r\n")
                    ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            byte[] secret = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (secret.length == 0 || secret.length > 1024) {
                throw new IllegalArgumentException("the secret in " + file + " must be 1..1024 bytes, was "
                        + secret.length);
            }
            return secret;
        }

        private static javax.net.ssl.SSLSocketFactory trust(Path file, String password) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password.toCharArray());
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return ctx.getSocketFactory();
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("truststore " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
