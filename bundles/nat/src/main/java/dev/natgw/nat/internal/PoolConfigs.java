package dev.natgw.nat.internal;

import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.api.nat.AllocationMode;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.PortAllocation;
import dev.natgw.api.nat.PoolDefinition;
import dev.natgw.api.nat.SubscriberLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Turns {@link PoolConfig}s into {@link PoolDefinition}s, with messages that name the configuration key. */
public final class PoolConfigs {

    /** The factory PID of pool configurations. */
    public static final String FACTORY_PID = "dev.natgw.nat.pool";

    // the same rule PoolDefinition enforces, checked here first so the message can name the key
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,32}");

    private PoolConfigs() {
    }

    /**
     * Returns the factory name of a configuration PID: the part after '~' of
     * {@code dev.natgw.nat.pool~public}.
     *
     * @param pid the configuration's {@code service.pid}
     * @return the name, or "" if the PID has no '~'
     */
    public static String factoryName(String pid) {
        int tilde = pid.indexOf('~');
        return tilde < 0 ? "" : pid.substring(tilde + 1);
    }

    /**
     * The pool's name when the configuration does not set {@code name}: the name of a named factory
     * configuration ({@code dev.natgw.nat.pool~NAME}), else what follows the factory PID in the file name
     * Karaf's file installer read it from ({@code dev.natgw.nat.pool-NAME.cfg}), since that installer names
     * factory configurations by '-', not '~'.
     *
     * @param props the configuration's properties
     * @return the name, or "" if neither gives one
     */
    public static String factoryName(Map<String, ?> props) {
        Object pid = props.get("service.pid");
        String named = factoryName(pid == null ? "" : pid.toString());
        if (!named.isEmpty()) {
            return named;
        }
        Object file = props.get("felix.fileinstall.filename");
        if (file != null) {
            String f = file.toString();
            String base = f.substring(f.lastIndexOf('/') + 1);
            String prefix = FACTORY_PID + "-";
            if (base.startsWith(prefix) && base.endsWith(".cfg")) {
                return base.substring(prefix.length(), base.length() - ".cfg".length());
            }
        }
        return "";
    }

    /**
     * Checks a pool configuration.
     *
     * @param factoryName the configuration's factory name (after the '~'), used as the pool's name when
     *     {@code name} is empty
     * @param c the configuration
     * @return the pool
     * @throws IllegalArgumentException naming the configuration, the first bad key and its value, as
     *     {@code dev.natgw.nat.pool~public: addresses[1] "198.19.0.x" is not an IPv4 range: ...}
     */
    public static PoolDefinition toDefinition(String factoryName, PoolConfig c) {
        String where = FACTORY_PID + "~" + factoryName + ": ";
        String name = c.name() == null || c.name().isEmpty() ? factoryName : c.name();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + (c.name() == null || c.name().isEmpty()
                    ? "the factory name \"" + factoryName + "\" is not a pool name and name is not set;"
                    : "name \"" + name + "\" is not a pool name;") + " use 1..32 characters of [a-z0-9-]");
        }
        List<String> texts = items(c.addresses());
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(where + "addresses must list at least one range");
        }
        List<Ipv4Range> ranges = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Ipv4Range r;
            try {
                r = Values.range(texts.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + "addresses[" + i + "] \"" + texts.get(i)
                        + "\" is not an IPv4 range (a.b.c.d, a.b.c.d-e.f.g.h or a.b.c.d/n): " + e.getMessage());
            }
            for (int j = 0; j < i; j++) {
                if (ranges.get(j).overlaps(r)) {
                    throw new IllegalArgumentException(
                            where + "addresses[" + j + "] \"" + texts.get(j) + "\" and addresses["
                                    + i + "] \"" + texts.get(i) + "\" overlap");
                }
            }
            ranges.add(r);
        }
        int[] ports;
        try {
            ports = Values.portRange(c.ports());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "ports " + e.getMessage());
        }
        MappingBehavior mapping;
        try {
            mapping = Values.enumValue(MappingBehavior.class, c.mapping());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "mapping " + e.getMessage());
        }
        FilteringBehavior filtering;
        try {
            filtering = Values.enumValue(FilteringBehavior.class, c.filtering());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "filtering " + e.getMessage());
        }
        if (c.per_host_quota() < 0) {
            throw new IllegalArgumentException(where + "per.host.quota must be >= 0, was " + c.per_host_quota());
        }
        SubscriberLimits limits;
        try {
            limits = new SubscriberLimits(atLeastZero(where, "sessions.per.host", c.sessions_per_host()),
                    atLeastZero(where, "new.mappings.per.second", c.new_mappings_per_second()),
                    atLeastZero(where, "new.mappings.burst", c.new_mappings_burst()),
                    atLeastZero(where, "inbound.sessions.per.mapping", c.inbound_sessions_per_mapping()));
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + "new.mappings.per.second " + c.new_mappings_per_second()
                    + " and new.mappings.burst " + c.new_mappings_burst() + " do not make a bucket: "
                    + e.getMessage());
        }
        PortAllocation allocation;
        try {
            AllocationMode mode = Values.enumValue(AllocationMode.class, c.allocation());
            String prefix = c.inside_prefix() == null ? "" : c.inside_prefix().trim();
            allocation = new PortAllocation(mode, c.block_size(), c.blocks_per_host(),
                    mode == AllocationMode.DETERMINISTIC || !prefix.isEmpty() ? Ipv4Range.parse(prefix) : null);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(where + "allocation " + c.allocation() + ", block.size "
                    + c.block_size() + ", blocks.per.host " + c.blocks_per_host() + ", inside.prefix \""
                    + c.inside_prefix() + "\": " + e.getMessage());
        }
        try {
            return new PoolDefinition(name, ranges, ports[0], ports[1], mapping, filtering, c.paired_pooling(),
                    c.per_host_quota(), c.icmp_on_exhaustion(), limits, allocation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage());
        }
    }

    private static int atLeastZero(String where, String key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(where + key + " must be >= 0, was " + value);
        }
        return value;
    }

    /**
     * Flattens the configured address entries: a {@code .cfg} file gives one string, so an entry may hold
     * several ranges separated by commas. Blank items are dropped; the indexes in messages count the
     * items that remain.
     */
    private static List<String> items(String[] entries) {
        List<String> items = new ArrayList<>();
        if (entries != null) {
            for (String entry : entries) {
                for (String item : (entry == null ? "" : entry).split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.strip());
                    }
                }
            }
        }
        return items;
    }
}
