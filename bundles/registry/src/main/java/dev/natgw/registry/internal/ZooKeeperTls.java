package dev.natgw.registry.internal;

import java.util.Objects;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/**
 * TLS to the ZooKeeper ensemble (its {@code secureClientPort}), through ZooKeeper's Netty client socket. The
 * passwords never appear in {@link #toString}.
 *
 * @param enabled whether the client speaks TLS at all
 * @param trustStore the PKCS#12 or JKS file of the certificates the ensemble's must chain to; empty for the JVM's
 *            default trust
 * @param trustStorePassword its password, may be empty
 * @param keyStore the PKCS#12 or JKS file with this appliance's certificate and key, for an ensemble that asks for
 *            client certificates (and for {@link ZooKeeperSettings#AUTH_X509}); empty for none
 * @param keyStorePassword its password, may be empty
 * @param hostnameVerification whether the ensemble's certificate must name the host (or address) connected to
 */
public record ZooKeeperTls(boolean enabled, String trustStore, String trustStorePassword, String keyStore,
        String keyStorePassword, boolean hostnameVerification) {

    /** Plaintext. */
    public static final ZooKeeperTls OFF = new ZooKeeperTls(false, "", "", "", "", true);

    private static final String NETTY_SOCKET = "org.apache.zookeeper.ClientCnxnSocketNetty";

    public ZooKeeperTls {
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
    }

    /**
     * Sets the client's socket and stores on {@code zk}. Every TLS property is set, empty where unused, so that none
     * is taken from the JVM's system properties (ZooKeeper falls back to them), as a server in the same JVM sets them.
     */
    void apply(ZKClientConfig zk) {
        zk.setProperty(ZKClientConfig.SECURE_CLIENT, Boolean.toString(enabled));
        if (!enabled) {
            return;
        }
        zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, NETTY_SOCKET);
        try (ClientX509Util x509 = new ClientX509Util()) {
            zk.setProperty(x509.getSslTruststoreLocationProperty(), trustStore);
            zk.setProperty(x509.getSslTruststorePasswdProperty(), trustStorePassword);
            zk.setProperty(x509.getSslTruststorePasswdPathProperty(), "");
            zk.setProperty(x509.getSslKeystoreLocationProperty(), keyStore);
            zk.setProperty(x509.getSslKeystorePasswdProperty(), keyStorePassword);
            zk.setProperty(x509.getSslKeystorePasswdPathProperty(), "");
            zk.setProperty(x509.getSslHostnameVerificationEnabledProperty(), Boolean.toString(hostnameVerification));
            // TLS 1.3 where the ensemble offers it, 1.2 otherwise; never older
            zk.setProperty(x509.getSslProtocolProperty(), "TLSv1.3");
            zk.setProperty(x509.getSslEnabledProtocolsProperty(), "TLSv1.3,TLSv1.2");
        }
    }

    @Override
    public String toString() {
        return enabled
                ? "tls[trustStore=" + (trustStore.isEmpty() ? "(JVM default)" : trustStore) + ", keyStore="
                        + (keyStore.isEmpty() ? "(none)" : keyStore) + ", hostnameVerification="
                        + hostnameVerification + "]"
                : "plaintext";
    }
}
