package dev.natgw.traversal;

import dev.natgw.traversal.protocol.Ed25519Provider;

import dev.natgw.traversal.protocol.ErrorCode;
import dev.natgw.traversal.protocol.Frame;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.MessageType;
import dev.natgw.traversal.protocol.Payload;
import dev.natgw.traversal.protocol.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The end-to-end channel between a client and the server of a key (docs/protocol.md, section 11), over whatever carries
 * their bytes (a forwarder's relay or a direct TCP connection): TLS 1.3 with ALPN {@value #ALPN}, the server showing a
 * self-signed certificate whose public key is its identity's ({@link SelfCertificate}), the client accepting it only
 * if that public key names the key it asked for; then, inside, the client's {@code E2E_HELLO} (its secret, possibly
 * empty) and the server's {@code E2E_ACCEPT} or {@code ERROR DECLINED}. Each handshake is bounded by the handshake
 * timeout as a whole, not per read. The connection handed on is an {@link E2eSocket}: an end of its stream without
 * the peer's close_notify is an error, not an end. Stateless.
 */
final class E2e {
    /** The ALPN name of this version of the channel; a later version offers its own name first. */
    static final String ALPN = "natgw-e2e/1";
    /**
     * The same channel whose application bytes are framed so that the two ends can move it to a direct path
     * ({@link DirectUpgrade}, docs/protocol.md section 11a); offered before {@link #ALPN} by a client that wants it,
     * chosen only by a server that does too.
     */
    static final String ALPN_UPGRADE = "natgw-e2e/1+direct";
    /** The longest client secret. */
    static final int MAX_SECRET = 1024;
    /** What a server writes, in clear, to a peer that does not start TLS (a client older than the channel). */
    static final String NOT_E2E = "natgw: this server needs an end-to-end encrypted client (" + ALPN
            + ", TLS 1.3); upgrade natgw-traversal\n";
    private static final String ALIAS = "natgw-identity";
    private static final int TLS_HANDSHAKE_RECORD = 0x16;
    /** Client handshakes in this JVM that checked a server's certificate: full ones; a resumed one checks none. */
    private static final LongAdder CHECKED = new LongAdder();

    private E2e() {
    }

