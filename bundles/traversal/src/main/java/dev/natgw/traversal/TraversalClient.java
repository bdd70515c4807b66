package dev.natgw.traversal;

import dev.natgw.traversal.protocol.EndpointSigning;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Reaches servers by key: looks the key up in the registry, keeps only the values the key's owner signed
 * (docs/protocol.md, section 10), and connects to the first place that answers, the server itself ({@code tcp://}) or
 * its forwarder ({@code natgw://}); with no registry, asks the configured forwarders in turn. Over whichever path, it
 * then runs the end-to-end handshake (section 11): the far end must prove it holds the key's private key, or the
 * client moves on to the next place and finally fails with an error that names the key. The socket it returns is
 * encrypted end to end: forwarders and the network carry ciphertext. Thread-safe; holds nothing between calls but its
 * TLS session cache.
 */
public final class TraversalClient {
    private final TraversalOptions options;
    private final RegistryClient registry;
    private final SSLContext e2e;
    private final byte[] secret;

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
                return E2e.client(e2e, raw, key, e, secret, options.handshakeTimeout());
            } catch (IOException ex) {
                failures.add(e + ": " + ex.getMessage());
            }
        }
        throw new IOException("cannot reach " + key + (failures.isEmpty()
                ? ": it is announced nowhere"
                : ": " + String.join("; ", failures)));
    }
}
