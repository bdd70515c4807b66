package dev.natgw.traversal.protocol;

import java.io.ByteArrayOutputStream;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A security provider with the {@code Ed25519} signature, made and checked by {@link FastEd25519}, and the X25519 key
 * exchange ({@code XDH} key pairs and agreement, {@link FastX25519}), so that the TLS handshakes of this process (the
 * end-to-end channel's key exchange and CertificateVerify, a forwarder's own TLS, the check of a self-signed
 * certificate) run on Bouncy Castle's curve25519 code as the protocol's own signatures do.
 *
 * <p>
 * {@link #install} puts it first in the JVM's provider list: JSSE asks for a signature by name and takes the first
 * provider that offers it. Keys and parameters it does not take (another provider's non-exportable keys, Ed448, X448)
 * are refused at initialisation, and the JDK's delayed provider selection then hands them to the next provider, the
 * JDK's own; every other algorithm is untouched. Set the system property {@value #DISABLE_PROPERTY} to {@code true} to keep the JDK's Ed25519 for
 * everything. Installing is idempotent; {@link #uninstall} removes it (a bundle that installed it does so when it
 * stops, so that no provider of an old class loader is left behind).
 */
public final class Ed25519Provider extends Provider {

    /** The provider's name in the JVM's list. */
    public static final String NAME = "natgw-25519";
    /** With {@code true}, {@link #install} does nothing. */
    public static final String DISABLE_PROPERTY = "natgw.25519.jdk";

    private static final long serialVersionUID = 1L;
    /** Signatures made and checked, and agreements made, through this provider: tests check it is the one in use. */
    static final LongAdder USES = new LongAdder();

    private Ed25519Provider() {
        super(NAME, "1.1", "Ed25519 and X25519 through Bouncy Castle's RFC 8032 and RFC 7748 code (natgw)");
        // created here, not by reflection: the classes may be private to the bundle that embeds this package
        service("Signature", "Ed25519", Spi.class, List.of("1.3.101.112", "OID.1.3.101.112"), Spi::new);
        service("KeyPairGenerator", "XDH", FastX25519.Generator.class, List.of("X25519", "1.3.101.110",
                "OID.1.3.101.110"), FastX25519.Generator::new);
        service("KeyAgreement", "XDH", FastX25519.Agreement.class, List.of("X25519", "1.3.101.110",
                "OID.1.3.101.110"), FastX25519.Agreement::new);
    }

    private void service(String type, String algorithm, Class<?> spi, List<String> aliases,
            Supplier<Object> make) {
        putService(new Service(this, type, algorithm, spi.getName(), aliases, Map.of()) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return make.get();
            }
        });
    }

    /**
     * Puts the provider first in the JVM's list, unless {@value #DISABLE_PROPERTY} is true or it is there already.
     *
     * @return true if this call installed it
     */
    public static boolean install() {
        if (Boolean.getBoolean(DISABLE_PROPERTY) || Security.getProvider(NAME) != null) {
            return false;
        }
        return Security.insertProviderAt(new Ed25519Provider(), 1) != -1;
    }

    /** Removes the provider from the JVM's list, if there. */
    public static void uninstall() {
        Security.removeProvider(NAME);
    }

    /** {@return how many signatures and key agreements went through the provider in this JVM} */
    public static long uses() {
        return USES.sum();
    }

    /** {@return true if the provider is in the JVM's list} */
    public static boolean installed() {
        return Security.getProvider(NAME) != null;
    }

    /** Pure Ed25519 over the whole message, which it buffers. Not thread-safe, as no signature object is. */
    static final class Spi extends SignatureSpi {
        private final ByteArrayOutputStream message = new ByteArrayOutputStream(256);
        private PrivateKey signing;
        private PublicKey checking;

        @Override
        protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
            if (!FastEd25519.readable(key)) {
                throw new InvalidKeyException("not an Ed25519 key this provider reads");
            }
            signing = key;
            checking = null;
            message.reset();
        }

        @Override
        protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
            if (!FastEd25519.readable(key)) {
                throw new InvalidKeyException("not an Ed25519 key this provider reads");
            }
            checking = key;
            signing = null;
            message.reset();
        }

        @Override
        protected void engineUpdate(byte b) {
            message.write(b);
        }

        @Override
        protected void engineUpdate(byte[] b, int off, int len) {
            message.write(b, off, len);
        }

        @Override
        protected byte[] engineSign() throws SignatureException {
            if (signing == null) {
                throw new SignatureException("not initialised for signing");
            }
            USES.increment();
            byte[] data = message.toByteArray();
            message.reset();
            byte[] signature = FastEd25519.sign(signing, data);
            if (signature == null) {
                throw new SignatureException("the key can no longer be read");
            }
            return signature;
        }

        @Override
        protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
            if (checking == null) {
                throw new SignatureException("not initialised for verification");
            }
            USES.increment();
            byte[] data = message.toByteArray();
            message.reset();
            Boolean ok = FastEd25519.verify(checking, data, sigBytes);
            return ok != null && ok;
        }

        @Override
        @Deprecated
        protected void engineSetParameter(String param, Object value) {
            throw new InvalidParameterException("Ed25519 has no parameters");
        }

        @Override
        @Deprecated
        protected Object engineGetParameter(String param) {
            throw new InvalidParameterException("Ed25519 has no parameters");
        }
    }
}
