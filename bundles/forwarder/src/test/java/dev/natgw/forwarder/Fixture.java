package dev.natgw.forwarder;

import dev.natgw.api.registry.Registry;
import dev.natgw.registry.RegistryManager;
import dev.natgw.traversal.Endpoint;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.api.forwarder.TenantQuota;
import dev.natgw.forwarder.internal.Credentials;
import dev.natgw.traversal.protocol.TenantCredential;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;

/** Test helpers: a real registry and forwarders on loopback, and raw protocol steps on real sockets. */
public final class Fixture {
    /**
     * The credentials file every fixture forwarder starts from: one tenant, "fixture", so that one credential works on
     * all of them, as it does on the forwarders of a deployment that share the file.
     */
    private static final Path TEMPLATE;
    private static final String CREDENTIAL;

    static {
        try {
            Path dir = Files.createTempDirectory("natgw-fwd-template");
            dir.toFile().deleteOnExit();
            TEMPLATE = dir.resolve("credentials.properties");
            TEMPLATE.toFile().deleteOnExit();
            CREDENTIAL = new Credentials(TEMPLATE, java.time.Clock.systemUTC()).addTenant("fixture", new TenantQuota(
                    1000, 100_000, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
        v.put("max.connections.per.network", 100_000);
        v.put("rate.per.network", 100_000);
        if (!overrides.containsKey("credentials.file")) {
            v.put("credentials.file", tempCredentialsFile(true));
        }
        // a forwarder that generates its TLS key does it in a directory of its own, never in the working directory
        v.put("tls.generated", tempCredentialsFile(false).replace("credentials.properties", "forwarder-tls.p12"));
        v.putAll(overrides);
        return new ForwarderManager(Configs.forwarder(v), registry, java.time.Clock.systemUTC());
    }

    /**
     * {@return a new credentials file, with the tenant "fixture" or empty}
     */
    public static String tempCredentialsFile(boolean withFixtureTenant) {
        try {
            Path dir = Files.createTempDirectory("natgw-fwd-credentials");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("credentials.properties");
            file.toFile().deleteOnExit();
            if (withFixtureTenant) {
                Files.copy(TEMPLATE, file);
            }
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@return the text of the credential of tenant "fixture" (1,000 servers, 100,000 relays, no byte rate), good on
     * every forwarder made here without a credentials.file of its own}
     */
    public static String credential() {
        return CREDENTIAL;
    }

    /** {@return the fixture credential, which this forwarder admits} */
    public static String credential(ForwarderManager f) {
        return CREDENTIAL;
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

    /** Allow-lists an identity and registers it by hand; returns the control socket after REGISTERED. */
    public static Socket register(ForwarderManager f, Identity id) throws IOException {
        f.allow(id.key(), "");
        Socket s = open(f);
        Frame answer = register(s, id, null);
        answer.expect(MessageType.REGISTERED);
        return s;
    }

    /**
     * Sends HELLO and, after the CHALLENGE, a REGISTER on an open socket, with a tenant credential or without.
     *
     * @return the forwarder's answer: REGISTERED or an ERROR
     */
    public static Frame register(Socket s, Identity id, TenantCredential credential) throws IOException {
        new Payload.Writer().string("test").frame(MessageType.HELLO).write(s.getOutputStream());
        Payload.Reader c = Frame.read(s.getInputStream()).expect(MessageType.CHALLENGE).reader();
        byte[] nonce = c.bytes(32, 32);
        byte[] publicKey = id.publicKey().getEncoded();
        Payload.Writer w = new Payload.Writer().bytes(publicKey).bytes(id.sign(Keys.registerProof(nonce,
                ForwarderIdentity.seen(s))));
        if (credential != null) {
            w.string(credential.tenant()).bytes(credential.sign(nonce, publicKey));
        }
        w.frame(MessageType.REGISTER).write(s.getOutputStream());
        return Frame.read(s.getInputStream());
    }

    /**
     * {@return the DATA frame a server sends for a token on a data connection just opened: the token, signed by the
     * server's key over the forwarder the connection reached (docs/protocol.md, section 5)}
     */
    public static Frame data(Socket s, Identity server, byte[] token) throws IOException {
        return new Payload.Writer().bytes(token).bytes(server.sign(Keys.dataProof(ForwarderIdentity.seen(s), token)))
                .frame(MessageType.DATA);
    }

    public static void send(Socket s, Frame f) throws IOException {
        f.write(s.getOutputStream());
    }

    public static Frame read(Socket s) throws IOException {
        return Frame.read(s.getInputStream());
    }
}
