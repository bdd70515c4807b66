package dev.natgw.forwarder;

import static org.awaitility.Awaitility.await;

import dev.natgw.registry.RegistryManager;
import dev.natgw.registry.TestRegistry;
import dev.natgw.traversal.Identity;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The IPv6 half of {@link Ipv6PrefixNamespaceTest}, run inside its network namespace, where 2001:db8::/32 is local
 * and any address of it can be bound: a forwarder on [2001:db8:2::1], COUNT idle connections each from a different
 * random address of one /64 (2001:db8:1::/64), then an honest server (from 2001:db8:3::1) registers and an honest
 * client (from 2001:db8:4::1) is relayed to it. Prints "held H refused R" and "honest served". Argument: COUNT.
 */
public final class Ipv6FloodScenario {
    private Ipv6FloodScenario() {
    }

    private static final String LISTEN = "2001:db8:2::1";

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        RegistryManager registry = Fixture.registry();
        ForwarderManager f = Fixture.forwarder(registry, Map.of("listen.host", LISTEN, "tls", "off",
                "allow.plaintext", true, "max.connections", 20_000,
                "max.connections.per.source", 512, "max.connections.per.network", 2048, "rate.per.source",
                1_000_000, "rate.per.network", 1_000_000, "handshake.timeout", 120));
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(LISTEN), f.boundAddress().getPort());
        List<Socket> held = new ArrayList<>(count);
        SplittableRandom random = new SplittableRandom(7);
        long deadline = System.nanoTime() + 90_000_000_000L;
        int failed = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            byte[] a = ByteBuffer.allocate(16).putLong(0x2001_0db8_0001_0000L).putLong(random.nextLong()).array();
            Socket s = new Socket();
            held.add(s);
            try {
                s.bind(new InetSocketAddress(Inet6Address.getByAddress(a), 0));
                s.connect(target, 5000);
            } catch (IOException e) {
                failed++;
            }
        }
        int attempted = held.size();
        int connected = attempted - failed;
        await().atMost(Duration.ofSeconds(60)).until(() -> f.load().connections() + f.load()
                .connectionsRefused() >= connected);
        System.out.println("held " + f.load().connections() + " refused " + f.load().connectionsRefused()
                + " failed " + failed + " of " + attempted);

        Identity id = Identity.generate();
        f.allow(id.key(), "");
        try (Socket control = bound("2001:db8:3::1", target); Socket client = bound("2001:db8:4::1", target)) {
            Fixture.register(control, id, null).expect(MessageType.REGISTERED);
            new Payload.Writer().string(id.key()).frame(MessageType.CONNECT).write(client.getOutputStream());
            Payload.Reader in = Frame.read(control.getInputStream()).expect(MessageType.INCOMING).reader();
            byte[] token = in.bytes(32, 32);
            try (Socket data = bound("2001:db8:3::1", target)) {
                Fixture.data(data, id, token).write(data.getOutputStream());
                Frame.read(data.getInputStream()).expect(MessageType.CONNECTED);
                Frame.read(client.getInputStream()).expect(MessageType.CONNECTED);
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                String got = new String(data.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
                System.out.println(got.equals("ping") ? "honest served" : "honest got " + got);
            }
        }
        for (Socket s : held) {
            s.close();
        }
        f.deactivate();
        TestRegistry.stop(registry);
        System.out.flush();
        System.exit(0);
    }

    private static Socket bound(String source, InetSocketAddress target) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        s.connect(target, 5000);
        s.setSoTimeout(10_000);
        return s;
    }
}
