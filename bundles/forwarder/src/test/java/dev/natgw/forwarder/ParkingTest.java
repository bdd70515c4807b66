package dev.natgw.forwarder;

import static dev.natgw.forwarder.Fixture.open;
import static dev.natgw.forwarder.Fixture.read;
import static dev.natgw.forwarder.Fixture.register;
import static dev.natgw.forwarder.Fixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
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
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Parked data connections (docs/protocol.md, section 5a) on a real forwarder over loopback: a client is paired with one
 * at once, without INCOMING; only the key's server can park (its signature of this connection's nonce); and each bound
 * (per server, all servers, the idle timeout, the proof's deadline) holds against a peer that tries to pass it.
 */
class ParkingTest {
    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (fwd != null) {
            fwd.deactivate();
        }
        TestRegistry.stop(registry);
    }

    /**
     * A forwarder with these overrides, and deadlines long enough that a loaded machine does not end a control
     * connection (these tests send no heartbeats) or a proof before the test means it to.
     */
    private ForwarderManager forwarder(Map<String, Object> overrides) {
        Map<String, Object> v = new java.util.HashMap<>(Map.of("idle.timeout", 60, "handshake.timeout", 5));
        v.putAll(overrides);
        return Fixture.forwarder(registry, v);
    }

    private Socket opened() throws IOException {
        Socket s = open(fwd);
        sockets.add(s);
        return s;
    }

    /** {@return the answer (PARK_NONCE or an ERROR) to PARK for the key on a connection just opened} */
    private Frame park(Socket s, String key) throws IOException {
        send(s, new Payload.Writer().string(key).frame(MessageType.PARK));
        return read(s);
    }

    /** {@return the PARK_PROOF of the nonce in a PARK_NONCE frame, signed by id over the forwarder seen on s} */
    private static Frame proof(Socket s, Identity id, Frame parkNonce) throws IOException {
        Payload.Reader r = parkNonce.expect(MessageType.PARK_NONCE).reader();
        byte[] nonce = r.bytes(32, 32);
        r.u32();
        r.end();
        return new Payload.Writer().bytes(id.sign(Keys.parkProof(ForwarderIdentity.seen(s), nonce))).frame(
                MessageType.PARK_PROOF);
    }

    /** {@return a connection parked as the server id, proven} */
    private Socket parked(Identity id) throws IOException {
        Socket s = opened();
        send(s, proof(s, id, park(s, id.key())));
        return s;
    }

    /**
     * Parks a connection and waits until the forwarder has checked its proof and holds it: the protocol answers a
     * proof with nothing, so a CONNECT sent right after may arrive first and be served per client (INCOMING).
     */
    private Socket parkedAndHeld(Identity id) throws IOException {
        int before = parkedNow();
        Socket s = parked(id);
        awaitParked(before + 1);
        return s;
    }

    private void awaitParked(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> parkedNow() >= n);
    }

    /** {@return the connections the forwarder holds parked now (its engine's count, read by reflection)} */
    private int parkedNow() {
        try {
            Object engine = field(fwd, "engine");
            Object parking = field(engine, "parking");
            Method parked = parking.getClass().getDeclaredMethod("parked");
            parked.setAccessible(true);
            return (Integer) parked.invoke(parking);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read the forwarder's parked count", e);
        }
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    /** {@return the ERROR the forwarder answers next on s, as an exception} */
    private static ProtocolException errorOf(Socket s) throws IOException {
        Frame f = read(s);
        assertThat(f.type()).as(MessageType.name(f.type())).isEqualTo(MessageType.ERROR);
        return f.asError();
    }

    private static void assertEndOfStreamWithin(Socket s, Duration d) throws IOException {
        s.setSoTimeout((int) d.toMillis());
        assertThat(s.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void aClientIsPairedWithAParkedConnectionAtOnceWithoutIncoming() throws Exception {
        fwd = forwarder(Map.of());
        Identity id = Identity.generate();
        Socket control = register(fwd, id);
        sockets.add(control);
        Socket data = parkedAndHeld(id);
        Socket client = opened();
        send(client, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
        Payload.Reader paired = read(data).expect(MessageType.PAIRED).reader();
        assertThat(paired.string(256)).isEqualTo("127.0.0.1:" + client.getLocalPort());
        paired.end();
        send(data, Frame.of(MessageType.CONNECTED));
        read(data).expect(MessageType.CONNECTED);
        read(client).expect(MessageType.CONNECTED);
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(data.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
        data.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
        assertThat(client.getInputStream().readNBytes(4)).isEqualTo("pong".getBytes(StandardCharsets.US_ASCII));
        // no token went over the control connection
        control.setSoTimeout(300);
        Frame next = null;
        try {
            next = read(control);
        } catch (SocketTimeoutException quiet) {
            // nothing came
        }
        if (next != null) {
            assertThat(next.type()).as(MessageType.name(next.type())).isIn(MessageType.PING, MessageType.PONG);
        }
        assertThat(fwd.counters().relaysOpened()).isEqualTo(1);
    }

    @Test
    void aServerThatParksMoreThanItsBoundGetsLimitAndAClosedOneGivesItsPlaceBack() throws Exception {
        fwd = forwarder(Map.of("max.parked.per.server", 2));
        Identity id = Identity.generate();
        sockets.add(register(fwd, id));
        // each counted before the next is sent: the forwarder checks proofs side by side, in no fixed order
        Socket first = parkedAndHeld(id);
        parkedAndHeld(id);
        Socket third = parked(id);
        ProtocolException e = errorOf(third);
        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT);
        assertThat(e.getMessage()).contains("maximum of 2 parked connections");
        assertEndOfStreamWithin(third, Duration.ofSeconds(5));
        // the server gives one back: its place is free again (once the forwarder has seen the close)
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Socket again = parked(id);
            again.setSoTimeout(300);
            try {
                return read(again).type() != MessageType.ERROR;
            } catch (SocketTimeoutException stillParked) {
                return true;
            }
        });
    }

    @Test
    void parkedConnectionsOfAllServersTogetherAreBounded() throws Exception {
        fwd = forwarder(Map.of("max.parked.per.server", 2, "max.parked", 3));
        Identity a = Identity.generate();
        Identity b = Identity.generate();
        sockets.add(register(fwd, a));
        sockets.add(register(fwd, b));
        parkedAndHeld(a);
        parkedAndHeld(a);
        Socket b1 = parkedAndHeld(b);
        Socket b2 = parked(b);
        ProtocolException e = errorOf(b2);
        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT);
        assertThat(e.getMessage()).contains("maximum of 3 parked connections");
        b1.setSoTimeout(300);
        assertThatNothingArrives(b1);
    }

    private static void assertThatNothingArrives(Socket s) throws IOException {
        try {
            Frame f = read(s);
            throw new AssertionError("the parked connection got " + MessageType.name(f.type()));
        } catch (SocketTimeoutException still) {
            // parked
        }
    }

    @Test
    void aParkedConnectionIsClosedAtItsIdleTimeout() throws Exception {
        fwd = forwarder(Map.of("parked.idle.timeout", 1));
        Identity id = Identity.generate();
        sockets.add(register(fwd, id));
        Socket s = opened();
        Frame nonce = park(s, id.key());
        Payload.Reader r = nonce.reader();
        r.bytes(32, 32);
        assertThat(r.u32()).isEqualTo(1000);
        send(s, proof(s, id, nonce));
        long start = System.nanoTime();
        assertEndOfStreamWithin(s, Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration
                .ofSeconds(4));
    }

    @Test
    void aPeerThatOpensParkAndNeverProvesIsClosedAtTheHandshakeTimeout() throws Exception {
        fwd = forwarder(Map.of());
        Identity id = Identity.generate();
        sockets.add(register(fwd, id));
        Socket s = opened();
        park(s, id.key()).expect(MessageType.PARK_NONCE);
        // silent: the forwarder's handshake timeout (5 s here) ends it
        long start = System.nanoTime();
        assertEndOfStreamWithin(s, Duration.ofSeconds(12));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(4000));
    }

    @Test
    void onlyTheKeysServerCanParkAndASniffedProofIsWorthNothingOnAnotherConnection() throws Exception {
        fwd = forwarder(Map.of());
        Identity server = Identity.generate();
        Identity attacker = Identity.generate();
        sockets.add(register(fwd, server));
        // a proof the real server made for its own connection, sniffed and sent first on the attacker's
        Socket honest = opened();
        Frame honestNonce = park(honest, server.key());
        Socket replay = opened();
        park(replay, server.key()).expect(MessageType.PARK_NONCE);
        Frame honestProof = proof(honest, server, honestNonce);
        send(replay, honestProof);
        assertThat(errorOf(replay).code()).isEqualTo(ErrorCode.BAD_PROOF);
        // the honest connection still parks and serves the next client
        int before = parkedNow();
        send(honest, honestProof);
        awaitParked(before + 1);
        Socket client = opened();
        send(client, new Payload.Writer().string(server.key()).frame(MessageType.CONNECT));
        read(honest).expect(MessageType.PAIRED);
        // the attacker's own key over the server's key
        Socket forged = opened();
        send(forged, proof(forged, attacker, park(forged, server.key())));
        assertThat(errorOf(forged).code()).isEqualTo(ErrorCode.BAD_PROOF);
        // a key that is not registered parks nothing
        Socket unknown = opened();
        assertThat(park(unknown, attacker.key()).asError().code()).isEqualTo(ErrorCode.UNKNOWN_KEY);
    }

    @Test
    void aParkedConnectionThatDiedIsSkippedAndTheClientIsServedPerClient() throws Exception {
        fwd = forwarder(Map.of());
        Identity id = Identity.generate();
        Socket control = register(fwd, id);
        sockets.add(control);
        Socket dead = parkedAndHeld(id);
        dead.close();
        Socket client = opened();
        send(client, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
        // the dead one fails its pairing, and the forwarder falls back to INCOMING
        Frame f;
        do {
            f = read(control);
        } while (f.type() == MessageType.PING || f.type() == MessageType.PONG);
        byte[] token = f.expect(MessageType.INCOMING).reader().bytes(32, 32);
        Socket data = opened();
        send(data, Fixture.data(data, id, token));
        read(data).expect(MessageType.CONNECTED);
        read(client).expect(MessageType.CONNECTED);
    }

    @Test
    void aServerThatGoesAwayTakesItsParkedConnectionsWithIt() throws Exception {
        fwd = forwarder(Map.of());
        Identity id = Identity.generate();
        Socket control = register(fwd, id);
        Socket s = parkedAndHeld(id);
        s.setSoTimeout(300);
        assertThatNothingArrives(s);
        control.close();
        assertEndOfStreamWithin(s, Duration.ofSeconds(5));
    }

    @Test
    void aLibraryServerWithAPoolServesClientsAndFallsBackOnAForwarderThatParksNothing() throws Exception {
        for (int perServer : new int[]{4, 0}) {
            fwd = forwarder(Map.of("max.parked.per.server", perServer));
            Identity id = Identity.generate();
            TraversalOptions serverSide = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).direct(false)
                    .credential(Fixture.credential()).dataPool(3).build();
            TraversalOptions clientSide = TraversalOptions.builder().forwarder(Fixture.endpoint(fwd)).build();
            try (TraversalServer server = TraversalServer.open(id, serverSide)) {
                assertThat(server.awaitRegistered(Duration.ofSeconds(10))).isTrue();
                Echo.serve(server);
                TraversalClient client = new TraversalClient(clientSide);
                for (int i = 0; i < 5; i++) {
                    try (Socket s = client.connect(id.key())) {
                        Echo.roundTrip(s, 50_000, i);
                    }
                }
                assertThat(fwd.counters().relaysOpened()).isEqualTo(5);
            }
            fwd.deactivate();
            fwd = null;
        }
    }
}
