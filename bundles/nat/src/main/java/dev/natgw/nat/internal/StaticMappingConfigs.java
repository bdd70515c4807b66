package dev.natgw.nat.internal;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Turns {@link StaticMappingConfig}s into {@link StaticMapping}s, with messages that name the configuration key, and
 * back into the properties {@code nat:static-add} writes.
 */
public final class StaticMappingConfigs {

    /** The factory PID of static mapping configurations. */
    public static final String FACTORY_PID = "dev.natgw.nat.static";

    private StaticMappingConfigs() {
    }

    /**
     * Checks a static mapping configuration.
     *
     * @param pid the configuration's PID, for the messages
     * @param c the configuration
     * @return the mapping
     * @throws IllegalArgumentException naming the configuration, the bad key and its value, as
     *     {@code dev.natgw.nat.static~web: global "198.19.0.1" must be address:port}
     */
    public static StaticMapping toMapping(String pid, StaticMappingConfig c) {
        String where = pid + ": ";
        Protocol protocol;
        try {
            protocol = Values.enumValue(Protocol.class, c.protocol());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "protocol " + e.getMessage());
        }
        if (protocol == Protocol.ICMP) {
            throw new IllegalArgumentException(where + "protocol must be TCP or UDP, was \"" + c.protocol() + "\"");
        }
        Endpoint global = endpoint(where, "global", c.global());
        Endpoint inside = endpoint(where, "inside", c.inside());
        return new StaticMapping(protocol, global, inside);
    }

    private static Endpoint endpoint(String where, String key, String text) {
        Endpoint e;
        try {
            e = Endpoint.parse(text == null ? "" : text.strip());
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException(where + key + " \"" + text + "\" is not address:port: "
                    + bad.getMessage());
        }
        if (e.port() == 0) {
            throw new IllegalArgumentException(where + key + " \"" + text + "\" needs a port 1..65535");
        }
        return e;
    }

    /**
     * Names the configuration {@code nat:static-add} writes for a mapping: {@code tcp-198.19.0.1-8080}, so the
     * file is {@code etc/dev.natgw.nat.static-tcp-198.19.0.1-8080.cfg}.
     *
     * @param m the mapping
     * @return the factory configuration's name
     */
    public static String name(StaticMapping m) {
        return m.protocol().name().toLowerCase(Locale.ROOT) + "-" + Ipv4.format(m.global().address()) + "-"
                + m.global().port();
    }

    /**
     * The configuration properties of a mapping, as {@link #toMapping} reads them back.
     *
     * @param m the mapping
     * @return the properties
     */
    public static Map<String, String> toProperties(StaticMapping m) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("protocol", m.protocol().name());
        d.put("global", m.global().toString());
        d.put("inside", m.inside().toString());
        return d;
    }
}
