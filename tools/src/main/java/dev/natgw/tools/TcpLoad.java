package dev.natgw.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * TCP load for natgw's end-to-end tests and benchmarks, with no dependencies:
 *
 * <pre>
 * java -cp natgw-tools.jar dev.natgw.tools.TcpLoad server --bind ADDR --port P --max N [--idle-seconds S]
 * java -cp natgw-tools.jar dev.natgw.tools.TcpLoad hold --target ADDR:PORT --count N --hold-seconds S
 *     --timeout-seconds T [--concurrency C] [--open-rate R]
 * java -cp natgw-tools.jar dev.natgw.tools.TcpLoad rate --target ADDR:PORT --seconds S --concurrency C --max M
 *     [--timeout-ms T]
 * </pre>
 *
 * The load modes print one JSON line and exit 0 when every connection succeeded, 1 otherwise; a bad command line
 * exits 2 with a message naming the option.
 */
public final class TcpLoad {

    static final String USAGE = """
            usage: TcpLoad server --bind ADDR --port P --max N [--idle-seconds S (600)]
                   TcpLoad hold --target ADDR:PORT --count N --hold-seconds S --timeout-seconds T
                                [--concurrency C (256)] [--open-rate R per second (0: unpaced)]
                   TcpLoad rate --target ADDR:PORT --seconds S --concurrency C --max M [--timeout-ms T (3000)]""";

    private TcpLoad() {
    }

    public static void main(String[] args) throws InterruptedException {
        int code = run(args, System.out, System.err);
        System.exit(code);
    }

    /** Runs one mode; returns the exit code. The server mode returns only if it cannot start. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        try {
            if (args.length == 0) {
                throw new UsageException("no mode given");
            }
            return switch (args[0]) {
                case "server" -> server(Options.parse("server", args, 1, Set.of("bind", "port", "max",
                        "idle-seconds")), out, err);
                case "hold" -> hold(Options.parse("hold", args, 1, Set.of("target", "count", "hold-seconds",
                        "timeout-seconds", "concurrency", "open-rate")), out);
                case "rate" -> rate(Options.parse("rate", args, 1, Set.of("target", "seconds", "concurrency", "max",
                        "timeout-ms")), out);
                default -> throw new UsageException("unknown mode '" + args[0] + "'");
            };
        } catch (UsageException e) {
            err.println("TcpLoad: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    private static int server(Options o, PrintStream out, PrintStream err) throws UsageException,
            InterruptedException {
        InetSocketAddress bind = new InetSocketAddress(o.address("bind"), o.integer("port", null, 0, 65535));
        int max = o.integer("max", null, 1, 1_000_000);
        int idle = o.integer("idle-seconds", 600, 1, 86_400);
        checkDescriptors("--max", max);
        EchoServer server;
        try {
            server = new EchoServer(bind, max, Duration.ofSeconds(idle));
        } catch (IOException e) {
            err.println("TcpLoad: cannot listen on " + bind + ": " + e.getMessage());
            return 1;
        }
        out.println(new Json().put("mode", "server").put("listening", bind.getAddress().getHostAddress() + ":"
                + server.port()).put("max", max).put("idleSeconds", idle));
        out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println(server.stats());
            out.flush();
            try {
                server.close();
            } catch (IOException e) {
                // exiting anyway
            }
        }));
        new CountDownLatch(1).await(); // until the process is stopped
        return 0;
    }

    private static int hold(Options o, PrintStream out) throws UsageException, InterruptedException {
        HoldLoad.Settings settings = new HoldLoad.Settings(o.endpoint("target"), o.integer("count", null, 1,
                1_000_000), o.integer("hold-seconds", null, 0, 86_400),
                o.integer("timeout-seconds", null, 1,
                        3_600),
                o.integer("concurrency", 256, 1, 100_000), o.integer("open-rate", 0, 0, 1_000_000));
        checkDescriptors("--count", settings.count());
        HoldLoad.Result result = new HoldLoad(settings).run();
        out.println(result.json());
        return result.clean() ? 0 : 1;
    }

    private static int rate(Options o, PrintStream out) throws UsageException, InterruptedException {
        RateLoad.Settings settings = new RateLoad.Settings(o.endpoint("target"), o.integer("seconds", null, 1,
                3_600), o.integer("concurrency", null, 1, 1024), o.integer("max", null, 1, 10_000_000),
                o.integer(
                        "timeout-ms", 3000, 1, 600_000));
        RateLoad.Result result = new RateLoad(settings).run();
        out.println(result.json());
        return result.clean() ? 0 : 1;
    }

    /** Refuses a number of connections this process cannot hold open at once, instead of failing half-way. */
    private static void checkDescriptors(String option, int connections) throws UsageException {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long limit = os.getMaxFileDescriptorCount();
            // the JVM itself keeps some open: jars, its own pipes, the listener
            if (connections > limit - 64) {
                throw new UsageException(option + " " + connections + " needs more file descriptors than this process"
                        + " may open (" + limit + "); raise it with ulimit -n");
            }
        }
    }
}
