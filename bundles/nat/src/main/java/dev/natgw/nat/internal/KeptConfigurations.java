package dev.natgw.nat.internal;

import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.StaticMapping;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Writes the pools and static mappings that commands keep as factory configurations through Config Admin, and
 * deletes them again. Where Karaf runs ({@code karaf.etc} set), each is also a file {@code etc/FACTORYPID-NAME.cfg}
 * that the configuration names as its {@code felix.fileinstall.filename}, as Karaf's own {@code config:} commands
 * do: Karaf's file installer only writes back to files that exist, and it then reads the file as the same
 * configuration. Every value is written as the text the file holds, so the installer's reading of the file changes
 * nothing. The configurators that DS makes for the configurations apply what was written; this class only writes.
 * Thread-safe: Config Admin is, and each file has one writer.
 */
public final class KeptConfigurations {
    /** The property Karaf's file installer names a configuration's file by. */
    static final String FILE_NAME = "felix.fileinstall.filename";

    private volatile ConfigurationAdmin admin;
    /** The folder the files go in, or null to write none. */
    private volatile Path etc;

    /** Writes files to {@code karaf.etc} if it is set. */
    public KeptConfigurations() {
        String dir = System.getProperty("karaf.etc");
        this.etc = dir == null ? null : Path.of(dir);
    }

    /**
     * Sets the folder the files go in, instead of {@code karaf.etc}; for tests.
     *
     * @param etc the folder, or null to write no files
     */
    public void setEtc(Path etc) {
        this.etc = etc;
    }

    /**
     * Sets the Config Admin to write through, or null when there is none.
     *
     * @param admin the service
     */
    public void setAdmin(ConfigurationAdmin admin) {
        this.admin = admin;
    }

    /** {@return the Config Admin written through, or null} */
    public ConfigurationAdmin admin() {
        return admin;
    }

    /**
     * Checks that something can be kept.
     *
     * @param what what is to be kept, for the message
     * @return the Config Admin
     * @throws IllegalStateException if there is none
     */
    public ConfigurationAdmin requireAdmin(String what) {
        ConfigurationAdmin a = admin;
        if (a == null) {
            throw new IllegalStateException(what + " cannot be kept: Config Admin is not running");
        }
        return a;
    }

