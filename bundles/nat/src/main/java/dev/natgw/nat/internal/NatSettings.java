package dev.natgw.nat.internal;

import dev.natgw.api.nat.OtherProtocolPolicy;
import dev.natgw.api.nat.Timeouts;
import dev.natgw.api.nat.Ipv4Range;
import dev.natgw.nat.fastpath.FragmentLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The translator's settings, checked: what a {@link NatConfig} means once every value is known to be
 * usable. Immutable.
 *
 * @param timeouts the session timeouts
 * @param sessionsMax the most sessions, all workers together, at least 1
 * @param hostsMax the most inside hosts tracked for quotas, all workers together, at least 1
 * @param holdDown how long a freed port stays out of service, zero or positive
 * @param holdCapacity the most ports in hold-down at once, all workers together, at least 1
 * @param otherProtocols what happens to protocols other than TCP, UDP and ICMP
 * @param eventLog whether the NAT event log is written
 * @param eventRing events buffered per worker, at least 1
 * @param sources which inside sources are believed
 * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second, 0 for none
 * @param udpUnanswered how long a UDP session opened from outside lives until the inside host answers, positive
 * @param refresh which packets keep a session alive
 * @param fragments the bounds of each worker's fragment state
 */
public record NatSettings(Timeouts timeouts, int sessionsMax, int hostsMax, Duration holdDown, int holdCapacity,
        OtherProtocolPolicy otherProtocols, boolean eventLog, int eventRing, SourceRules sources,
        int icmpAnswersPerSecond, Duration udpUnanswered, RefreshDirection refresh, FragmentLimits fragments) {

    /** Which packets refresh a session's idle timer (RFC 4787 section 4.3). */
    public enum RefreshDirection {
        /** Packets from inside only (REQ-6): an outside sender alone cannot keep a session, or its port, alive. */
        OUTBOUND,
        /** Packets either way, as most home routers do. */
        BOTH
    }

    /** The default of {@code icmp.answers.per.second}. */
    public static final int DEFAULT_ICMP_ANSWERS = 100;
    /** The default of {@code timeout.udp.unanswered}. */
    public static final Duration DEFAULT_UDP_UNANSWERED = Duration.ofSeconds(30);

    /** The configuration PID, which every message of {@link #of} starts with. */
    public static final String PID = "dev.natgw.nat";

    /** Validates. */
    public NatSettings {
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(holdDown, "holdDown");
        Objects.requireNonNull(otherProtocols, "otherProtocols");
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(udpUnanswered, "udpUnanswered");
        Objects.requireNonNull(refresh, "refresh");
        Objects.requireNonNull(fragments, "fragments");
        if (sessionsMax < 1 || hostsMax < 1 || holdCapacity < 1 || eventRing < 1 || holdDown.isNegative()
                || icmpAnswersPerSecond < 0 || udpUnanswered.isNegative() || udpUnanswered.isZero()) {
            throw new IllegalArgumentException("sessionsMax, hostsMax, holdCapacity and eventRing must be >= 1 and"
                    + " holdDown and icmpAnswersPerSecond >= 0 and udpUnanswered > 0, were " + sessionsMax + ", "
                    + hostsMax + ", " + holdCapacity + ", " + eventRing + ", " + holdDown + ", " + icmpAnswersPerSecond
                    + " and " + udpUnanswered);
        }
    }

    /**
     * Settings with the default fragment limits.
     *
     * @param timeouts the session timeouts
     * @param sessionsMax the most sessions
     * @param hostsMax the most inside hosts
     * @param holdDown the port hold-down
     * @param holdCapacity the most ports in hold-down
     * @param otherProtocols what happens to other protocols
     * @param eventLog whether the event log is written
     * @param eventRing events buffered per worker
     * @param sources which inside sources are believed
     * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second
     * @param udpUnanswered how long a UDP session opened from outside lives until the inside host answers
     * @param refresh which packets keep a session alive
     */
    public NatSettings(Timeouts timeouts, int sessionsMax, int hostsMax, Duration holdDown, int holdCapacity,
            OtherProtocolPolicy otherProtocols, boolean eventLog, int eventRing, SourceRules sources,
            int icmpAnswersPerSecond, Duration udpUnanswered, RefreshDirection refresh) {
        this(timeouts, sessionsMax, hostsMax, holdDown, holdCapacity, otherProtocols, eventLog, eventRing, sources,
                icmpAnswersPerSecond, udpUnanswered, refresh, FragmentLimits.DEFAULTS);
    }

    /**
     * Settings with the default refresh direction, {@link RefreshDirection#OUTBOUND}.
     *
     * @param timeouts the session timeouts
     * @param sessionsMax the most sessions
     * @param hostsMax the most inside hosts
     * @param holdDown the port hold-down
     * @param holdCapacity the most ports in hold-down
     * @param otherProtocols what happens to other protocols
     * @param eventLog whether the event log is written
     * @param eventRing events buffered per worker
     * @param sources which inside sources are believed
     * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second
     * @param udpUnanswered how long a UDP session opened from outside lives until the inside host answers
     * @param fragments the bounds of each worker's fragment state
     */
    public NatSettings(Timeouts timeouts, int sessionsMax, int hostsMax, Duration holdDown, int holdCapacity,
            OtherProtocolPolicy otherProtocols, boolean eventLog, int eventRing, SourceRules sources,
            int icmpAnswersPerSecond, Duration udpUnanswered, FragmentLimits fragments) {
        this(timeouts, sessionsMax, hostsMax, holdDown, holdCapacity, otherProtocols, eventLog, eventRing, sources,
                icmpAnswersPerSecond, udpUnanswered, RefreshDirection.OUTBOUND, fragments);
    }

    /**
     * Settings with the default {@link SourceRules}, ICMP answer rate, unanswered timeout, refresh direction and
     * fragment limits.
     *
     * @param timeouts the session timeouts
     * @param sessionsMax the most sessions
     * @param hostsMax the most inside hosts
     * @param holdDown the port hold-down
     * @param holdCapacity the most ports in hold-down
     * @param otherProtocols what happens to other protocols
     * @param eventLog whether the event log is written
     * @param eventRing events buffered per worker
     */
    public NatSettings(Timeouts timeouts, int sessionsMax, int hostsMax, Duration holdDown, int holdCapacity,
            OtherProtocolPolicy otherProtocols, boolean eventLog, int eventRing) {
        this(timeouts, sessionsMax, hostsMax, holdDown, holdCapacity, otherProtocols, eventLog, eventRing,
                SourceRules.DEFAULTS, DEFAULT_ICMP_ANSWERS, DEFAULT_UDP_UNANSWERED, RefreshDirection.OUTBOUND);
    }

    /**
     * Settings with the default refresh direction, {@link RefreshDirection#OUTBOUND}, and fragment limits.
     *
     * @param timeouts the session timeouts
     * @param sessionsMax the most sessions
     * @param hostsMax the most inside hosts
     * @param holdDown the port hold-down
     * @param holdCapacity the most ports in hold-down
     * @param otherProtocols what happens to other protocols
     * @param eventLog whether the event log is written
     * @param eventRing events buffered per worker
     * @param sources which inside sources are believed
     * @param icmpAnswersPerSecond ICMP answers to refused flows each worker may send a second
     * @param udpUnanswered how long a UDP session opened from outside lives until the inside host answers
     */
    public NatSettings(Timeouts timeouts, int sessionsMax, int hostsMax, Duration holdDown, int holdCapacity,
            OtherProtocolPolicy otherProtocols, boolean eventLog, int eventRing, SourceRules sources,
            int icmpAnswersPerSecond, Duration udpUnanswered) {
        this(timeouts, sessionsMax, hostsMax, holdDown, holdCapacity, otherProtocols, eventLog, eventRing, sources,
                icmpAnswersPerSecond, udpUnanswered, RefreshDirection.OUTBOUND);
    }

    /**
     * The same settings with other timeouts.
     *
     * @param newTimeouts the timeouts
     * @return the settings
     */
    public NatSettings withTimeouts(Timeouts newTimeouts) {
        return new NatSettings(newTimeouts, sessionsMax, hostsMax, holdDown, holdCapacity, otherProtocols, eventLog,
                eventRing, sources, icmpAnswersPerSecond, udpUnanswered, refresh, fragments);
    }

    /**
     * Checks a configuration.
     *
     * @param c the configuration
     * @return its settings
     * @throws IllegalArgumentException naming the first bad key and its value, as
     *     {@code dev.natgw.nat: timeout.udp must be > 0, was -1}
     */
    public static NatSettings of(NatConfig c) {
        Timeouts timeouts = new Timeouts(seconds("timeout.udp", c.timeout_udp()),
                seconds("timeout.tcp.established", c.timeout_tcp_established()),
                seconds("timeout.tcp.transitory", c.timeout_tcp_transitory()),
                seconds("timeout.icmp", c.timeout_icmp()),
                seconds("timeout.tcp.syn.hold", c.timeout_tcp_syn_hold()));
        int sessionsMax = positive("sessions.max", c.sessions_max());
        int hostsMax = positive("hosts.max", c.hosts_max());
        atLeastZero("port.hold.down", c.port_hold_down());
        int holdCapacity = positive("port.hold.capacity", c.port_hold_capacity());
        String other = c.other_protocols();
        OtherProtocolPolicy policy;
        try {
            policy = Values.enumValue(OtherProtocolPolicy.class, other == null ? "" : other);
        } catch (IllegalArgumentException e) {
            throw bad("other.protocols " + e.getMessage());
        }
        int eventRing = positive("event.ring", c.event_ring());
        return new NatSettings(timeouts, sessionsMax, hostsMax, Duration.ofSeconds(c.port_hold_down()), holdCapacity,
                policy, c.event_log(), eventRing, sources(c), atLeastZero("icmp.answers.per.second",
                        c.icmp_answers_per_second()),
                seconds("timeout.udp.unanswered", c.timeout_udp_unanswered()), refresh(c), fragments(c));
    }

    private static RefreshDirection refresh(NatConfig c) {
        try {
            return Values.enumValue(RefreshDirection.class, c.refresh_direction() == null ? "" : c.refresh_direction());
        } catch (IllegalArgumentException e) {
            throw bad("refresh.direction " + e.getMessage());
        }
    }

    private static FragmentLimits fragments(NatConfig c) {
        int states = atLeastZero("fragment.states", c.fragment_states());
        if (states > FragmentLimits.MAX_STATES) {
            throw bad("fragment.states must be <= " + FragmentLimits.MAX_STATES + ", was " + states);
        }
        int held = atLeastZero("fragment.held", c.fragment_held());
        if (held > FragmentLimits.MAX_HELD) {
            throw bad("fragment.held must be <= " + FragmentLimits.MAX_HELD + ", was " + held);
        }
        int each = c.fragment_max_per_datagram();
        if (each < 2 || each > FragmentLimits.MAX_PER_DATAGRAM) {
            throw bad("fragment.max.per.datagram must be 2.." + FragmentLimits.MAX_PER_DATAGRAM + ", was " + each);
        }
        Duration timeout = seconds("fragment.timeout", c.fragment_timeout());
        return new FragmentLimits(states, held, each, timeout.toNanos());
    }

    private static SourceRules sources(NatConfig c) {
        String[] texts = c.inside_prefixes() == null ? new String[0] : c.inside_prefixes();
        List<Ipv4Range> prefixes = new ArrayList<>();
        for (String text : texts) {
            for (String item : text.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                try {
                    prefixes.add(Ipv4Range.parse(item.strip()));
                } catch (IllegalArgumentException e) {
                    throw bad("inside.prefixes \"" + item.strip() + "\" is not an IPv4 range: " + e.getMessage());
                }
            }
        }
        SourceRules.InsideIcmpErrors errors;
        try {
            errors = Values.enumValue(SourceRules.InsideIcmpErrors.class,
                    c.inside_icmp_errors() == null ? "" : c.inside_icmp_errors());
        } catch (IllegalArgumentException e) {
            throw bad("inside.icmp.errors " + e.getMessage());
        }
        try {
            return new SourceRules(prefixes, errors == SourceRules.InsideIcmpErrors.QUOTED_DESTINATION);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage() + " (0.0.0.0/0 accepts any source)");
        }
    }

    private static int atLeastZero(String key, int value) {
        if (value < 0) {
            throw bad(key + " must be >= 0, was " + value);
        }
        return value;
    }

    private static Duration seconds(String key, int value) {
        return Duration.ofSeconds(positive(key, value));
    }

    private static int positive(String key, int value) {
        if (value <= 0) {
            throw bad(key + " must be > 0, was " + value);
        }
        return value;
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(PID + ": " + what);
    }
}
