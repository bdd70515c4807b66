package dev.natgw.traversal;

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
 * Trust in exactly one forwarder certificate, named by the SHA-256 fingerprint its forwarder announces
 * ({@code natgw+tls://host:port#sha256:HEX}, docs/protocol.md, section 8): the certificate may be self-signed and name
 * any host, since it is the fingerprint that is checked; the TLS handshake proves its private key. Stateless.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final String pin;

    private PinnedTrust(String pin) {
        this.pin = pin;
    }

    /** {@return a socket factory whose connections accept only the certificate with this fingerprint} */
    static SSLSocketFactory factory(String pin) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new PinnedTrust(pin)}, null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS: " + e.getMessage(), e);
        }
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the forwarder showed no certificate");
        }
        String seen = ForwarderIdentity.text(ForwarderIdentity.of(chain[0]));
        if (!seen.equals(pin)) {
            throw new CertificateException("the forwarder's certificate is " + seen + ", not the announced " + pin);
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
        throw new CertificateException("a forwarder connection trusts no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a forwarder connection trusts no client certificate");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a forwarder connection trusts no client certificate");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
