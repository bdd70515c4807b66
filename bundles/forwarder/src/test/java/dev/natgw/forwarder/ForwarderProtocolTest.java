package dev.natgw.forwarder;

import static dev.natgw.forwarder.Fixture.open;
import static dev.natgw.forwarder.Fixture.read;
import static dev.natgw.forwarder.Fixture.register;
import static dev.natgw.forwarder.Fixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.natgw.api.forwarder.ForwarderService;
import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The forwarder spoken to frame by frame on real loopback sockets (docs/protocol.md). */
class ForwarderProtocolTest {

    private final RegistryManager registry = Fixture.registry();
    private ForwarderManager fwd = Fixture.forwarder(registry, Map.of());

    @AfterEach
    void stop() {
        fwd.deactivate();
        TestRegistry.stop(registry);
    }

    private static ProtocolException errorOf(Socket s) throws IOException {
        Frame f = read(s);
        assertThat(f.type()).isEqualTo(MessageType.ERROR);
        return f.asError();
    }

    /** Registers, connects a client, answers INCOMING with a data connection; returns {client, data}. */
    private Socket[] relayPair(Socket control, Identity id) throws IOException {
        Socket client = open(fwd);
        send(client, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
        Payload.Reader in = read(control).expect(MessageType.INCOMING).reader();
        byte[] token = in.bytes(32, 32);
        String seen = in.string(256);
        assertThat(seen).startsWith("127.0.0.1:");
        Socket data = open(fwd);
        send(data, Fixture.data(data, id, token));
        read(data).expect(MessageType.CONNECTED);
        read(client).expect(MessageType.CONNECTED);
        return new Socket[]{client, data};
    }

    @Test
    void registeredServerIsReachedWithHalfCloseCarriedBothWays() throws Exception {
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id)) {
            assertThat(fwd.servers()).singleElement().satisfies(s -> assertThat(s.key()).isEqualTo(id.key()));
            Socket[] pair = relayPair(control, id);
            try (Socket client = pair[0]; Socket data = pair[1]) {
                client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                // the server sees the bytes, then the client's half-close as end of stream
                assertThat(new String(data.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello");
                assertThat(fwd.sessions(10)).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo(id
                        .key()));
                // ... and can still answer on its half
                data.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
                data.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("world");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> fwd.sessions(10).isEmpty());
            assertThat(fwd.counters().bytesRelayed()).isEqualTo(10);
            assertThat(fwd.counters().relaysOpened()).isEqualTo(1);
            assertThat(fwd.counters().relaysClosed()).isEqualTo(1);
        }
    }