    /** {@return a TLS context that shows the identity (if not null) and checks the peer as {@link PeerTrust} does} */
    static SSLContext context(Identity identity) {
        // the handshake's X25519 and Ed25519 on the protocol's fast code (-Dnatgw.25519.jdk=true: the JDK's)
        Ed25519Provider.install();
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            KeyManager[] km = identity == null ? null : new KeyManager[]{new IdentityKeys(identity)};
            ctx.init(km, new TrustManager[]{new PeerTrust()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot do TLS 1.3: " + e.getMessage(), e);
        }
    }

    /**
     * The client's side, on a connected socket that reaches (or claims to reach) the server of key.
     *
     * @param secret the client secret to present, empty for none
     * @return the verified connection, with no read timeout
     * @throws IOException naming the key: the far end did not prove it holds the key, declined the client, or did not
     *     finish the handshake in time; the socket is closed
     */
    static PeerConnection client(SSLContext ctx, Socket raw, String key, Endpoint via, byte[] secret, Duration timeout)
            throws IOException {
        return client(ctx, raw, key, via, secret, timeout, false);
    }

    /** As {@link #client(SSLContext, Socket, String, Endpoint, byte[], Duration)}, offering {@link #ALPN_UPGRADE} too. */
    static PeerConnection client(SSLContext ctx, Socket raw, String key, Endpoint via, byte[] secret, Duration timeout,
            boolean upgrade) throws IOException {
        Deadline deadline = new Deadline(raw, timeout);
        DrainingSocket transport = null;
        try {
            // the key as the peer host: the trust manager reads it back as the key to expect, and TLS sessions are
            // cached per key; over a transport that drains before it closes, so that no reset eats the stream's end
            transport = new DrainingSocket(raw);
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(transport, key, via.port(), true);
            SSLParameters p = tls.getSSLParameters();
            p.setProtocols(new String[]{"TLSv1.3"});
            p.setApplicationProtocols(protocols(upgrade));
            p.setEndpointIdentificationAlgorithm(null);
            tls.setSSLParameters(p);
            tls.setUseClientMode(true);
            tls.setSoTimeout((int) timeout.toMillis());
            try {
                tls.startHandshake();
            } catch (SocketTimeoutException e) {
                throw new IOException(via + " did not finish the end-to-end handshake for " + key + " within "
                        + timeout.toSeconds() + " s (a server older than " + ALPN + "?)", e);
            } catch (SSLException e) {
                throw new IOException(via + " did not prove it holds " + key + ": " + e.getMessage(), e);
            }
            String proven = peerKey(tls);
            if (!key.equals(proven)) {
                // the trust manager refuses this first; a resumed session is checked here too
                throw new IOException(via + " did not prove it holds " + key + ": it proved " + proven);
            }
            if (!spoken(tls, upgrade)) {
                throw new IOException("the server of " + key + " via " + via + " does not speak " + ALPN);
            }
            OutputStream out = tls.getOutputStream();
            new Payload.Writer().bytes(secret).frame(MessageType.E2E_HELLO).write(out);
            try {
                Frame.read(tls.getInputStream()).expect(MessageType.E2E_ACCEPT).reader().end();
            } catch (java.io.EOFException e) {
                throw new IOException("the server of " + key + " via " + via + " closed the connection before"
                        + " admitting this client", e);
            } catch (ProtocolException e) {
                throw new IOException("the server of " + key + " via " + via + " refused this client: " + e
                        .getMessage(), e);
            }
            tls.setSoTimeout(0);
            if (!deadline.cancel()) {
                throw new SocketTimeoutException("the end-to-end handshake's time ran out");
            }
            return new PeerConnection(new E2eSocket(tls, transport, "the end-to-end stream from " + key + " via "
                    + via + " was cut short on the way: its transport ended without the server's close_notify"
                    + " (closed by someone on the path, not by the server)"), key, null, via);
        } catch (IOException | RuntimeException e) {
            close(raw, transport);
            if (deadline.expired()) {
                // the deadline closed the socket: say so, not what the close did to a read
                throw new IOException(via + " did not finish the end-to-end handshake for " + key + " within "
                        + timeout.toSeconds() + " s", e);
            }
            throw e;
        } finally {
            deadline.cancel();
        }
    }

    /**
     * The server's side, on a connection from a client (relayed or direct).
     *
     * @param clientAddress the client's ip:port
     * @return the verified, admitted connection, with no read timeout
     * @throws IOException if the client is not a natgw-e2e/1 client (told so in clear text), fails the handshake or is
     *     declined (told so with ERROR DECLINED); the socket is closed
     */
    static PeerConnection server(SSLContext ctx, Socket raw, String clientAddress, ClientPolicy policy,
            Duration timeout) throws IOException {
        return server(ctx, raw, clientAddress, policy, timeout, false);
    }

    /** As {@link #server(SSLContext, Socket, String, ClientPolicy, Duration)}, choosing {@link #ALPN_UPGRADE} if offered. */
    static PeerConnection server(SSLContext ctx, Socket raw, String clientAddress, ClientPolicy policy,
            Duration timeout, boolean upgrade) throws IOException {
        Deadline deadline = new Deadline(raw, timeout);
        DrainingSocket transport = null;
        try {
            // the first byte within three quarters of the time, so that a silent peer is still told why it is closed
            // before the deadline closes the socket
            raw.setSoTimeout((int) Math.max(1, timeout.toMillis() * 3 / 4));
            InputStream in = raw.getInputStream();
            int first;
            try {
                first = in.read();
            } catch (SocketTimeoutException e) {
                first = -2;
            }
            if (first != TLS_HANDSHAKE_RECORD) {
                if (first != -1) {
                    raw.getOutputStream().write(NOT_E2E.getBytes(StandardCharsets.US_ASCII));
                    raw.getOutputStream().flush();
                    // read what the peer sent on, so that the close does not reset the message away
                    DrainingSocket.finish(raw, DrainingSocket.DRAIN_TIME, DrainingSocket.DRAIN_BYTES);
                }
                throw new IOException("client " + clientAddress + " does not start " + ALPN);
            }
            transport = new DrainingSocket(raw);
            SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(transport,
                    new ByteArrayInputStream(new byte[]{(byte) TLS_HANDSHAKE_RECORD}), true);
            SSLParameters p = tls.getSSLParameters();
            p.setProtocols(new String[]{"TLSv1.3"});
            p.setApplicationProtocols(protocols(upgrade));
            p.setWantClientAuth(true);
            tls.setSSLParameters(p);
            tls.setSoTimeout((int) timeout.toMillis());
            tls.startHandshake();
            if (!spoken(tls, upgrade)) {
                throw new IOException("client " + clientAddress + " does not speak " + ALPN);
            }
            String clientKey;
            try {
                clientKey = peerKey(tls);
            } catch (SSLPeerUnverifiedException e) {
                clientKey = null;
            }
            Payload.Reader hello = Frame.read(tls.getInputStream()).expect(MessageType.E2E_HELLO).reader();
            byte[] secret = hello.bytes(0, MAX_SECRET);
            hello.end();
            String reason = policy.check(new ClientInfo(clientAddress, clientKey), secret);
            OutputStream out = tls.getOutputStream();
            String client = "client " + clientAddress + (clientKey == null ? "" : " (" + clientKey + ")");
            if (reason != null) {
                Frame.error(ErrorCode.DECLINED, reason).write(out);
                tls.close();
                throw new IOException("declined " + client + ": " + reason);
            }
            Frame.of(MessageType.E2E_ACCEPT).write(out);
            tls.setSoTimeout(0);
            if (!deadline.cancel()) {
                throw new SocketTimeoutException("the end-to-end handshake's time ran out");
            }
            return new PeerConnection(new E2eSocket(tls, transport, "the end-to-end stream to " + localKey(tls)
                    + " from " + client + " was cut short on the way: its transport ended without the client's"
                    + " close_notify (closed by someone on the path, not by the client)"), clientKey, clientAddress,
                    null);
        } catch (IOException | RuntimeException e) {
            close(raw, transport);
            throw e;
        } finally {
            deadline.cancel();
        }
    }

    private static String[] protocols(boolean upgrade) {
        return upgrade ? new String[]{ALPN_UPGRADE, ALPN} : new String[]{ALPN};
    }

    private static boolean spoken(SSLSocket tls, boolean upgrade) {
        String chosen = tls.getApplicationProtocol();
        return ALPN.equals(chosen) || upgrade && ALPN_UPGRADE.equals(chosen);
    }

    /** {@return true if the connection {@link #client} or {@link #server} returned speaks {@link #ALPN_UPGRADE}} */
    static boolean upgradable(PeerConnection c) {
        return c.socket() instanceof E2eSocket e && e.socket instanceof SSLSocket tls && ALPN_UPGRADE.equals(tls
                .getApplicationProtocol());
    }

    /** {@return how many client handshakes in this JVM checked a server's certificate (were not resumed)} */
    static long fullClientHandshakes() {
        return CHECKED.sum();
    }

    /**
     * Closes a connection whose handshake failed: through its draining transport once there is one (a close that
     * raced it would reset what the layer above just said, such as ERROR DECLINED), else the socket itself.
     */
    private static void close(Socket raw, DrainingSocket transport) throws IOException {
        if (transport != null) {
            transport.close();
        } else {
            raw.close();
        }
    }

    /** {@return the key this end's own certificate names} */
    private static String localKey(SSLSocket tls) {
        return Keys.keyOf(tls.getSession().getLocalCertificates()[0].getPublicKey().getEncoded());
    }

    /** {@return the key the peer's certificate names} */
    static String peerKey(SSLSocket tls) throws SSLPeerUnverifiedException {
        return Keys.keyOf(tls.getSession().getPeerCertificates()[0].getPublicKey().getEncoded());
    }

    /**
     * Closes a socket (abruptly: the handshake failed) when its handshake's time is up, unless cancelled first: bounds
     * the whole handshake. Exactly one of the two wins, so a connection handed on is never closed by its deadline.
     */
    private static final class Deadline {
        private final Thread thread;
        private final AtomicBoolean decided = new AtomicBoolean();
        private volatile boolean expired;

        Deadline(Socket s, Duration timeout) {
            thread = Thread.ofVirtual().name("natgw-e2e-deadline").start(() -> {
                try {
                    Thread.sleep(timeout);
                } catch (InterruptedException e) {
                    return;
                }
                if (decided.compareAndSet(false, true)) {
                    expired = true;
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closed is closed
                    }
                }
            });
        }

        boolean expired() {
            return expired;
        }

        /**
         * Stops the deadline; idempotent.
         *
         * @return false if it expired first: the socket is closed
         */
        boolean cancel() {
            if (decided.compareAndSet(false, true)) {
                thread.interrupt();
                return true;
            }
            return !expired;
        }
    }

