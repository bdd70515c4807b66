package dev.natgw.traversal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.natgw.api.forwarder.ForwarderState;
import dev.natgw.forwarder.Echo;
import dev.natgw.forwarder.FaceServer;
import dev.natgw.forwarder.Fixture;
import dev.natgw.forwarder.ForwarderManager;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.protocol.EndpointSigning;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Splice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who a client reaches, and who can read or change what it says (docs/protocol.md, sections 10 and 11), with real
 * sockets and real TLS: forged lookup answers, rogue registry values, an impostor at a signed address, a forwarder
 * that relays to another key or alters a byte, what the path sees, and the server's client authorization.
 */
class EndToEndTest {

    private static final byte[] MARKER = "natgw-plaintext-marker-7f3a9c".getBytes(StandardCharsets.US_ASCII);

    private final RegistryManager registry = Fixture.registry();
    private final FaceServer face;
    private final ForwarderManager forwarder;
    private final List<AutoCloseable> closing = new ArrayList<>();

    EndToEndTest() throws Exception {
        face = new FaceServer(registry);
        forwarder = Fixture.forwarder(registry, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
        if (forwarder.info().state() != ForwarderState.STOPPED) {
            forwarder.deactivate();
        }
        face.close();
        TestRegistry.stop(registry);
    }

    private <T extends AutoCloseable> T later(T c) {
        closing.add(c);
        return c;
    }

    private static TraversalOptions.Builder base() {
        return TraversalOptions.builder().direct(false).backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(3)).handshakeTimeout(Duration.ofSeconds(5))
                .credential(Fixture.credential()); // the fixture forwarder admits its tenant's servers only
    }

    /** A server of id registered with the real forwarder (through via, if given) and announced in the registry. */
    private TraversalServer server(Identity id, ClientPolicy policy, Endpoint via) throws Exception {
        TraversalServer s = later(TraversalServer.open(id, base().registry(face.uri()).forwarder(via == null
                ? Fixture.endpoint(forwarder)
                : via).build(), policy));
        assertThat(s.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !registry.lookup(id.key(), 1).isEmpty());
        return s;
    }