    @Test
    void anAnswerThatGoesOnLongAfterTheClientsHalfCloseArrivesWhole() throws Exception {
        // a request, a half-close, then an answer that takes longer than the relay idle timeout plus five seconds
        // while never idle for as long as the timeout: the relay used to wait that long for the answer's direction
        // after the request's had ended, and then closed both, cutting the answer
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, Map.of("relay.idle.timeout", 2));
        Identity id = Identity.generate();
        int chunks = 16;
        try (Socket control = register(fwd, id)) {
            Socket[] pair = relayPair(control, id);
            try (Socket client = pair[0]; Socket data = pair[1]) {
                client.getOutputStream().write("get".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(data.getInputStream().readAllBytes()).hasSize(3);
                Thread answer = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = data.getOutputStream();
                        for (int i = 0; i < chunks; i++) {
                            out.write('a' + i);
                            out.flush();
                            // paced: 16 chunks half a second apart outlast 2 s + 5 s, each gap well within the 2 s timeout
                            Thread.sleep(500);
                        }
                        data.shutdownOutput();
                    } catch (IOException | InterruptedException e) {
                        // the client's read reports what arrived
                    }
                });
                client.setSoTimeout(20_000);
                assertThat(client.getInputStream().readAllBytes()).hasSize(chunks);
                answer.join();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> fwd.sessions(10).isEmpty());
        }
    }

    @Test
    void clientBytesSentBeforeConnectedAreRelayed() throws Exception {
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id); Socket client = open(fwd)) {
            byte[] connect = new Payload.Writer().string(id.key()).frame(MessageType.CONNECT).encode();
            byte[] early = "early".getBytes(StandardCharsets.US_ASCII);
            byte[] both = new byte[connect.length + early.length];
            System.arraycopy(connect, 0, both, 0, connect.length);
            System.arraycopy(early, 0, both, connect.length, early.length);
            client.getOutputStream().write(both);
            byte[] token = read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
            try (Socket data = open(fwd)) {
                send(data, Fixture.data(data, id, token));
                read(data).expect(MessageType.CONNECTED);
                assertThat(data.getInputStream().readNBytes(5)).isEqualTo(early);
            }
        }
    }

    @Test
    void anOlderServersProofThatDoesNotNameTheForwarderIsRefusedWithAClearError() throws Exception {
        Identity old = Identity.generate();
        fwd.allow(old.key(), "");
        try (Socket s = open(fwd)) {
            send(s, new Payload.Writer().string("old").frame(MessageType.HELLO));
            byte[] nonce = read(s).expect(MessageType.CHALLENGE).reader().bytes(32, 32);
            // the first proof: the nonce alone, as servers of before natgw-register-v2 sign it
            send(s, new Payload.Writer().bytes(old.publicKey().getEncoded()).bytes(old.sign(Keys.registerChallenge(
                    nonce))).frame(MessageType.REGISTER));
            ProtocolException e = errorOf(s);
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_PROOF);
            assertThat(e.getMessage()).contains("natgw-register-v2", "upgrade natgw-traversal");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(fwd.servers()).isEmpty();
    }

    @Test
    void keySquattingWithoutTheProofIsRefusedAndTheOwnerKeepsWorking() throws Exception {
        Identity owner = Identity.generate();
        Identity squatter = Identity.generate();
        try (Socket control = register(fwd, owner)) {
            // the owner's public key with the squatter's signature
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("x").frame(MessageType.HELLO));
                byte[] nonce = read(s).expect(MessageType.CHALLENGE).reader().bytes(32, 32);
                send(s, new Payload.Writer().bytes(owner.publicKey().getEncoded()).bytes(squatter.sign(Keys
                        .registerProof(nonce, ForwarderIdentity.none()))).frame(MessageType.REGISTER));
                assertThat(errorOf(s).code()).isEqualTo(ErrorCode.BAD_PROOF);
            }
            // a signature the owner made for another connection's nonce (a replay)
            byte[] otherNonce = Keys.nonce();
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("x").frame(MessageType.HELLO));
                read(s).expect(MessageType.CHALLENGE);
                send(s, new Payload.Writer().bytes(owner.publicKey().getEncoded()).bytes(owner.sign(Keys
                        .registerProof(otherNonce, ForwarderIdentity.none()))).frame(MessageType.REGISTER));
                assertThat(errorOf(s).code()).isEqualTo(ErrorCode.BAD_PROOF);
            }
            // not an Ed25519 key at all
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("x").frame(MessageType.HELLO));
                read(s).expect(MessageType.CHALLENGE);
                send(s, new Payload.Writer().bytes(new byte[44]).bytes(new byte[64]).frame(MessageType.REGISTER));
                assertThat(errorOf(s).code()).isEqualTo(ErrorCode.BAD_PROOF);
            }
            assertThat(fwd.counters().registrationsRejected()).isEqualTo(3);
            assertThat(fwd.servers()).singleElement().satisfies(s -> assertThat(s.key()).isEqualTo(owner.key()));
            Socket[] pair = relayPair(control, owner);
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void aSecondProvenRegistrationReplacesTheFirst() throws Exception {
        Identity id = Identity.generate();
        try (Socket first = register(fwd, id); Socket second = register(fwd, id)) {
            assertThat(errorOf(first).code()).isEqualTo(ErrorCode.REPLACED);
            assertThat(fwd.servers()).singleElement().satisfies(s -> assertThat(s.controlPeer().getPort())
                    .isEqualTo(second.getLocalPort()));
        }
    }

    @Test
    void garbageAndOversizedFramesAreRefusedWithoutHarm() throws Exception {
        try (Socket s = open(fwd)) {
            // length 2 GiB: refused from the header alone
            s.getOutputStream().write(new byte[]{0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 0x20});
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = open(fwd)) {
            s.getOutputStream().write(new byte[]{0, 0, 0, 2, 9, 0x20});
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        }
        try (Socket s = open(fwd)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // "GET " read as a length: far above the maximum
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        }
        try (Socket s = open(fwd)) {
            // a CONNECT whose string claims more bytes than the payload holds
            send(s, new Frame(MessageType.CONNECT, new byte[]{0x10, 0, 'a'}));
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.MALFORMED);
        }
        try (Socket s = open(fwd)) {
            send(s, Frame.of(MessageType.PONG));
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.UNEXPECTED);
        }
        try (Socket s = open(fwd)) {
            byte[] random = new byte[3000];
            new java.util.Random(42).nextBytes(random);
            s.getOutputStream().write(random);
            assertThat(read(s).type()).isEqualTo(MessageType.ERROR);
        }
        assertThat(fwd.load().protocolErrors()).isEqualTo(6);
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.load().connections() == 0);
        // an honest server still registers
        try (Socket _ = register(fwd, Identity.generate())) {
            assertThat(fwd.servers()).hasSize(1);
        }
    }

    @Test
    void slowSenderIsCutOffAtTheHandshakeDeadlineNotPerByte() throws Exception {
        try (Socket s = open(fwd)) {
            byte[] frame = new Payload.Writer().string(Identity.generate().key()).frame(MessageType.CONNECT)
                    .encode();
            OutputStream out = s.getOutputStream();
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                for (byte b : frame) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(200);
                }
                // all sent (should not happen in 2 s at 5 bytes/s): the forwarder must have closed by now
                s.getInputStream().read();
            }).isInstanceOf(IOException.class);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).isLessThan(frame.length * 200L);
        }
        assertThat(fwd.load().timeouts()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void unknownKeyDeclineTimeoutAndBadTokenAreAnsweredWithTheirCodes() throws Exception {
        try (Socket c = open(fwd)) {
            send(c, new Payload.Writer().string(Identity.generate().key()).frame(MessageType.CONNECT));
            assertThat(errorOf(c).code()).isEqualTo(ErrorCode.UNKNOWN_KEY);
        }
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id)) {
            try (Socket c = open(fwd)) {
                send(c, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
                byte[] token = read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
                send(control, new Payload.Writer().bytes(token).string("busy").frame(MessageType.DECLINE));
                assertThat(errorOf(c).code()).isEqualTo(ErrorCode.DECLINED);
            }
            byte[] expired;
            try (Socket c = open(fwd)) {
                send(c, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
                expired = read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
                // keep the control alive while the client waits out the data timeout (2 s)
                send(control, new Payload.Writer().u64(1).frame(MessageType.PING));
                assertThat(errorOf(c).code()).isEqualTo(ErrorCode.SERVER_TIMEOUT);
                read(control).expect(MessageType.PONG);
            }
            try (Socket d = open(fwd)) {
                send(d, Fixture.data(d, id, expired));
                assertThat(errorOf(d).code()).isEqualTo(ErrorCode.BAD_TOKEN);
            }
            try (Socket d = open(fwd)) {
                send(d, Fixture.data(d, id, Keys.nonce()));
                assertThat(errorOf(d).code()).isEqualTo(ErrorCode.BAD_TOKEN);
            }
        }
        assertThat(fwd.counters().clientsRejected()).isEqualTo(3);
    }

    @Test
    void aTokenIsGoodOnce() throws Exception {
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id); Socket c = open(fwd)) {
            send(c, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
            byte[] token = read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
            try (Socket d1 = open(fwd); Socket d2 = open(fwd)) {
                send(d1, Fixture.data(d1, id, token));
                read(d1).expect(MessageType.CONNECTED);
                send(d2, Fixture.data(d2, id, token));
                assertThat(errorOf(d2).code()).isEqualTo(ErrorCode.BAD_TOKEN);
            }
        }
    }

    @Test
    void silentControlConnectionIsDroppedAndItsKeyUnregistered() throws Exception {
        Identity id = Identity.generate();
        try (Socket _ = register(fwd, id)) {
            assertThat(fwd.servers()).hasSize(1);
            // no heartbeat: the idle timeout (3 s) ends it
            await().atMost(Duration.ofSeconds(6)).until(() -> fwd.servers().isEmpty());
            assertThat(fwd.counters().heartbeatsMissed()).isEqualTo(1);
            try (Socket c = open(fwd)) {
                send(c, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
                assertThat(errorOf(c).code()).isEqualTo(ErrorCode.UNKNOWN_KEY);
            }
        }
    }

    @Test
    void heartbeatsKeepTheControlConnection() throws Exception {
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id)) {
            for (int i = 0; i < 8; i++) {
                send(control, new Payload.Writer().u64(i).frame(MessageType.PING));
                assertThat(read(control).expect(MessageType.PONG).reader().u64()).isEqualTo(i);
                Thread.sleep(500);
            }
            assertThat(fwd.servers()).hasSize(1);
        }
    }

    @Test
    void closingTheControlConnectionUnregistersAndFailsWaitingClients() throws Exception {
        Identity id = Identity.generate();
        Socket control = register(fwd, id);
        try (Socket c = open(fwd)) {
            send(c, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
            read(control).expect(MessageType.INCOMING);
            control.close();
            assertThat(errorOf(c).code()).isEqualTo(ErrorCode.UNKNOWN_KEY);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.servers().isEmpty());
    }

    @Test
    void probeReachesTheListenerWithTheNonceAndRefusesOtherHosts() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(5000);
                    byte[] nonce = Frame.read(s.getInputStream()).expect(MessageType.PROBE_HELLO).reader().bytes(
                            32, 32);
                    heard = nonce;
                } catch (IOException e) {
                    heard = null;
                }
            });
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("").u16(listener.getLocalPort()).frame(MessageType.PROBE));
                Payload.Reader r = read(s).expect(MessageType.PROBE_RESULT).reader();
                assertThat(r.u8()).isEqualTo(1);
                assertThat(r.string(80)).isEqualTo("127.0.0.1:" + listener.getLocalPort());
                byte[] nonce = r.bytes(0, 32);
                t.join(5000);
                assertThat(nonce).hasSize(32).isEqualTo(heard);
            }
            int closed;
            try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closed = tmp.getLocalPort();
            }
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("127.0.0.1").u16(closed).frame(MessageType.PROBE));
                Payload.Reader r = read(s).expect(MessageType.PROBE_RESULT).reader();
                assertThat(r.u8()).isZero();
            }
            try (Socket s = open(fwd)) {
                send(s, new Payload.Writer().string("192.0.2.1").u16(80).frame(MessageType.PROBE));
                assertThat(errorOf(s).code()).isEqualTo(ErrorCode.PROBE_REFUSED);
            }
            assertThat(fwd.counters().probes()).isEqualTo(2);
        }
    }

    private volatile byte[] heard;

    @Test
    void observeAnswersTheSourceAddressAndPortThenCloses() throws Exception {
        try (Socket s = open(fwd)) {
            send(s, Frame.of(MessageType.OBSERVE));
            Payload.Reader r = read(s).expect(MessageType.OBSERVED).reader();
            assertThat(r.string(80)).isEqualTo("127.0.0.1:" + s.getLocalPort());
            r.end();
            // one answer per connection: the forwarder closes it
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket s = open(fwd)) {
            // a payload where none belongs is malformed, as for every frame
            send(s, new Payload.Writer().string("198.18.0.9:80").frame(MessageType.OBSERVE));
            assertThat(errorOf(s).code()).isEqualTo(ErrorCode.MALFORMED);
        }
    }

    @Test
    void boundsOnPendingClientsRelaysAndServersHold() throws Exception {
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, Map.of("max.pending.per.key", 2, "max.relays.per.key", 1,
                "max.servers", 1));
        Identity id = Identity.generate();
        try (Socket control = register(fwd, id);
                Socket c1 = open(fwd);
                Socket c2 = open(fwd);
                Socket c3 = open(fwd)) {
            send(c1, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
            send(c2, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
            byte[] t1 = read(control).expect(MessageType.INCOMING).reader().bytes(32, 32);
            read(control).expect(MessageType.INCOMING);
            send(c3, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
            assertThat(errorOf(c3).code()).isEqualTo(ErrorCode.LIMIT);
            // a second server is over max.servers
            assertThatThrownBy(() -> register(fwd, Identity.generate())).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("LIMIT");
            try (Socket d1 = open(fwd)) {
                send(d1, Fixture.data(d1, id, t1));
                read(d1).expect(MessageType.CONNECTED);
                // one relay open: the next client of the key is refused
                try (Socket c4 = open(fwd)) {
                    send(c4, new Payload.Writer().string(id.key()).frame(MessageType.CONNECT));
                    assertThat(errorOf(c4).code()).isEqualTo(ErrorCode.LIMIT);
                }
            }
        }
    }

    @Test
    void connectionsPerSourceAndRateAreBounded() throws Exception {
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, Map.of("max.connections.per.source", 5, "rate.per.source", 1000));
        Socket[] held = new Socket[5];
        for (int i = 0; i < held.length; i++) {
            held[i] = open(fwd);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fwd.load().connections() == 5);
        try (Socket sixth = open(fwd)) {
            assertThat(sixth.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(fwd.load().connectionsRefused()).isEqualTo(1);
        for (Socket s : held) {
            s.close();
        }
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, Map.of("rate.per.source", 3));
        Socket[] burst = new Socket[10];
        for (int i = 0; i < burst.length; i++) {
            burst[i] = open(fwd);
        }
        int refused = 0;
        for (Socket s : burst) {
            s.setSoTimeout(300);
            try {
                if (s.getInputStream().read() == -1) {
                    refused++;
                }
            } catch (java.net.SocketTimeoutException admitted) {
                // admitted, waiting for its opening frame
            }
            s.close();
        }
        // a bucket of 3 tokens refilling 3 per second admits 3 of a burst of 10 opened within milliseconds
        assertThat(refused).isBetween(6, 7);
        assertThat(fwd.load().connectionsRefused()).isEqualTo(refused);
    }

    @Test
    void announcesItselfAndWithdrawsOnStop() throws Exception {
        fwd.deactivate();
        fwd = Fixture.forwarder(registry, Map.of("announce", true, "announce.ttl", 3));
        String value = "natgw://127.0.0.1:" + fwd.boundAddress().getPort();
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.lookup(ForwarderService.ANNOUNCE_KEY, 10)
                .stream().anyMatch(e -> e.value().equals(value)));
        assertThat(fwd.info().announcedAs()).isEqualTo(value);
        // outlives its 3 s TTL: re-announced, present the whole time
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> registry
                .lookup(ForwarderService.ANNOUNCE_KEY, 10).stream().anyMatch(e -> e.value().equals(value)));
        fwd.deactivate();
        assertThat(registry.lookup(ForwarderService.ANNOUNCE_KEY, 10)).isEmpty();
        fwd = Fixture.forwarder(registry, Map.of());
    }

    static InputStream in(Socket s) throws IOException {
        return s.getInputStream();
    }
}
