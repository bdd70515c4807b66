package dev.natgw.forwarder.internal;

import dev.natgw.api.forwarder.TenantQuota;
import dev.natgw.traversal.protocol.Keys;
import dev.natgw.traversal.protocol.TenantCredential;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who may register: the tenants (a name, the public key of the credential issued to it, its quota) and the
 * allow-listed server keys (each with the tenant it counts against, if any). Kept in a properties file written whole
 * and moved into place on every change, so a crash leaves the old or the new file, never half of one; the file holds
 * no secret. Readers take the immutable {@link #state()}; changes are serialised and tell the listeners after they
 * are stored. Bounded: {@link #MAX_TENANTS} tenants and {@link #MAX_ALLOWED} keys. Thread-safe.
 */
public final class Credentials {

    static final int MAX_TENANTS = 10_000;
    static final int MAX_ALLOWED = 100_000;

    /** A tenant as kept: its credential's public key and its quota. */
    record Tenant(String name, PublicKey publicKey, byte[] encodedKey, TenantQuota quota, Instant created) {
    }

    /** An allow-listed key as kept; tenant is empty for none. */
    record Allowed(String key, String tenant, Instant added) {
    }

    /** One immutable view of the credentials. */
    record State(Map<String, Tenant> tenants, Map<String, Allowed> allowed) {
    }

    private final Path file;
    private final Clock clock;
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile State state = new State(Map.of(), Map.of());

    /**
     * Loads the file if there is one.
     *
     * @param file where to keep them; null to keep them in memory only
     * @throws IllegalArgumentException naming credentials.file if it cannot be read
     */
    public Credentials(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        if (file != null && Files.exists(file)) {
            state = load(file);
        }
    }

    /** {@return where they are kept, or null} */
    public Path file() {
        return file;
    }

    State state() {
        return state;
    }

    void addListener(Runnable r) {
        listeners.add(r);
    }

    void removeListener(Runnable r) {
        listeners.remove(r);
    }

    /**
     * Adds a tenant with a new credential.
     *
     * @return the credential's text (not kept)
     */
    public String addTenant(String name, TenantQuota quota) {
        TenantCredential.Issued issued = TenantCredential.issue(name);
        synchronized (this) {
            State s = state;
            if (s.tenants.containsKey(name)) {
                throw new IllegalArgumentException("tenant " + name + " exists; remove it first to issue a new"
                        + " credential");
            }
            if (s.tenants.size() >= MAX_TENANTS) {
                throw new IllegalArgumentException("this forwarder holds its maximum of " + MAX_TENANTS + " tenants");
            }
            TreeMap<String, Tenant> t = new TreeMap<>(s.tenants);
            t.put(name, new Tenant(name, publicKey(issued.publicKey()), issued.publicKey(), quota, clock.instant()));
            commit(new State(Collections.unmodifiableMap(t), s.allowed));
        }
        fire();
        return issued.text();
    }

    /** Removes a tenant and the allow-listings that counted against it. */
    public boolean removeTenant(String name) {
        synchronized (this) {
            State s = state;
            if (!s.tenants.containsKey(name)) {
                return false;
            }
            TreeMap<String, Tenant> t = new TreeMap<>(s.tenants);
            t.remove(name);
            TreeMap<String, Allowed> a = new TreeMap<>(s.allowed);
            a.values().removeIf(x -> x.tenant().equals(name));
            commit(new State(Collections.unmodifiableMap(t), Collections.unmodifiableMap(a)));
        }
        fire();
        return true;
    }

    /** Allow-lists a key, replacing its tenant if it was listed. */
    public void allow(String key, String tenant) {
        String tn = tenant == null ? "" : tenant.strip();
        if (!Keys.isKey(key)) {
            throw new IllegalArgumentException("not a key: " + key + " (ed25519- and 64 lowercase hex digits)");
        }
        synchronized (this) {
            State s = state;
            if (!tn.isEmpty() && !s.tenants.containsKey(tn)) {
                throw new IllegalArgumentException("no tenant " + tn);
            }
            if (!s.allowed.containsKey(key) && s.allowed.size() >= MAX_ALLOWED) {
                throw new IllegalArgumentException("this forwarder holds its maximum of " + MAX_ALLOWED
                        + " allow-listed keys");
            }
            TreeMap<String, Allowed> a = new TreeMap<>(s.allowed);
            a.put(key, new Allowed(key, tn, clock.instant()));
            commit(new State(s.tenants, Collections.unmodifiableMap(a)));
        }
        fire();
    }

    /** Withdraws a key's allow-listing. */
    public boolean revoke(String key) {
        synchronized (this) {
            State s = state;
            if (!s.allowed.containsKey(key)) {
                return false;
            }
            TreeMap<String, Allowed> a = new TreeMap<>(s.allowed);
            a.remove(key);
            commit(new State(s.tenants, Collections.unmodifiableMap(a)));
        }
        fire();
        return true;
    }

    private void fire() {
        for (Runnable r : listeners) {
            r.run();
        }
    }

    /** Stores the new state, then publishes it; a failed write leaves the old one in force. */
    private void commit(State next) {
        if (file != null) {
            store(file, next);
        }
        state = next;
    }

    private static void store(Path file, State s) {
        Properties p = new Properties();
        for (Tenant t : s.tenants.values()) {
            String k = "tenant." + t.name() + ".";
            p.setProperty(k + "key", Base64.getEncoder().encodeToString(t.encodedKey()));
            p.setProperty(k + "servers", Integer.toString(t.quota().servers()));
            p.setProperty(k + "relays", Integer.toString(t.quota().relays()));
            p.setProperty(k + "rate", Long.toString(t.quota().bytesPerSecond()));
            p.setProperty(k + "created", t.created().toString());
        }
        for (Allowed a : s.allowed.values()) {
            p.setProperty("allow." + a.key(), a.tenant() + "|" + a.added());
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".credentials", ".tmp");
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    p.store(w, "natgw forwarder credentials: public keys and quotas only, written by fwd: commands");
                }
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the directory's rights apply
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the credentials file " + file + ": " + e.getMessage(), e);
        }
    }

    private static State load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("credentials.file " + file + " cannot be read: " + e.getMessage(), e);
        }
        TreeMap<String, Tenant> tenants = new TreeMap<>();
        TreeMap<String, Allowed> allowed = new TreeMap<>();
        try {
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("tenant.") && name.endsWith(".key")) {
                    String t = name.substring("tenant.".length(), name.length() - ".key".length());
                    String k = "tenant." + t + ".";
                    byte[] der = Base64.getDecoder().decode(p.getProperty(name));
                    tenants.put(t, new Tenant(t, publicKey(der), der, new TenantQuota(Integer.parseInt(p
                            .getProperty(k + "servers")), Integer.parseInt(p.getProperty(k + "relays")), Long
                                    .parseLong(p.getProperty(k + "rate"))),
                            Instant.parse(p.getProperty(k
                                    + "created"))));
                }
            }
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("allow.")) {
                    String key = name.substring("allow.".length());
                    String v = p.getProperty(name);
                    int bar = v.indexOf('|');
                    String tenant = v.substring(0, bar);
                    if (Keys.isKey(key) && (tenant.isEmpty() || tenants.containsKey(tenant))) {
                        allowed.put(key, new Allowed(key, tenant, Instant.parse(v.substring(bar + 1))));
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("credentials.file " + file + " is damaged: " + e.getMessage(), e);
        }
        return new State(Collections.unmodifiableMap(tenants), Collections.unmodifiableMap(allowed));
    }

    private static PublicKey publicKey(byte[] der) {
        try {
            return Keys.publicKey(der);
        } catch (dev.natgw.traversal.protocol.ProtocolException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }
}