    /** Serves echo, recording each client as the server saw it. */
    private static List<PeerConnection> echo(TraversalServer server) {
        List<PeerConnection> seen = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            while (true) {
                PeerConnection c;
                try {
                    c = server.acceptConnection(Duration.ofSeconds(1));
                } catch (IOException closed) {
                    return;
                }
                if (c == null) {
                    continue;
                }
                seen.add(c);
                Thread.ofVirtual().start(() -> {
                    try (Socket s = c.socket()) {
                        s.getInputStream().transferTo(s.getOutputStream());
                        s.shutdownOutput();
                    } catch (IOException e) {
                        // the client went away
                    }
                });
            }
        });
        return seen;
    }

    /** A listener standing for an attacker: plain echo, or with an identity, the end-to-end server side of it. */
    private final class Impostor implements AutoCloseable {
        final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();

        Impostor(Identity id) throws IOException {
            later(this);
            Thread.ofVirtual().start(() -> {
                while (true) {
                    Socket s;
                    try {
                        s = listener.accept();
                    } catch (IOException e) {
                        return;
                    }
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> {
                        try {
                            Socket c = id == null
                                    ? s
                                    : E2e.server(E2e.context(id), s, "x", ClientPolicy.OPEN, Duration.ofSeconds(5))
                                            .socket();
                            try (c) {
                                c.getInputStream().transferTo(c.getOutputStream());
                            }
                        } catch (IOException e) {
                            // refused
                        }
                    });
                }
            });
        }

        String tcp() {
            return "tcp://127.0.0.1:" + listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    /** A registry face that answers every lookup with these values, as a forged answer would. */
    private java.net.URI fakeFace(List<String> values) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.createContext("/natgw/registry/v1/lookup", exchange -> {
            StringBuilder json = new StringBuilder("{\"key\":\"k\",\"entries\":[");
            for (int i = 0; i < values.size(); i++) {
                json.append(i == 0 ? "" : ",").append("{\"value\":\"").append(values.get(i)).append(
                        "\",\"expires\":\"").append(Instant.now().plusSeconds(60)).append("\"}");
            }
            byte[] body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        later(() -> http.stop(0));
        return java.net.URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/natgw/registry/v1");
    }

    private static String signed(Identity id, String endpoint) {
        return EndpointSigning.sign(id.privateKey(), id.publicKey(), endpoint, Instant.now().getEpochSecond() + 600);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer : for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Sends the marker many times and checks the echo. */
    private static void markerRoundTrip(Socket s) throws IOException {
        byte[] data = new byte[MARKER.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(MARKER, 0, data, i * MARKER.length, MARKER.length);
        }
        s.getOutputStream().write(data);
        s.getOutputStream().flush();
        s.shutdownOutput();
        assertThat(s.getInputStream().readAllBytes()).isEqualTo(data);
    }

    @Test
    void aForgedLookupAnswerIsRefusedBeforeAnyConnection() throws Exception {
        Identity owner = Identity.generate();
        Identity attacker = Identity.generate();
        Impostor impostor = new Impostor(attacker);
        String genuine = signed(owner, "tcp://127.0.0.1:1");
        String altered = impostor.tcp() + genuine.substring(genuine.indexOf(' '));
        TraversalClient client = new TraversalClient(base().registry(fakeFace(List.of(impostor.tcp(), signed(attacker,
                impostor.tcp()), altered))).build());

        assertThatThrownBy(() -> client.connect(owner.key())).isInstanceOf(IOException.class).hasMessageContaining(
                "cannot reach " + owner.key()).hasMessageContaining(
                        impostor.tcp() + " is not signed by the owner of "
                                + owner.key())
                .hasMessageContaining("is signed by " + attacker.key() + ", not by the owner of "
                        + owner.key())
                .hasMessageContaining("does not verify");
        assertThat(impostor.connections).hasValue(0);
    }

    @Test
    void rogueValuesWrittenIntoTheRegistryBackendAreSkipped() throws Exception {
        Identity owner = Identity.generate();
        TraversalServer server = server(owner, ClientPolicy.OPEN, null);
        echo(server);
        Impostor impostor = new Impostor(Identity.generate());
        // whoever can write the backend (here the embedded one, straight through its Java API) adds values
        registry.announce(owner.key(), impostor.tcp(), Duration.ofSeconds(60));
        registry.announce(owner.key(), "natgw://127.0.0.1:" + impostor.listener.getLocalPort(), Duration.ofSeconds(
                60));
        TraversalClient client = new TraversalClient(base().registry(face.uri()).build());
        for (int i = 0; i < 10; i++) {
            PeerConnection c = client.open(owner.key());
            try (Socket s = c.socket()) {
                assertThat(c.peerKey()).isEqualTo(owner.key());
                assertThat(c.via()).isEqualTo(Fixture.endpoint(forwarder));
                markerRoundTrip(s);
            }
        }
        assertThat(impostor.connections).hasValue(0);

        // a key that only rogue values name is not reached at all, and the error names it
        Identity absent = Identity.generate();
        registry.announce(absent.key(), impostor.tcp(), Duration.ofSeconds(60));
        assertThatThrownBy(() -> client.connect(absent.key())).hasMessageContaining("cannot reach " + absent.key())
                .hasMessageContaining("is not signed by the owner of " + absent.key());
        assertThat(impostor.connections).hasValue(0);
    }

    @Test
    void aSignedAddressNowHeldBySomeoneElseIsRefusedInTheHandshake() throws Exception {
        Identity owner = Identity.generate();
        // the owner once signed this address; someone else listens there now: a plain TCP service, then another key
        Impostor plain = new Impostor(null);
        TraversalClient c1 = new TraversalClient(base().registry(fakeFace(List.of(signed(owner, plain.tcp()))))
                .build());
        assertThatThrownBy(() -> c1.connect(owner.key())).hasMessageContaining("cannot reach " + owner.key())
                .hasMessageContaining(plain.tcp() + " did not prove it holds " + owner.key());

        Identity other = Identity.generate();
        Impostor holder = new Impostor(other);
        TraversalClient c2 = new TraversalClient(base().registry(fakeFace(List.of(signed(owner, holder.tcp()))))
                .build());
        assertThatThrownBy(() -> c2.connect(owner.key())).hasMessageContaining(holder.tcp() + " did not prove it holds "
                + owner.key()).hasMessageContaining("it proved " + other.key());
        assertThat(holder.connections).hasValue(1);
    }

    @Test
    void aForwarderThatRelaysToAnotherKeyIsRefused() throws Exception {
        Identity owner = Identity.generate();
        Identity attacker = Identity.generate();
        echo(server(attacker, ClientPolicy.OPEN, null));
        // the attacker's forwarder: takes CONNECT owner, answers CONNECTED, and relays to the attacker's own server
        ServerSocket rogue = later(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        TraversalOptions toReal = base().forwarder(Fixture.endpoint(forwarder)).build();
        Thread.ofVirtual().start(() -> {
            while (true) {
                try {
                    Socket c = rogue.accept();
                    Frame.read(c.getInputStream()).expect(MessageType.CONNECT);
                    Socket s = Wire.connect(Fixture.endpoint(forwarder), attacker.key(), toReal);
                    Frame.of(MessageType.CONNECTED).write(c.getOutputStream());
                    Thread.ofVirtual().start(() -> copy(s, c));
                    Thread.ofVirtual().start(() -> copy(c, s));
                } catch (IOException e) {
                    return;
                }
            }
        });
        Endpoint rogueEndpoint = new Endpoint(Endpoint.FORWARDER, "127.0.0.1", rogue.getLocalPort());
        TraversalClient client = new TraversalClient(base().forwarder(rogueEndpoint).build());
        assertThatThrownBy(() -> client.connect(owner.key())).hasMessageContaining("cannot reach " + owner.key())
                .hasMessageContaining(rogueEndpoint + " did not prove it holds " + owner.key()).hasMessageContaining(
                        "it proved " + attacker.key());
    }

    private static void copy(Socket from, Socket to) {
        try (from; to) {
            Splice.copy(from.getInputStream(), to.getOutputStream(), new byte[8192], n -> {
            });
        } catch (IOException e) {
            // ended
        }
    }

    @Test
    void aByteAlteredOnThePathIsDetectedByTheClient() throws Exception {
        Identity owner = Identity.generate();
        echo(server(owner, ClientPolicy.OPEN, null));
        // on the path between client and forwarder, one bit of the server's bytes flipped, well after the handshake
        TapProxy path = later(new TapProxy(forwarder.boundAddress(), 40_000));
        TraversalClient client = new TraversalClient(base().forwarder(path.endpoint()).build());
        try (Socket s = client.connect(owner.key())) {
            assertThatThrownBy(() -> Echo.roundTrip(s, 256 * 1024, 7)).isInstanceOf(javax.net.ssl.SSLException.class)
                    .isNotInstanceOf(AssertionError.class);
        }
        // the same path, unaltered, carries the same echo
        TapProxy clean = later(new TapProxy(forwarder.boundAddress(), -1));
        try (Socket s = new TraversalClient(base().forwarder(clean.endpoint()).build()).connect(owner.key())) {
            Echo.roundTrip(s, 256 * 1024, 7);
        }
    }

    @Test
    void theForwarderAndThePathCarryOnlyCiphertext() throws Exception {
        Identity owner = Identity.generate();
        // both hops taped: client to forwarder, and the server's control and data connections to the forwarder
        TapProxy clientSide = later(new TapProxy(forwarder.boundAddress(), -1));
        TapProxy serverSide = later(new TapProxy(forwarder.boundAddress(), -1));
        echo(server(owner, ClientPolicy.OPEN, serverSide.endpoint()));
        TraversalClient client = new TraversalClient(base().forwarder(clientSide.endpoint()).build());
        try (Socket s = client.connect(owner.key())) {
            markerRoundTrip(s);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.counters().bytesRelayed() >= 2L * 1000
                * MARKER.length);
        byte[] seenByClientPath = clientSide.captured();
        byte[] seenByServerPath = serverSide.captured();
        // the taps work: the clear CONNECT names the key, and well over the marker's bytes passed each
        assertThat(contains(seenByClientPath, owner.key().getBytes(StandardCharsets.US_ASCII))).isTrue();
        assertThat(seenByClientPath.length).isGreaterThan(2 * 1000 * MARKER.length);
        assertThat(seenByServerPath.length).isGreaterThan(2 * 1000 * MARKER.length);
        assertThat(contains(seenByClientPath, MARKER)).as("marker on the client's path").isFalse();
        assertThat(contains(seenByServerPath, MARKER)).as("marker on the server's path").isFalse();
    }

    @Test
    void aClientSecretIsCheckedEndToEnd() throws Exception {
        Identity owner = Identity.generate();
        List<PeerConnection> seen = echo(server(owner, ClientPolicy.builder().secret("open sesame").build(), null));
        TraversalOptions o = base().registry(face.uri()).build();
        assertThatThrownBy(() -> new TraversalClient(o).connect(owner.key())).hasMessageContaining("cannot reach "
                + owner.key()).hasMessageContaining("refused this client").hasMessageContaining(
                        "this server needs a client secret");
        assertThatThrownBy(() -> new TraversalClient(o, null, "open sesame!".getBytes(StandardCharsets.UTF_8))
                .connect(owner.key())).hasMessageContaining("wrong client secret");
        assertThat(seen).isEmpty();
        try (Socket s = new TraversalClient(o, null, "open sesame".getBytes(StandardCharsets.UTF_8)).connect(owner
                .key())) {
            markerRoundTrip(s);
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void onlyListedClientKeysAreServedAndTheServerSeesWhichOne() throws Exception {
        Identity owner = Identity.generate();
        Identity listed = Identity.generate();
        Identity unlisted = Identity.generate();
        List<PeerConnection> seen = echo(server(owner, ClientPolicy.builder().allow(listed.key()).build(), null));
        TraversalOptions o = base().registry(face.uri()).build();
        assertThatThrownBy(() -> new TraversalClient(o).connect(owner.key())).hasMessageContaining(
                "serves only listed client keys");
        assertThatThrownBy(() -> new TraversalClient(o, unlisted, null).connect(owner.key())).hasMessageContaining(
                "client key " + unlisted.key() + " is not allowed");
        assertThat(seen).isEmpty();
        PeerConnection c = new TraversalClient(o, listed, null).open(owner.key());
        try (Socket s = c.socket()) {
            markerRoundTrip(s);
            assertThat(seen).singleElement().satisfies(p -> {
                assertThat(p.peerKey()).isEqualTo(listed.key());
                assertThat(p.clientAddress()).isEqualTo("127.0.0.1:" + s.getLocalPort());
            });
        }
    }

    @Test
    void theApplicationSeesTheClientsAddressAndMayDecline() throws Exception {
        Identity owner = Identity.generate();
        List<ClientInfo> asked = new CopyOnWriteArrayList<>();
        AtomicBoolean refuse = new AtomicBoolean(true);
        List<PeerConnection> seen = echo(server(owner, ClientPolicy.builder().filter(c -> {
            asked.add(c);
            return refuse.get() ? "not from " + c.address() : null;
        }).build(), null));
        TraversalClient client = new TraversalClient(base().registry(face.uri()).build());
        assertThatThrownBy(() -> client.connect(owner.key())).hasMessageContaining("refused this client")
                .hasMessageContaining("not from 127.0.0.1:");
        assertThat(asked).singleElement().satisfies(c -> {
            assertThat(c.address()).startsWith("127.0.0.1:");
            assertThat(c.key()).isNull();
        });
        assertThat(seen).isEmpty();
        refuse.set(false);
        try (Socket s = client.connect(owner.key())) {
            markerRoundTrip(s);
            assertThat(asked.get(1).address()).isEqualTo("127.0.0.1:" + s.getLocalPort());
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void aClientWithoutTheHandshakeGetsAClearMessageNotAHang() throws Exception {
        Identity owner = Identity.generate();
        List<PeerConnection> seen = echo(server(owner, ClientPolicy.OPEN, null));
        TraversalOptions o = base().forwarder(Fixture.endpoint(forwarder)).build();
        // a client of before the end-to-end channel: CONNECT, then its application's bytes in clear
        try (Socket old = Wire.connect(Fixture.endpoint(forwarder), owner.key(), o)) {
            old.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            old.setSoTimeout(10_000);
            assertThat(new String(old.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(
                    E2e.NOT_E2E);
        }
        // one that waits for the server to speak first is told the same after the server's handshake timeout
        try (Socket old = Wire.connect(Fixture.endpoint(forwarder), owner.key(), o)) {
            old.setSoTimeout(20_000);
            InputStream in = old.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(E2e.NOT_E2E);
        }
        assertThat(seen).isEmpty();
        assertThat(Arrays.asList(E2e.NOT_E2E.split(" "))).contains("natgw-traversal\n");
    }
}
