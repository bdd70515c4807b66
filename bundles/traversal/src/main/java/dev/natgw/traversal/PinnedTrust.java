package dev.natgw.traversal;

import dev.natgw.traversal.protocol.Ed25519Provider;

import dev.natgw.traversal.protocol.ForwarderIdentity;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust in exactly one certificate, named by its SHA-256 fingerprint: a forwarder's, as its forwarder announces it
 * ({@code natgw+tls://host:port#sha256:HEX}, docs/protocol.md, section 8), or the registry face's, as the user gives
 * it ({@code https://host:port/natgw/registry/v1#sha256:HEX}, section 9). The certificate may be self-signed and name
 * any host, since it is the fingerprint that is checked; the TLS handshake proves its private key. Stateless.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final String pin;
    private final String peer;
    private final String source;

    private PinnedTrust(String pin, String peer, String source) {
        this.pin = pin;
        this.peer = peer;
        this.source = source;
    }

    /** {@return a socket factory whose connections accept only the forwarder certificate with this fingerprint} */
    static SSLSocketFactory factory(String pin) {
        return context(pin, "the forwarder", "announced").getSocketFactory();
    }

    /**
     * {@return a TLS context that accepts only the certificate with this fingerprint}
     *
     * @param peer what the certificate belongs to, for the error ("the registry")
     * @param source where the pin came from, for the error ("pinned")
     */
    static SSLContext context(String pin, String peer, String source) {
        // a forwarder's certificate is Ed25519 when generated: its handshake signature checked fast
        Ed25519Provider.install();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new PinnedTrust(pin, peer, source)}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS: " + e.getMessage(), e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException(peer + " showed no certificate");
        }
        String seen = ForwarderIdentity.text(ForwarderIdentity.of(chain[0]));
        if (!seen.equals(pin)) {
            throw new CertificateException(peer + "'s certificate is " + seen + ", not the " + source + " " + pin);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a pinned connection trusts no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a pinned connection trusts no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a pinned connection trusts no client certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