    /** Shows the identity's certificate, as server and as client. */
    private static final class IdentityKeys extends X509ExtendedKeyManager {
        private final X509Certificate[] chain;
        private final PrivateKey key;

        IdentityKeys(Identity id) {
            this.chain = new X509Certificate[]{SelfCertificate.of(id)};
            this.key = id.privateKey();
        }

        private static boolean ed25519(String keyType) {
            return "EdDSA".equalsIgnoreCase(keyType) || "Ed25519".equalsIgnoreCase(keyType);
        }

        private static String pick(String... keyTypes) {
            for (String t : keyTypes) {
                if (ed25519(t)) {
                    return ALIAS;
                }
            }
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return keyType == null ? null : pick(keyType);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return keyType == null ? null : pick(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return pick(keyType);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return pick(keyType);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return ed25519(keyType) ? new String[]{ALIAS} : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return ed25519(keyType) ? new String[]{ALIAS} : null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }
    }

    /**
     * Trusts a server only if its certificate's public key names the key the client asked for (the handshake
     * session's peer host, set to that key by {@link #client}); trusts any Ed25519 client certificate, which the
     * server's {@link ClientPolicy} then judges by its key. Never validates against CAs: the key is the trust.
     */
    private static final class PeerTrust extends X509ExtendedTrustManager {
        private static X509Certificate leaf(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no certificate");
            }
            try {
                Keys.publicKey(chain[0].getPublicKey().getEncoded());
            } catch (ProtocolException e) {
                throw new CertificateException("the certificate's key is not an Ed25519 key");
            }
            return chain[0];
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            String expected = socket instanceof SSLSocket s && s.getHandshakeSession() != null
                    ? s.getHandshakeSession().getPeerHost()
                    : null;
            check(chain, expected);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain, engine == null || engine.getHandshakeSession() == null
                    ? null
                    : engine.getHandshakeSession().getPeerHost());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain, null);
        }

        private static void check(X509Certificate[] chain, String expected) throws CertificateException {
            CHECKED.increment();
            String proven = Keys.keyOf(leaf(chain).getPublicKey().getEncoded());
            if (expected == null || !Keys.isKey(expected)) {
                throw new CertificateException("no key to check the server against");
            }
            if (!proven.equals(expected)) {
                throw new CertificateException("the server is not the holder of " + expected + ": it proved "
                        + proven);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            leaf(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            leaf(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            leaf(chain);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
