package org.ops4j.pax.web.service.jetty.internal;

import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.ops4j.pax.web.service.internal.ConfigurationBuilder;
import org.ops4j.pax.web.service.spi.config.Configuration;
import org.ops4j.pax.web.service.internal.MetaTypePropertyResolver;
import org.ops4j.util.property.DictionaryPropertyResolver;
import org.ops4j.util.property.PropertiesPropertyResolver;

/**
 * Pax Web 8's own HTTPS connector for a configuration of PID {@code org.ops4j.pax.web}: the configuration read as its
 * runtime reads it ({@code ConfigurationBuilder}) and the connector made as its Jetty server controller makes it
 * ({@code JettyFactory.createSecureConnector}, package-private, hence this class in its package). For tests of the
 * settings natgw writes to that PID, without an OSGi framework.
 */
public final class PaxWebSecureConnector {
    private PaxWebSecureConnector() {
    }

    /** {@return Pax Web's HTTPS connector on server for these properties, bound to address} */
    public static Connector of(Server server, Dictionary<String, ?> properties, String address) {
        // the runtime's chain: the configuration, then the framework's (here the JVM's) properties, then the defaults
        // of Pax Web's metatype
        Configuration config = ConfigurationBuilder.getConfiguration(new DictionaryPropertyResolver(properties,
                new PropertiesPropertyResolver(System.getProperties(), new MetaTypePropertyResolver())),
                toMap(
                        properties));
        JettyFactory factory = new JettyFactory(null, PaxWebSecureConnector.class.getClassLoader());
        return factory.createSecureConnector(server, new HashMap<>(), address, config);
    }

    private static Map<String, String> toMap(Dictionary<String, ?> properties) {
        Map<String, String> out = new HashMap<>();
        for (var keys = properties.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            out.put(k, String.valueOf(properties.get(k)));
        }
        return out;
    }
}