    /**
     * Writes a pool as {@code dev.natgw.nat.pool~NAME}, replacing a configuration of that name.
     *
     * @param pool the pool
     * @return the configuration's PID
     * @throws IllegalStateException if there is no Config Admin or it cannot write
     */
    public String writePool(PoolDefinition pool) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("name", pool.name());
        d.put("addresses", pool.addresses().stream().map(Object::toString).collect(Collectors.joining(", ")));
        d.put("ports", pool.portMin() + "-" + pool.portMax());
        d.put("mapping", pool.mapping().name());
        d.put("filtering", pool.filtering().name());
        d.put("paired.pooling", String.valueOf(pool.pairedPooling()));
        d.put("per.host.quota", String.valueOf(pool.perHostPortQuota()));
        d.put("sessions.per.host", String.valueOf(pool.limits().sessionsPerHost()));
        d.put("new.mappings.per.second", String.valueOf(pool.limits().mappingsPerSecond()));
        d.put("new.mappings.burst", String.valueOf(pool.limits().mappingBurst()));
        d.put("inbound.sessions.per.mapping", String.valueOf(pool.limits().inboundSessionsPerMapping()));
        d.put("icmp.on.exhaustion", String.valueOf(pool.icmpOnExhaustion()));
        d.put("allocation", pool.allocation().mode().name());
        d.put("block.size", String.valueOf(pool.allocation().blockSize()));
        d.put("blocks.per.host", String.valueOf(pool.allocation().blocksPerHost()));
        if (pool.allocation().insidePrefix() != null) {
            d.put("inside.prefix", pool.allocation().insidePrefix().toString());
        }
        return write("pool " + pool.name(), PoolConfigs.FACTORY_PID, pool.name(), d,
                "# A pool kept by nat:pool-add; nat:pool-remove deletes this file. Keys: docs/manual/configuration.md");
    }

    /**
     * Writes a static mapping as {@code dev.natgw.nat.static~NAME} ({@link StaticMappingConfigs#name}).
     *
     * @param m the mapping
     * @return the configuration's PID
     * @throws IllegalStateException if there is no Config Admin or it cannot write
     */
    public String writeStaticMapping(StaticMapping m) {
        return write("static mapping " + m.protocol() + " " + m.global(), StaticMappingConfigs.FACTORY_PID,
                StaticMappingConfigs.name(m), StaticMappingConfigs.toProperties(m),
                "# A port forward kept by nat:static-add; nat:static-remove deletes this file.");
    }

    private String write(String what, String factoryPid, String name, Map<String, String> values, String comment) {
        ConfigurationAdmin a = requireAdmin(what);
        Dictionary<String, Object> d = new Hashtable<>(values);
        try {
            Path dir = etc;
            if (dir != null) {
                Path file = dir.resolve(factoryPid + "-" + name + ".cfg");
                List<String> lines = new ArrayList<>();
                lines.add(comment);
                values.forEach((k, v) -> lines.add(k + " = " + v));
                Files.write(file, lines);
                d.put(FILE_NAME, file.toUri().toString());
            }
            Configuration c = a.getFactoryConfiguration(factoryPid, name, "?");
            c.update(d);
            return c.getPid();
        } catch (IOException e) {
            throw new IllegalStateException(what + " cannot be kept: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the configurations of a pool: those whose pool name ({@code name}, else the factory name) is the
     * given one.
     *
     * @param name the pool's name
     * @return whether there was one
     * @throws IllegalStateException if Config Admin cannot delete it
     */
    public boolean deletePool(String name) {
        ConfigurationAdmin a = admin;
        if (a == null) {
            return false;
        }
        boolean any = false;
        for (Configuration c : list(a, PoolConfigs.FACTORY_PID)) {
            Map<String, Object> props = properties(c);
            Object set = props.get("name");
            String pool = set == null || set.toString().isEmpty() ? PoolConfigs.factoryName(props) : set.toString();
            if (pool.equals(name)) {
                delete(c);
                any = true;
            }
        }
        return any;
    }

    /**
     * Deletes one configuration.
     *
     * @param pid its PID
     * @return whether there was one
     * @throws IllegalStateException if Config Admin cannot delete it
     */
    public boolean delete(String pid) {
        ConfigurationAdmin a = admin;
        if (a == null) {
            return false;
        }
        Configuration[] found = list(a, "service.pid", pid);
        for (Configuration c : found) {
            delete(c);
        }
        return found.length > 0;
    }

    private static Configuration[] list(ConfigurationAdmin a, String factoryPid) {
        return list(a, "service.factoryPid", factoryPid);
    }

    private static Configuration[] list(ConfigurationAdmin a, String key, String value) {
        // the LDAP filter's special characters, escaped as RFC 4515 asks
        String escaped = value.replace("\\", "\\5c").replace("*", "\\2a").replace("(", "\\28").replace(")",
                "\\29");
        try {
            Configuration[] found = a.listConfigurations("(" + key + "=" + escaped + ")");
            return found == null ? new Configuration[0] : found;
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot list the configurations of " + value + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Configuration c) {
        Dictionary<String, Object> props = c.getProperties();
        Object file = props == null ? null : props.get(FILE_NAME);
        try {
            c.delete();
            if (file != null) {
                // the file installer would otherwise make the configuration again from it at the next start
                Files.deleteIfExists(Path.of(URI.create(file.toString())));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete the configuration " + c.getPid() + ": " + e.getMessage(),
                    e);
        }
    }

    private static Map<String, Object> properties(Configuration c) {
        Map<String, Object> out = new HashMap<>();
        Dictionary<String, Object> d = c.getProperties();
        if (d != null) {
            for (String k : Collections.list(d.keys())) {
                out.put(k, d.get(k));
            }
        }
        return out;
    }
}
