package dev.natgw.registry.http;

import dev.natgw.api.registry.RegistryFaceInfo;
import dev.natgw.traversal.protocol.ForwarderIdentity;
import dev.natgw.traversal.protocol.GeneratedKeyStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HTTPS for the registry's face on the appliance's HTTP server (Pax Web 8, configuration PID {@value #PID}, the keys
 * of its {@code PaxWebConfig}): whether Pax Web listens beyond loopback, what to add to its configuration to turn its
 * HTTPS connector on with the key store the appliance generates, and what a client pins. The rule: when Pax Web
 * listens on any address that is not loopback (its default is every address) and the operator has not decided about
 * HTTPS ({@value #SECURE_ENABLED} is not set), HTTPS is turned on with the generated store on port
 * {@value #DEFAULT_SECURE_PORT} (or the configured {@value #SECURE_PORT}); with {@value #SECURE_ENABLED} {@code true}
 * and no key store, the generated store is used. {@value #SECURE_ENABLED} {@code false} is the operator's choice and
 * is left alone (the face then refuses plain HTTP beyond loopback). Stateless.
 */
final class PaxWebHttps {
    /** Pax Web's configuration PID. */
    static final String PID = "org.ops4j.pax.web";
    static final String LISTENING_ADDRESSES = "org.ops4j.pax.web.listening.addresses";
    static final String SECURE_ENABLED = "org.osgi.service.http.secure.enabled";
    static final String SECURE_PORT = "org.osgi.service.http.port.secure";
    static final String KEYSTORE = "org.ops4j.pax.web.ssl.keystore";
    static final String KEYSTORE_TYPE = "org.ops4j.pax.web.ssl.keystore.type";
    static final String KEYSTORE_PASSWORD = "org.ops4j.pax.web.ssl.keystore.password";
    static final String KEY_PASSWORD = "org.ops4j.pax.web.ssl.key.password";
    static final String KEY_ALIAS = "org.ops4j.pax.web.ssl.key.alias";
    /** The HTTPS port when none is configured (Pax Web's own default). */
    static final int DEFAULT_SECURE_PORT = 8443;
    /** Where Pax Web listens when no address is configured. */
    static final String DEFAULT_ADDRESSES = "0.0.0.0";
    /** The alias of the generated key. */
    static final String ALIAS = "natgw-registry";
    /** Pax Web's key store type when none is configured. */
    private static final String DEFAULT_TYPE = "JKS";

    private PaxWebHttps() {
    }

    /** {@return where Pax Web listens with these properties (null: no configuration)} */
    static List<String> addresses(Dictionary<String, ?> props) {
        String configured = string(props, LISTENING_ADDRESSES);
        List<String> out = new ArrayList<>();
        for (String a : (configured == null || configured.isBlank() ? DEFAULT_ADDRESSES : configured).split(",")) {
            if (!a.isBlank()) {
                out.add(a.strip());
            }
        }
        return out;
    }

    /** {@return whether any of these addresses is not loopback} A host name other than localhost counts as not. */
    static boolean beyondLoopback(List<String> addresses) {
        for (String a : addresses) {
            if (!loopback(a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean loopback(String address) {
        if (address.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1)
                : address;
        try {
            return InetAddress.ofLiteral(literal).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * {@return the properties to add to Pax Web's configuration to serve HTTPS with the generated store, empty if
     * nothing is to change} Makes the store when one is needed and it does not exist yet.
     *
     * @param props Pax Web's configuration, or null without one
     * @param generated where the generated store is kept
     * @throws IOException if the store cannot be made
     * @throws GeneralSecurityException if the store cannot be made
     */
    static Map<String, Object> additions(Dictionary<String, ?> props, Path generated) throws IOException,
            GeneralSecurityException {
        String secure = string(props, SECURE_ENABLED);
        Map<String, Object> add = new LinkedHashMap<>();
        if (secure == null) {
            if (!beyondLoopback(addresses(props))) {
                return add;
            }
            add.put(SECURE_ENABLED, "true");
            if (string(props, SECURE_PORT) == null) {
                add.put(SECURE_PORT, Integer.toString(DEFAULT_SECURE_PORT));
            }
        } else if (!Boolean.parseBoolean(secure)) {
            return add;
        }
        if (string(props, KEYSTORE) != null) {
            return add;
        }
        GeneratedKeyStore.ensure(generated, ALIAS);
        add.put(KEYSTORE, generated.toAbsolutePath().toString());
        add.put(KEYSTORE_TYPE, "PKCS12");
        add.put(KEYSTORE_PASSWORD, GeneratedKeyStore.PASSWORD);
        add.put(KEY_PASSWORD, GeneratedKeyStore.PASSWORD);
        add.put(KEY_ALIAS, ALIAS);
        return add;
    }

    /**
     * {@return how the face is reached with this configuration} The fingerprint is read from the configured key store
     * (null if it cannot be read, for example with an encrypted password).
     */
    static RegistryFaceInfo info(Dictionary<String, ?> props, Path generated) {
        List<String> addresses = addresses(props);
        String keystore = string(props, KEYSTORE);
        if (!Boolean.parseBoolean(string(props, SECURE_ENABLED)) || keystore == null) {
            return new RegistryFaceInfo(addresses, beyondLoopback(addresses), false, 0, null, false);
        }
        return new RegistryFaceInfo(addresses, beyondLoopback(addresses), true, port(string(props, SECURE_PORT)),
                fingerprint(props, keystore), keystore.equals(generated.toAbsolutePath().toString()));
    }

    /** {@return the fingerprint of the certificate in the configured key store, or null if it cannot be read} */
    private static String fingerprint(Dictionary<String, ?> props, String keystore) {
        String type = string(props, KEYSTORE_TYPE);
        String password = string(props, KEYSTORE_PASSWORD);
        try {
            KeyStore ks = GeneratedKeyStore.load(Path.of(keystore), type == null ? DEFAULT_TYPE : type,
                    password == null ? null : password.toCharArray());
            return ForwarderIdentity.text(ForwarderIdentity.of(GeneratedKeyStore.certificate(ks, string(props,
                    KEY_ALIAS))));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    /** {@return the configured HTTPS port, Pax Web's default without one, or 0 if it is not a number} */
    private static int port(String configured) {
        if (configured == null) {
            return DEFAULT_SECURE_PORT;
        }
        try {
            return Integer.parseInt(configured.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String string(Dictionary<String, ?> props, String key) {
        Object v = props == null ? null : props.get(key);
        return v == null ? null : v.toString();
    }
}
