package dev.natgw.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A {@link ConfigurationAdmin} in memory, for tests of code that writes configurations: it keeps what is updated
 * and deleted, names factory configurations as Felix does ({@code FACTORYPID~NAME} for a named one), adds
 * {@code service.pid} and {@code service.factoryPid} to the properties, and filters {@link #listConfigurations}
 * with the framework's own LDAP filter. No component is told about a change: a test that wants one applied
 * builds it from {@link #properties} itself, as DS would. A configuration not yet updated is not listed. Every
 * method is synchronized.
 */
public class InMemoryConfigAdmin implements ConfigurationAdmin {
    private final Map<String, Config> configs = new LinkedHashMap<>();

    /**
     * Returns a configuration's properties as a component receives them: without the {@code service.*} keys.
     *
     * @param pid the configuration's PID
     * @return the properties, or null if there is no such configuration or it was never updated
     */
    public synchronized Map<String, Object> properties(String pid) {
        Config c = configs.get(pid);
        if (c == null || c.props == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : Collections.list(c.props.keys())) {
            if (!k.startsWith("service.")) {
                out.put(k, c.props.get(k));
            }
        }
        return out;
    }

    /** {@return the PIDs of the configurations that have properties, in the order they were made} */
    public synchronized List<String> pids() {
        List<String> out = new ArrayList<>();
        for (Config c : configs.values()) {
            if (c.props != null) {
                out.add(c.pid);
            }
        }
        return out;
    }

    @Override
    public synchronized Configuration createFactoryConfiguration(String factoryPid) {
        return config(factoryPid + "." + UUID.randomUUID(), factoryPid);
    }

    @Override
    public Configuration createFactoryConfiguration(String factoryPid, String location) {
        return createFactoryConfiguration(factoryPid);
    }

    @Override
    public synchronized Configuration getConfiguration(String pid) {
        return config(pid, null);
    }

    @Override
    public Configuration getConfiguration(String pid, String location) {
        return getConfiguration(pid);
    }

    @Override
    public synchronized Configuration getFactoryConfiguration(String factoryPid, String name) {
        return config(factoryPid + "~" + name, factoryPid);
    }

    @Override
    public Configuration getFactoryConfiguration(String factoryPid, String name, String location) {
        return getFactoryConfiguration(factoryPid, name);
    }

    @Override
    public synchronized Configuration[] listConfigurations(String filter) throws InvalidSyntaxException {
        Filter f = filter == null ? null : FrameworkUtil.createFilter(filter);
        List<Configuration> out = new ArrayList<>();
        for (Config c : configs.values()) {
            if (c.props != null && (f == null || f.match(c.props))) {
                out.add(c);
            }
        }
        return out.isEmpty() ? null : out.toArray(new Configuration[0]);
    }

    private Config config(String pid, String factoryPid) {
        return configs.computeIfAbsent(pid, p -> new Config(p, factoryPid));
    }

    private final class Config implements Configuration {
        final String pid;
        final String factoryPid;
        Hashtable<String, Object> props;
        long changes;
        String location;

        Config(String pid, String factoryPid) {
            this.pid = pid;
            this.factoryPid = factoryPid;
        }

        @Override
        public String getPid() {
            return pid;
        }

        @Override
        public String getFactoryPid() {
            return factoryPid;
        }

        @Override
        public Dictionary<String, Object> getProperties() {
            synchronized (InMemoryConfigAdmin.this) {
                return props == null ? null : new Hashtable<>(props);
            }
        }

        @Override
        public Dictionary<String, Object> getProcessedProperties(ServiceReference<?> reference) {
            return getProperties();
        }

        @Override
        public void update(Dictionary<String, ?> properties) {
            synchronized (InMemoryConfigAdmin.this) {
                Hashtable<String, Object> next = new Hashtable<>();
                for (String k : Collections.list(properties.keys())) {
                    next.put(k, properties.get(k));
                }
                next.put("service.pid", pid);
                if (factoryPid != null) {
                    next.put(SERVICE_FACTORYPID, factoryPid);
                }
                props = next;
                changes++;
                configs.put(pid, this);
            }
        }

        @Override
        public void update() {
            update(props == null ? new Hashtable<>() : props);
        }

        @Override
        public boolean updateIfDifferent(Dictionary<String, ?> properties) {
            Dictionary<String, Object> now = getProperties();
            if (now != null && properties(properties).equals(properties(now))) {
                return false;
            }
            update(properties);
            return true;
        }

        private static Map<String, Object> properties(Dictionary<String, ?> d) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (String k : Collections.list(d.keys())) {
                if (!k.startsWith("service.")) {
                    out.put(k, d.get(k));
                }
            }
            return out;
        }

        @Override
        public void delete() {
            synchronized (InMemoryConfigAdmin.this) {
                configs.remove(pid);
                props = null;
            }
        }

        @Override
        public void setBundleLocation(String location) {
            this.location = location;
        }

        @Override
        public String getBundleLocation() {
            return location;
        }

        @Override
        public long getChangeCount() {
            return changes;
        }

        @Override
        public void addAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException("addAttributes");
        }

        @Override
        public Set<ConfigurationAttribute> getAttributes() {
            return Set.of();
        }

        @Override
        public void removeAttributes(ConfigurationAttribute... attrs) {
            throw new UnsupportedOperationException("removeAttributes");
        }
    }
}
