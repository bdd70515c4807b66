package dev.natgw.forwarder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.TraversalClient;
import dev.natgw.traversal.TraversalOptions;
import dev.natgw.traversal.TraversalServer;
import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A token sniffed on the wire cannot take over a stream (docs/protocol.md, section 5). The server reaches a plain TCP
 * forwarder on loopback through a proxy in its path, which reads the frames of the control connection: when INCOMING
 * goes by, the attacker holds it back and, while the client waits, opens connections of its own to the forwarder with
 * the live token, unsigned and signed by its own key. Both are refused and leave the token alone; then the proxy lets
 * INCOMING through, and the real server's signed data connection carries the client's stream intact.
 */
class SniffedTokenTest {

    private final RegistryManager registry = Fixture.registry();
    /** What the forwarder answered each of the attacker's DATA connections. */
    private final List<Frame> attackAnswers = new CopyOnWriteArrayList<>();
    /** What the attacker read after each answer: -1, the end of the stream, if no stream reached it. */
    private final List<Integer> afterAnswer = new CopyOnWriteArrayList<>();
    private final List<byte[]> sniffed = new CopyOnWriteArrayList<>();
    private ForwarderManager fwd;
    private ServerSocket proxy;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (fwd != null) {
            fwd.deactivate();
        }
        TestRegistry.stop(registry);
    }

    @Test
    void aTokenSniffedOnTheWireCannotTakeOverTheClientsStream() throws Exception {
        fwd = Fixture.forwarder(registry, Map.of());
        int fwdPort = fwd.boundAddress().getPort();
        proxy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> proxyLoop(fwdPort));

        Identity id = Identity.generate();
        TraversalOptions serverSide = TraversalOptions.builder().forwarder(new Endpoint(Endpoint.FORWARDER,
                "127.0.0.1", proxy.getLocalPort())).direct(false).credential(Fixture.credential()).build();
        TraversalOptions clientSide = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).build();
        try (TraversalServer server = TraversalServer.open(id, serverSide)) {
            assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
            Echo.serve(server);
            for (int i = 0; i < 3; i++) {
                try (Socket s = new TraversalClient(clientSide).connect(id.key())) {
                    Echo.roundTrip(s, 200_000, i);
                }
            }
        }
        // every stream went through the real server, each token was seen and tried by the attacker, twice
        assertThat(sniffed).hasSize(3);
        assertThat(attackAnswers).hasSize(6);
        for (Frame answer : attackAnswers) {
            assertThat(answer.type()).as(MessageType.name(answer.type())).isEqualTo(MessageType.ERROR);
            ProtocolException e = answer.asError();
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_TOKEN);
            assertThat(e.getMessage()).contains("usable only by its server");
        }
        assertThat(afterAnswer).hasSize(6).containsOnly(-1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(fwd.counters().relaysClosed())
                .isEqualTo(3));
        assertThat(fwd.counters().clientsAccepted()).isEqualTo(3);
        assertThat(fwd.counters().relaysOpened()).isEqualTo(3);
    }

    /** The proxy in the server's path: relays every connection to the forwarder, reading control connections' frames. */
    private void proxyLoop(int fwdPort) {
        while (!proxy.isClosed()) {
            try {
                Socket in = proxy.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), fwdPort);
                Thread.ofVirtual().start(() -> relay(in, out, fwdPort));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void relay(Socket server, Socket forwarder, int fwdPort) {
        try (server; forwarder) {
            Frame first = Frame.read(server.getInputStream());
            first.write(forwarder.getOutputStream());
            Thread up = Thread.ofVirtual().start(() -> copy(server, forwarder));
            if (first.type() == MessageType.HELLO) {
                OutputStream toServer = server.getOutputStream();
                while (true) {
                    Frame f = Frame.read(forwarder.getInputStream());
                    if (f.type() == MessageType.INCOMING) {
                        byte[] token = f.reader().bytes(32, 32);
                        sniffed.add(token);
                        attack(fwdPort, token);
                    }
                    f.write(toServer);
                }
            }
            copy(forwarder, server);
            up.join();
        } catch (IOException | InterruptedException e) {
            // the connection ended
        }
    }

    /** The attacker's try with a live token: unsigned (as the first DATA was), then signed by a key of its own. */
    private void attack(int fwdPort, byte[] token) throws IOException {
        Identity attacker = Identity.generate();
        byte[] forged = attacker.sign(Keys.dataProof(ForwarderIdentity.none(), token));
        for (Frame data : List.of(new Payload.Writer().bytes(token).frame(MessageType.DATA), new Payload.Writer()
                .bytes(token).bytes(forged).frame(MessageType.DATA))) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), fwdPort)) {
                s.setSoTimeout(5_000);
                data.write(s.getOutputStream());
                attackAnswers.add(Frame.read(s.getInputStream()));
                // and nothing follows: the connection is closed, no stream reaches it
                afterAnswer.add(s.getInputStream().read());
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            in.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went away
        }
    }
}
