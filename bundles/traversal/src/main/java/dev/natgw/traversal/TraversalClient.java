package dev.natgw.traversal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reaches servers by key: looks the key up in the registry and connects to the first place that answers, the server
 * itself ({@code tcp://}) or its forwarder ({@code natgw://}); with no registry, asks the configured forwarders in
 * turn. Thread-safe; holds nothing between calls.
 */
public final class TraversalClient {
    private final TraversalOptions options;
    private final RegistryClient registry;

    public TraversalClient(TraversalOptions options) {
        this.options = options;
        this.registry = options.registry() == null
                ? null
                : new RegistryClient(options.registry(), options.connectTimeout().plus(options.handshakeTimeout()));
    }

    /**
     * Connects to the server that owns the key.
     *
     * @return an ordinary connected socket to the server (relayed or direct)
     * @throws IOException listing why each place failed, if none answered
     */
    public Socket connect(String key) throws IOException {
        List<Endpoint> places = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        if (registry != null) {
            try {
                for (String v : registry.lookup(key, 16)) {
                    try {
                        places.add(Endpoint.parse(v));
                    } catch (IllegalArgumentException e) {
                        failures.add(e.getMessage());
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
                if (e.forwarder()) {
                    return Wire.connect(e, key, options);
                }
                Socket s = new Socket();
                try {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(e.host(), e.port()), (int) options.connectTimeout().toMillis());
                    return s;
                } catch (IOException ex) {
                    s.close();
                    throw ex;
                }
            } catch (IOException ex) {
                failures.add(e + ": " + ex.getMessage());
            }
        }
        throw new IOException("cannot reach " + key + (failures.isEmpty()
                ? ": it is announced nowhere"
                : ": " + String.join("; ", failures)));
    }
}
