package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.forwarder.Fixture;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code expose --udp} and {@code forward --udp} as users run them, in processes of their own, against a real forwarder
 * and the registry's HTTP face on loopback, with a real UDP service: it answers through the forwarder and directly,
 * each flow gets its own answers, and the bounds on flows hold against a flood and a client that hoards streams.
 */
class UdpCliTest extends CliTestBase {

    private static final Duration LINE = Duration.ofSeconds(20);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<DatagramSocket> sockets = new ArrayList<>();

    private DatagramSocket client() throws IOException {
        DatagramSocket s = new DatagramSocket(0, LOOPBACK);
        sockets.add(s);
        return s;
    }

    private static byte[] payload(int seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** {@return a UDP port on loopback that was free a moment ago} */
    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** {@return expose --udp started, with these extra options} */
    private CliProcesses.Running exposeUdp(UdpEcho echo, String id, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("expose", "--udp", "--port", String.valueOf(echo.port()),
                "--identity", dir.resolve(id).toString(), "--registry", face.uri().toString(), "--token", Fixture
                        .credential()));
        args.addAll(List.of(more));
        return cli.jar(args.toArray(String[]::new));
    }

    /** Starts forward --udp to key at port with these extra options and waits for its first line. */
    private CliProcesses.Running forwardUdp(String key, int port, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("forward", "--udp", "--listen", "127.0.0.1:" + port, key,
                "--registry", face.uri().toString()));
        args.addAll(List.of(more));
        CliProcesses.Running forward = cli.jarTellingErrors(args.toArray(String[]::new));
        assertThat(forward.nextLine(LINE)).isEqualTo("forwarding udp /127.0.0.1:" + port + " to " + key);
        return forward;
    }

    /** {@return the ports the service saw when each client asked through port, datagrams of these sizes} */
    private static Set<Integer> askAll(List<DatagramSocket> clients, int port, int... sizes) throws IOException {
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
        Set<Integer> askers = new HashSet<>();
        for (int size : sizes) {
            for (int i = 0; i < clients.size(); i++) {
                byte[] p = payload(size + i, size);
                UdpEcho.Answer a = UdpEcho.ask(clients.get(i), to, p, 10);
                assertThat(a.payload()).isEqualTo(p);
                askers.add(a.port());
            }
        }
        return askers;
    }

    /** {@return the median and the largest of 200 round trips of 512 bytes on one flow (a figure, not asserted)} */
    private static String roundTrips(DatagramSocket client, int port) throws IOException {
        InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
        long[] micros = new long[200];
        for (int i = 0; i < micros.length; i++) {
            long start = System.nanoTime();
            UdpEcho.ask(client, to, payload(1000 + i, 512), 10);
            micros[i] = (System.nanoTime() - start) / 1000;
        }
        Arrays.sort(micros);
        return micros.length + " round trips of 512 bytes, median " + micros[micros.length / 2] + " us, largest "
                + micros[micros.length - 1] + " us";
    }

    @Test
    void aUdpServiceExposedByKeyAnswersThroughTheForwarderAndDirectly() throws Exception {
        try (UdpEcho echo = new UdpEcho()) {
            CliProcesses.Running expose = exposeUdp(echo, "id");
            String key = expose.nextLine(LINE).substring(4);
            assertThat(expose.nextLine(LINE)).isEqualTo("published at " + Fixture.endpoint(fwd));
            int port = freeUdpPort();
            forwardUdp(key, port);
            List<DatagramSocket> clients = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                clients.add(client());
            }
            // the empty datagram, a small one, one larger than any MTU: each flow its own answers, by its own socket
            assertThat(askAll(clients, port, 0, 512, 60_000)).hasSize(8);
            assertThat(fwd.counters().relaysOpened()).isEqualTo(8);
            System.out.println("udp through the forwarder: " + roundTrips(clients.getFirst(), port));

            // directly: the same through the server's own listener, the forwarder relaying nothing
            CliProcesses.Running direct = exposeUdp(echo, "id2", "--direct", "--direct-bind", "127.0.0.1:0");
            String directKey = direct.nextLine(LINE).substring(4);
            assertThat(direct.nextLine(LINE)).startsWith("published at tcp://127.0.0.1:");
            int directPort = freeUdpPort();
            forwardUdp(directKey, directPort);
            assertThat(askAll(clients.subList(0, 4), directPort, 0, 1200)).hasSize(4);
            assertThat(fwd.counters().relaysOpened()).isEqualTo(8);
            System.out.println("udp directly: " + roundTrips(clients.getFirst(), directPort));
        }
    }

    @Test
    void udpOptionsOutsideUdpAreBadUsage() throws Exception {
        for (List<String> args : List.of(List.of("forward", "--listen", "9", "KEY", "--max-flows", "3"), List.of(
                "forward", "--udp", "--listen", "9", "KEY", "--max-connections", "3"),
                List.of("connect", "KEY",
                        "--udp"))) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-jar", System.getProperty("natgw.traversal.cli.jar")));
            cmd.addAll(args);
            cmd.addAll(List.of("--registry", face.uri().toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(text).isEqualTo(2);
            assertThat(text).containsAnyOf("--max-flows needs --udp", "with --udp give --max-flows",
                    "--udp is for expose and forward");
        }
    }

    @Test
    void floodsBeyondTheFlowBoundsAreRefusedWhileAnHonestFlowGoesOnAndQuietFlowsEnd() throws Exception {
        try (UdpEcho echo = new UdpEcho()) {
            CliProcesses.Running expose = exposeUdp(echo, "id", "--max-flows", "4", "--udp-idle", "60");
            String key = expose.nextLine(LINE).substring(4);
            expose.nextLine(LINE);
            long exposePid = expose.process.pid();
            int port = freeUdpPort();
            CliProcesses.Running forward = forwardUdp(key, port, "--max-flows", "2", "--udp-idle", "60");
            InetSocketAddress to = new InetSocketAddress(LOOPBACK, port);
            // two honest flows take the forwarding side's two places (more than one exchange each: they stay)
            DatagramSocket honest = client();
            int asker = UdpEcho.ask(honest, to, payload(1, 100), 10).port();
            assertThat(askAll(List.of(honest, client()), port, 10, 20)).hasSize(2).contains(asker);

            // a flood of new flows at the forwarding side: all dropped
            for (int i = 0; i < 60; i++) {
                try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
                    s.send(new DatagramPacket(new byte[200], 200, to));
                }
            }
            assertThat(UdpEcho.ask(honest, to, payload(2, 100), 10).port()).isEqualTo(asker);
            Pattern refused = Pattern.compile("natgw-traversal: udp: 2 flows opened, (\\d+) refused");
            long deadline = System.nanoTime() + LINE.toNanos();
            int seen = 0;
            while (seen < 60 && System.nanoTime() < deadline) {
                Matcher m = refused.matcher(forward.nextLine(LINE));
                if (m.find()) {
                    seen = Integer.parseInt(m.group(1));
                }
            }
            assertThat(seen).isEqualTo(60);

            // a client that hoards streams at the exposing side: two places are left of four, the rest are closed
            await().atMost(LINE).until(() -> CliProcesses.udpSockets(exposePid) == 2);
            TraversalClient hoarder = new TraversalClient(TraversalOptions.builder().registry(face.uri()).build());
            List<Socket> held = new ArrayList<>();
            int closed = 0;
            try {
                for (int i = 0; i < 6; i++) {
                    Socket s = hoarder.connect(key);
                    held.add(s);
                    s.setSoTimeout(2000);
                    try {
                        if (s.getInputStream().read() == -1) {
                            closed++;
                        }
                    } catch (SocketTimeoutException e) {
                        // held open: a flow
                    }
                }
                assertThat(closed).isEqualTo(4);
                assertThat(CliProcesses.udpSockets(exposePid)).isEqualTo(4);
                assertThat(UdpEcho.ask(honest, to, payload(3, 100), 10).port()).isEqualTo(asker);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }

            // quiet flows end: a forward with a short idle time; its flow's socket at the exposing side goes with it
            await().atMost(LINE).until(() -> CliProcesses.udpSockets(exposePid) == 2);
            int quickPort = freeUdpPort();
            forwardUdp(key, quickPort, "--udp-idle", "3");
            DatagramSocket quiet = client();
            InetSocketAddress quick = new InetSocketAddress(LOOPBACK, quickPort);
            int first = UdpEcho.ask(quiet, quick, payload(4, 10), 10).port();
            assertThat(CliProcesses.udpSockets(exposePid)).isEqualTo(3);
            await().atMost(LINE).until(() -> CliProcesses.udpSockets(exposePid) == 2);
            // asked again, it is a new flow
            assertThat(UdpEcho.ask(quiet, quick, payload(5, 10), 10).port()).isNotEqualTo(first);
        } finally {
            for (DatagramSocket s : sockets) {
                s.close();
            }
        }
    }
}
