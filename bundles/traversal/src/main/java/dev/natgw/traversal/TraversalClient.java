package dev.natgw.traversal;

import dev.natgw.traversal.protocol.EndpointSigning;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * Reaches servers by key: looks the key up in the registry, keeps only the values the key's owner signed
 * (docs/protocol.md, section 10), and connects to the first place that answers, the server itself ({@code tcp://}) or
 * its forwarder ({@code natgw://}); with no registry, asks the configured forwarders in turn. Over whichever path, it
 * then runs the end-to-end handshake (section 11): the far end must prove it holds the key's private key, or the
 * client moves on to the next place and finally fails with an error that names the key. The socket it returns is
 * encrypted end to end: forwarders and the network carry ciphertext.
 *
 * <p>
 * Places are tried one at a time, in random order, except that places that failed for this client within
 * {@link #DEMOTED_FOR} go last: a dead forwarder of a server announced at several costs one attempt, a refused
 * connection (milliseconds) when its process died or {@link TraversalOptions#connectTimeout()} when its host is gone,
 * and later calls try it only after the others. An attempt that connected waits at most
 * {@link TraversalOptions#handshakeTimeout()} for the forwarder's answer and as long again for the end-to-end handshake.
 * Thread-safe; holds nothing between calls but its TLS session cache and the places that failed lately (at most
 * {@link #DEMOTED_MAX}).
 */
public final class TraversalClient {
    /** How long a place that failed is tried after the others. */
    static final Duration DEMOTED_FOR = Duration.ofSeconds(30);
    /** The most places remembered as failed; beyond it the oldest are forgotten. */
    static final int DEMOTED_MAX = 64;

    private final TraversalOptions options;
    private final RegistryClient registry;
    private final SSLContext e2e;
    private final byte[] secret;
    /** Whether relayed connections try to move to a direct path (hole punching, docs/protocol.md section 11a). */
    private final boolean directUpgrade;
    /** Places that failed lately, to when (nanoTime) they failed. */
    private final ConcurrentHashMap<Endpoint, Long> failedAt = new ConcurrentHashMap<>();

    /** A client that shows no identity and no secret (servers with an open {@link ClientPolicy} serve it). */
    public TraversalClient(TraversalOptions options) {
        this(options, null, null);
    }

    /**
     * A client for servers whose {@link ClientPolicy} asks for more.
     *
     * @param identity the client's own identity, shown to servers that serve listed client keys; null for none
     * @param secret the client secret servers may ask for; null or empty for none
     */
    public TraversalClient(TraversalOptions options, Identity identity, byte[] secret) {
        this(options, identity, secret, false);
    }

    /**
     * As {@link #TraversalClient(TraversalOptions, Identity, byte[])}; with directUpgrade, a connection relayed by a
     * forwarder to a server that also allows it then tries to move to a direct TCP path by hole punching, under the
     * application and without loss (its socket is an {@link UpgradableSocket}); where that fails it stays relayed.
     */
    public TraversalClient(TraversalOptions options, Identity identity, byte[] secret, boolean directUpgrade) {
        this.directUpgrade = directUpgrade;
        this.options = options;
        this.registry = options.registry() == null
                ? null
                : new RegistryClient(options.registry(), options.connectTimeout().plus(options.handshakeTimeout()));
        this.e2e = E2e.context(identity);
        this.secret = secret == null ? new byte[0] : secret.clone();
        if (this.secret.length > E2e.MAX_SECRET) {
            throw new IllegalArgumentException("a client secret must be at most " + E2e.MAX_SECRET + " bytes");
        }
    }

    /**
     * Connects to the server that owns the key.
     *
     * @return an ordinary connected socket to the server (relayed or direct), encrypted end to end
     * @throws IOException listing why each place failed, if none answered as the key's holder
     */
    public Socket connect(String key) throws IOException {
        return open(key).socket();
    }

    /**
     * Connects to the server that owns the key, as {@link #connect}, and says who answered and how.
     *
     * @return the connection; its {@link PeerConnection#peerKey()} is the key, proven by the server
     * @throws IOException naming the key and why each place failed, if none answered as the key's holder
     */
    public PeerConnection open(String key) throws IOException {
        if (!Keys.isKey(key)) {
            throw new IOException("\"" + key + "\" is not a key (ed25519- and 64 hex digits)");
        }
        List<Endpoint> places = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        if (registry != null) {
            try {
                long now = System.currentTimeMillis() / 1000;
                for (String v : registry.lookup(key, 16)) {
                    try {
                        places.add(Endpoint.parse(EndpointSigning.verify(key, v, now).endpoint()));
                    } catch (ProtocolException | IllegalArgumentException e) {
                        failures.add("refused " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                failures.add("registry: " + e.getMessage());
            }
            Collections.shuffle(places);
        }
        List<Endpoint> fallback = new ArrayList<>(options.forwarders());
        Collections.shuffle(fallback);
        places.addAll(fallback);
        demoteFailed(places);
        for (Endpoint e : places) {
            try {
                Socket raw;
                if (e.forwarder()) {
                    raw = Wire.connect(e, key, options);
                } else {
                    raw = new Socket();
                    try {
                        raw.setTcpNoDelay(true);
                        raw.connect(new InetSocketAddress(e.host(), e.port()), (int) options.connectTimeout()
                                .toMillis());
                    } catch (IOException ex) {
                        raw.close();
                        throw ex;
                    }
                }
                boolean upgrade = directUpgrade && e.forwarder();
                PeerConnection c = E2e.client(e2e, raw, key, e, secret, options.handshakeTimeout(), upgrade);
                if (upgrade && E2e.upgradable(c)) {
                    c = DirectUpgrade.client(c, e2e, options);
                }
                failedAt.remove(e);
                return c;
            } catch (IOException ex) {
                failures.add(e + ": " + ex.getMessage());
                failed(e);
            }
        }
        throw new IOException("cannot reach " + key + (failures.isEmpty()
                ? ": it is announced nowhere"
                : ": " + String.join("; ", failures)));
    }

    /** Moves the places that failed within {@link #DEMOTED_FOR} behind the others, keeping each group's order. */
    private void demoteFailed(List<Endpoint> places) {
        long now = System.nanoTime();
        failedAt.values().removeIf(t -> now - t > DEMOTED_FOR.toNanos());
        if (failedAt.isEmpty()) {
            return;
        }
        List<Endpoint> late = new ArrayList<>();
        places.removeIf(e -> failedAt.containsKey(e) && late.add(e));
        places.addAll(late);
    }

    private void failed(Endpoint e) {
        if (failedAt.size() >= DEMOTED_MAX) {
            // bounded: the oldest failure is the one least likely to matter
            failedAt.entrySet().stream().min(Map.Entry.comparingByValue()).ifPresent(o -> failedAt.remove(o
                    .getKey()));
        }
        failedAt.put(e, System.nanoTime());
    }
}
