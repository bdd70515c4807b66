package dev.natgw.forwarder;

import dev.natgw.api.registry.Registry;
import dev.natgw.registry.RegistryManager;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/** Test helpers: a real registry and forwarders on loopback, and raw protocol steps on real sockets. */
public final class Fixture {
    private Fixture() {
    }

    public static RegistryManager registry() {
        return new RegistryManager(Configs.registry(Map.of()));
    }

    /** A forwarder on 127.0.0.1, any free port, short timeouts, with these overrides. */
    public static ForwarderManager forwarder(Registry registry, Map<String, Object> overrides) {
        Map<String, Object> v = new HashMap<>();
        v.put("listen.port", 0);
        v.put("announce", false);
        v.put("handshake.timeout", 2);
        v.put("heartbeat.interval", 1);
        v.put("idle.timeout", 3);
        v.put("data.timeout", 2);
        v.put("rate.per.source", 100_000);
        v.put("max.connections.per.source", 100_000);
        v.putAll(overrides);
        return new ForwarderManager(Configs.forwarder(v), registry, java.time.Clock.systemUTC());
    }

    public static Endpoint endpoint(ForwarderManager f) {
        return new Endpoint(Endpoint.FORWARDER, "127.0.0.1", f.boundAddress().getPort());
    }

    public static Socket open(ForwarderManager f) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", f.boundAddress().getPort()), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Registers an identity by hand; returns the control socket after REGISTERED. */
    public static Socket register(ForwarderManager f, Identity id) throws IOException {
        Socket s = open(f);
        new Payload.Writer().string("test").frame(MessageType.HELLO).write(s.getOutputStream());
        Payload.Reader c = Frame.read(s.getInputStream()).expect(MessageType.CHALLENGE).reader();
        byte[] nonce = c.bytes(32, 32);
        new Payload.Writer().bytes(id.publicKey().getEncoded()).bytes(id.sign(Keys.registerChallenge(nonce)))
                .frame(MessageType.REGISTER).write(s.getOutputStream());
        Frame.read(s.getInputStream()).expect(MessageType.REGISTERED);
        return s;
    }

    public static void send(Socket s, Frame f) throws IOException {
        f.write(s.getOutputStream());
    }

    public static Frame read(Socket s) throws IOException {
        return Frame.read(s.getInputStream());
    }
}
