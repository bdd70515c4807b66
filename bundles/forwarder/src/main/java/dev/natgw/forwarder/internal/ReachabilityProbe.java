package dev.natgw.forwarder.internal;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Semaphore;

/**
 * The reachability probe (docs/protocol.md, section 6): connects back to the asking connection's own source address
 * (never another host, so the forwarder cannot be used to scan third parties) on the port it names, sends a fresh
 * nonce in PROBE_HELLO and reports whether that worked, with the nonce for the asker to compare with what its
 * listener heard. At most {@code max.probes} run at once; each is bounded by {@code probe.timeout}. Thread-safe.
 */
final class ReachabilityProbe {

    private final ForwarderSettings settings;
    private final EngineCounters counters;
    private final Semaphore probes;

    ReachabilityProbe(ForwarderSettings settings, EngineCounters counters) {
        this.settings = settings;
        this.counters = counters;
        this.probes = new Semaphore(settings.maxProbes());
    }

    /** Runs a connection that opened with PROBE: probes once and answers PROBE_RESULT. */
    void probe(Conn conn, Frame probe) throws IOException {
        Payload.Reader r = probe.reader();
        String host = r.string(64);
        int port = r.u16();
        r.end();
        if (port == 0) {
            throw new ProtocolException(ErrorCode.MALFORMED, "port 0");
        }
        InetAddress target = conn.source;
        if (!host.isEmpty() && !sameAddress(host, target)) {
            throw new ProtocolException(ErrorCode.PROBE_REFUSED, "the probe's host must be this connection's"
                    + " source address " + target.getHostAddress() + ", was " + host);
        }
        if (!probes.tryAcquire()) {
            throw new ProtocolException(ErrorCode.LIMIT, "too many probes at once");
        }
        counters.probesMade.increment();
        String address = (target.getHostAddress().contains(":")
                ? "[" + target.getHostAddress() + "]"
                : target.getHostAddress()) + ":" + port;
        byte[] nonce = Keys.nonce();
        boolean reachable;
        String detail;
        int millis = (int) settings.probeTimeout().toMillis();
        conn.deadlineIn(settings.probeTimeout().plusSeconds(2));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target, port), millis);
            s.setSoTimeout(millis);
            new Payload.Writer().bytes(nonce).frame(MessageType.PROBE_HELLO).write(s.getOutputStream());
            s.shutdownOutput();
            // give the listener (a bounded) time to read the frame and close before the result is sent
            try {
                s.getInputStream().read();
            } catch (IOException slow) {
                // the frame was written; a slow listener still got it
            }
            reachable = true;
            detail = "connected and sent the nonce";
        } catch (IOException e) {
            reachable = false;
            detail = e.getClass().getSimpleName() + ": " + e.getMessage();
        } finally {
            probes.release();
        }
        conn.send(new Payload.Writer().u8(reachable ? 1 : 0).string(address).bytes(reachable ? nonce : new byte[0])
                .string(detail.length() > 200 ? detail.substring(0, 200) : detail).frame(MessageType.PROBE_RESULT));
    }

    /**
     * Runs a connection that opened with OBSERVE (docs/protocol.md, section 6a): answers OBSERVED with the
     * connection's source address and port as this forwarder sees them; the engine then closes it. Connects nowhere,
     * so it costs what any opening frame costs and is bounded by the same admission limits.
     */
    void observe(Conn conn, Frame observe) throws IOException {
        observe.reader().end();
        String ip = conn.source.getHostAddress();
        conn.send(new Payload.Writer().string((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + conn.remote.getPort())
                .frame(MessageType.OBSERVED));
    }

    /** True only for a host written in address-literal characters that is the source address. */
    private static boolean sameAddress(String host, InetAddress source) {
        boolean literal = host.chars().allMatch(c -> c == '.' || c == ':' || Character.digit(c, 16) >= 0);
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(host).equals(source);
        } catch (IOException e) {
            return false;
        }
    }
}
