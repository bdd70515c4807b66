package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.forwarder.Fixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A stream cut short on the way (by anyone between a side and the forwarder, here a {@link CutProxy}) is an error
 * for the CLI's user, never a clean end: {@code connect} exits 1 naming the cut, and {@code forward} and
 * {@code expose} end the local application's connection with a reset, so that it sees an error rather than taking
 * the part that came for the whole.
 */
class CutStreamCliTest extends CliTestBase {

    private static final Duration LINE = Duration.ofSeconds(20);
    private static final int ANSWER = 2 << 20;
    private static final long CUT_AFTER = 256 * 1024;

    private static byte[] answer() {
        byte[] b = new byte[ANSWER];
        new Random(11).nextBytes(b);
        return b;
    }

    /** A service that sends {@link #ANSWER} bytes to each connection, then closes it properly. */
    private static ServerSocket answering() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.getOutputStream().write(answer());
                } catch (IOException e) {
                    // the client went, or the test ended
                }
            }
        });
        return ss;
    }

    /** {@return the key of service, exposed through forwarder and published} */
    private String expose(ServerSocket service, Endpoint forwarder) throws Exception {
        CliProcesses.Running expose = cli.jar("expose", "--port", String.valueOf(service.getLocalPort()),
                "--identity", dir.resolve("id").toString(), "--forwarder", forwarder.toString(), "--token", Fixture
                        .credential());
        String key = expose.nextLine(LINE).substring(4);
        assertThat(expose.nextLine(LINE)).startsWith("published at ");
        return key;
    }

    @Test
    void connectExitsWithOneNamingTheCut() throws Exception {
        try (ServerSocket service = answering(); CutProxy path = new CutProxy(fwd.boundAddress(), CUT_AFTER)) {
            String key = expose(service, Fixture.endpoint(fwd));
            Process connect = new ProcessBuilder(java(), "-jar", System.getProperty("natgw.traversal.cli.jar"),
                    "connect", key, "--forwarder", path.endpoint().toString()).start();
            connect.getOutputStream().close();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> text(connect.getErrorStream()));
            byte[] out = connect.getInputStream().readAllBytes();
            assertThat(connect.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(path.cuts.get()).isEqualTo(1);
            assertThat(connect.exitValue()).isEqualTo(1);
            assertThat(err.get(10, TimeUnit.SECONDS)).contains(key).contains("cut short on the way");
            assertThat(out.length).isLessThan(ANSWER);
        }
    }

    @Test
    void forwardResetsTheLocalConnection() throws Exception {
        try (ServerSocket service = answering(); CutProxy path = new CutProxy(fwd.boundAddress(), CUT_AFTER)) {
            String key = expose(service, Fixture.endpoint(fwd));
            int port;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = tmp.getLocalPort();
            }
            CliProcesses.Running forward = cli.jar("forward", "--listen", "127.0.0.1:" + port, key, "--forwarder",
                    path.endpoint().toString());
            assertThat(forward.nextLine(LINE)).startsWith("forwarding ");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long[] got = {0};
                assertThatThrownBy(() -> {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        got[0] += n;
                    }
                }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
                assertThat(got[0]).isLessThan(ANSWER);
            }
            assertThat(path.cuts.get()).isEqualTo(1);
        }
    }

    @Test
    void exposeResetsTheLocalServicesConnection() throws Exception {
        CompletableFuture<String> howItEnded = new CompletableFuture<>();
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                CutProxy path = new CutProxy(fwd.boundAddress(), CUT_AFTER)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = sink.accept()) {
                    long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    howItEnded.complete("an end after " + n + " bytes");
                } catch (IOException e) {
                    howItEnded.complete(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            });
            // the exposing side reaches the forwarder through the path that cuts; the client does not
            String key = expose(sink, path.endpoint());
            int port;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = tmp.getLocalPort();
            }
            CliProcesses.Running forward = cli.jar("forward", "--listen", "127.0.0.1:" + port, key, "--forwarder",
                    Fixture.endpoint(fwd).toString());
            assertThat(forward.nextLine(LINE)).startsWith("forwarding ");
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.ofVirtual().start(() -> {
                    try {
                        s.getOutputStream().write(answer());
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // the forward ended the connection after the cut
                    }
                });
                assertThat(howItEnded.get(30, TimeUnit.SECONDS)).startsWith("SocketException").contains("reset");
            }
            await().atMost(LINE).until(() -> path.cuts.get() == 1);
        }
    }

    private static String java() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String text(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
