package dev.natgw.traversal;

import java.security.cert.X509Certificate;

/**
 * An identity's self-signed certificate for the end-to-end channel ({@link E2e}): the protocol's
 * {@link dev.natgw.traversal.protocol.SelfCertificate} over the identity's key. Stateless.
 */
final class SelfCertificate {
    private SelfCertificate() {
    }

    /** {@return the identity's certificate, signed by itself} */
    static X509Certificate of(Identity id) {
        return dev.natgw.traversal.protocol.SelfCertificate.of(id.publicKey(), id::sign);
    }
}
