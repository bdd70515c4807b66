package dev.natgw.traversal;

import static dev.natgw.traversal.Publication.quietly;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Moves a relayed end-to-end connection to a direct TCP path by hole punching (docs/protocol.md, section 11a), on a
 * virtual thread of its own while the application goes on over the relay:
 * <ol>
 * <li>asks the forwarder, with {@code OBSERVE} from a fresh reusable local port, where it sees this side;
 * <li>sends that address on the end-to-end channel ({@code CANDIDATE}; the client adds a fresh 32-byte token) and
 * waits for the peer's;
 * <li>connects from that same local port to the peer's address, which the peer does towards this side at the same
 * time, the server also listening on it (a simultaneous open where the SYNs cross in both NATs, else the client's SYN
 * through the hole the server's SYN opened): at most {@value #MAX_ATTEMPTS} attempts to that one address within
 * {@link #WINDOW}; the first TCP connection made is the only one;
 * <li>runs a whole end-to-end handshake on the direct connection: the server proves the key as on the relay, the
 * client proves it is the relayed client by showing the token (as its secret) and the same client key, so that
 * nobody else's connection is ever taken for the direct path;
 * <li>sends {@code PUNCHED 1} or {@code PUNCHED 0} and, when both said 1, switches its direction to the direct path
 * ({@link UpgradableSocket}); otherwise closes the direct connection and stays relayed, exactly as before.
 * </ol>
 * A candidate from the peer is an IP literal (never a name to resolve) and only ever that one address is tried, so
 * a lying peer can make this side send at most {@value #MAX_ATTEMPTS} connection attempts to one address of its
 * choice, within {@link #WINDOW} plus one handshake timeout.
 */
final class DirectUpgrade {
    private static final System.Logger LOG = System.getLogger(DirectUpgrade.class.getName());
    /** How long the simultaneous open is tried. */
    static final Duration WINDOW = Duration.ofSeconds(2);
    /** The most connection attempts to the peer's candidate. */
    static final int MAX_ATTEMPTS = 10;
    /** The pause after an attempt that was refused (the peer's SYN had not left its NAT yet). */
    static final long RETRY_MILLIS = 200;
    private static final int TOKEN_BYTES = Keys.NONCE_BYTES;

    private final UpgradableSocket socket;
    private final boolean client;
    private final SSLContext ctx;
    private final Endpoint forwarder;
    private final TraversalOptions options;
    /** The server's key (on the client's side) or the client's key, possibly null (on the server's side). */
    private final String peerKey;
    /** For tests that play a lying peer: the candidate to send instead of the observed one; else null. */
    private final String advertise;
    private final long started = System.nanoTime();

    private DirectUpgrade(UpgradableSocket socket, boolean client, SSLContext ctx, Endpoint forwarder,
            TraversalOptions options, String peerKey, String advertise) {
        this.socket = socket;
        this.client = client;
        this.ctx = ctx;
        this.forwarder = forwarder;
        this.options = options;
        this.peerKey = peerKey;
        this.advertise = advertise;
    }

    /** Starts the client's upgrade of a relayed connection that chose {@link E2e#ALPN_UPGRADE}; returns its face. */
    static PeerConnection client(PeerConnection relayed, SSLContext ctx, TraversalOptions options) throws IOException {
        return start(relayed, true, ctx, relayed.via(), options, relayed.peerKey(), null);
    }

    /** Starts the server's upgrade of a relayed connection that chose {@link E2e#ALPN_UPGRADE}; returns its face. */
    static PeerConnection server(PeerConnection relayed, SSLContext ctx, Endpoint forwarder, TraversalOptions options)
            throws IOException {
        return start(relayed, false, ctx, forwarder, options, relayed.peerKey(), null);
    }

    static PeerConnection start(PeerConnection relayed, boolean client, SSLContext ctx, Endpoint forwarder,
            TraversalOptions options, String peerKey, String advertise) throws IOException {
        UpgradableSocket s = new UpgradableSocket(relayed.socket());
        DirectUpgrade u = new DirectUpgrade(s, client, ctx, forwarder, options, peerKey, advertise);
        try {
            // before the application's first byte: a candidate queued behind megabytes of its data would reach the
            // peer seconds late, and the two sides' punch windows would no longer overlap
            u.offer();
        } catch (IOException | RuntimeException e) {
            quietly(s);
            throw e;
        }
        Thread.ofVirtual().name("natgw-traversal-punch").start(u::run);
        return new PeerConnection(s, relayed.peerKey(), relayed.clientAddress(), relayed.via());
    }

    private void run() {
        PeerConnection d = null;
        String detail;
        try {
            d = punch();
        } catch (IOException | RuntimeException e) {
            lastFailure = e.getMessage();
        }
        try {
            if (d != null) {
                socket.directReady(d.socket());
            }
            // every side says how its punch went, whatever happened before, so the peer never waits in vain
            if (!socket.send(UpgradableSocket.PUNCHED, new Payload.Writer().u8(d == null ? 0 : 1).toBytes())) {
                // the application half-closed first: its direction ends on the relay, and so does the upgrade
                throw new IOException("the application shut its output before the switch");
            }
            // the peer answers once its own attempt ended (bounded on its side); waiting as long as the relay lives
            // keeps both sides' decisions the same: both switch, or neither
            Payload.Reader r = new Payload.Reader(socket.await(UpgradableSocket.PUNCHED, null));
            boolean peerPunched = r.u8() == 1;
            r.end();
            if (d != null && peerPunched) {
                socket.switchWrite();
                detail = "direct to " + d.socket().getRemoteSocketAddress();
            } else {
                detail = d == null ? lastFailure : "the peer's punch failed";
                quietly(d == null ? null : d.socket());
                d = null;
            }
        } catch (IOException | RuntimeException e) {
            detail = e.getMessage();
            quietly(d == null ? null : d.socket());
            d = null;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        LOG.log(Level.INFO, (d != null ? "upgraded to a direct path: " : "stays relayed: ") + detail + " ("
                + took.toMillis() + " ms)");
        socket.finish(new UpgradableSocket.Outcome(d != null, detail, took));
    }

    private volatile String lastFailure = "no candidate";

    /** This side's observed address and (client) token, set by {@link #offer}. */
    private Wire.Observed mine;
    private byte[] token;

    /** Observes this side's address and sends the candidate: the first frame on the relay. */
    private void offer() throws IOException {
        try {
            mine = Wire.observe(forwarder, options);
        } catch (IOException e) {
            // an older forwarder answers ERROR UNEXPECTED: no candidate, the relay stays
            lastFailure = "cannot observe this side's address at " + forwarder + ": " + e.getMessage();
        }
        token = client ? Keys.nonce() : new byte[0];
        String candidate = mine == null ? "" : advertise != null ? advertise : mine.address();
        socket.send(UpgradableSocket.CANDIDATE, new Payload.Writer().string(candidate).bytes(token).toBytes());
    }

    /** {@return the authenticated direct connection, or null (lastFailure says why)} */
    private PeerConnection punch() throws IOException {
        byte[] token = this.token;
        Payload.Reader r = new Payload.Reader(socket.await(UpgradableSocket.CANDIDATE, options.handshakeTimeout()));
        String theirs = r.string(80);
        byte[] theirToken = r.bytes(0, TOKEN_BYTES);
        r.end();
        if (!client) {
            if (theirToken.length != TOKEN_BYTES) {
                throw new ProtocolException(ErrorCode.MALFORMED,
                        "the client's candidate has no token");
            }
            token = theirToken;
        }
        if (mine == null) {
            return null;
        }
        if (theirs.isEmpty()) {
            lastFailure = "the peer has no candidate";
            return null;
        }
        InetSocketAddress peer = literal(theirs);
        Socket raw = connect(mine.localPort(), peer);
        if (raw == null) {
            return null;
        }
        try {
            if (client) {
                return E2e.client(ctx, raw, peerKey, new Endpoint(Endpoint.DIRECT, peer.getAddress()
                        .getHostAddress(), peer.getPort()), token, options.handshakeTimeout());
            }
            byte[] expected = token;
            ClientPolicy sameClient = ClientPolicy.builder().secret(expected).filter(c -> Objects.equals(c.key(),
                    peerKey) ? null : "not the relayed client").build();
            return E2e.server(ctx, raw, theirs, sameClient, options.handshakeTimeout());
        } catch (IOException e) {
            lastFailure = "the direct connection to " + theirs + " failed the end-to-end handshake: " + e
                    .getMessage();
            return null;
        }
    }

    /**
     * {@return a TCP connection between localPort and peer, or null} The client connects; the server listens on its
     * port and connects too, which opens its NAT's mapping towards the client (and is a simultaneous open where the
     * SYNs cross), and takes whichever comes first from the peer's address: so exactly one connection results for
     * both. At most MAX_ATTEMPTS connects within WINDOW.
     */
    private Socket connect(int localPort, InetSocketAddress peer) {
        long end = System.nanoTime() + WINDOW.toNanos();
        CompletableFuture<Socket> accepted = new CompletableFuture<>();
        ServerSocket listener = null;
        if (!client) {
            try {
                listener = new ServerSocket();
                listener.setReuseAddress(true);
                if (listener.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                listener.bind(new InetSocketAddress(localPort), 4);
                ServerSocket l = listener;
                Thread.ofVirtual().name("natgw-traversal-punch-accept").start(() -> acceptFrom(l, peer, accepted));
            } catch (IOException e) {
                close(listener);
                listener = null;
            }
        }
        String last = "no attempt";
        try {
            for (int i = 0; i < MAX_ATTEMPTS && !accepted.isDone(); i++) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                Socket s = new Socket();
                try {
                    Wire.reusable(s);
                    s.setTcpNoDelay(true);
                    s.bind(new InetSocketAddress(localPort));
                    s.connect(peer, (int) left);
                    if (accepted.complete(s)) {
                        return s;
                    }
                    quietly(s);
                    break;
                } catch (IOException e) {
                    quietly(s);
                    last = e.getMessage();
                }
                try {
                    accepted.get(Math.min(RETRY_MILLIS, Math.max(1, left)), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // no connection from the peer yet: the next attempt
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (listener != null && !accepted.isDone()) {
                // the peer's SYN may still arrive within the window
                try {
                    accepted.get(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    // none
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (accepted.complete(null)) {
                lastFailure = "no direct connection to " + peer + " within " + WINDOW.toMillis() + " ms: " + last;
            }
            return accepted.getNow(null);
        } finally {
            close(listener);
        }
    }

    private static void close(ServerSocket l) {
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** Accepts the peer's connection on the listener; any other source is closed at once. */
    private static void acceptFrom(ServerSocket l, InetSocketAddress peer, CompletableFuture<Socket> accepted) {
        while (!accepted.isDone()) {
            Socket s;
            try {
                s = l.accept();
            } catch (IOException e) {
                return;
            }
            if (!((InetSocketAddress) s.getRemoteSocketAddress()).getAddress().equals(peer.getAddress()) || !accepted
                    .complete(s)) {
                quietly(s);
            }
        }
    }

    /** {@return the candidate as an address} Only IP literals: a peer's text never makes this side resolve a name. */
    static InetSocketAddress literal(String text) throws ProtocolException {
        int colon = text.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new IllegalArgumentException("no port");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            InetAddress a = InetAddress.ofLiteral(host);
            if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
                throw new IllegalArgumentException("not a unicast address");
            }
            return new InetSocketAddress(a, port);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED, "the peer's candidate \""
                    + text + "\" is not ip:port (" + e.getMessage() + ")");
        }
    }
}
