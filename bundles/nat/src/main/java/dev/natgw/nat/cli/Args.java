package dev.natgw.nat.cli;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.FilteringBehavior;
import dev.natgw.api.nat.Ipv4;
import dev.natgw.api.nat.MappingBehavior;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.SessionFilter;
import dev.natgw.nat.internal.Values;
import java.util.Locale;

/**
 * Parsing of command arguments. Every refusal is an {@link IllegalArgumentException} whose message
 * starts with the argument's name as the user typed it, which Karaf prints as the command's error.
 */
final class Args {
    private Args() {
    }

    static Protocol protocol(String argument, String text) {
        try {
            return Values.enumValue(Protocol.class, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " must be tcp, udp or icmp, was \"" + text + "\"");
        }
    }

    static int address(String argument, String text) {
        try {
            return Ipv4.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " \"" + text + "\" is not an IPv4 address a.b.c.d");
        }
    }

    static Endpoint endpoint(String argument, String text) {
        try {
            return Endpoint.parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " \"" + text + "\" is not an endpoint a.b.c.d:port ("
                    + e.getMessage() + ")");
        }
    }

    static MappingBehavior mapping(String argument, String text) {
        try {
            return Values.enumValue(MappingBehavior.class, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " " + lower(e.getMessage()));
        }
    }

    static FilteringBehavior filtering(String argument, String text) {
        try {
            return Values.enumValue(FilteringBehavior.class, text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argument + " " + lower(e.getMessage()));
        }
    }

    // the shell spells the constants as users type them: endpoint-independent
    private static String lower(String message) {
        int was = message.lastIndexOf(", was ");
        return message.substring(0, was).toLowerCase(Locale.ROOT).replace('_', '-') + message.substring(was);
    }

    /** Builds the filter of nat:sessions and nat:session-clear from their options, null meaning any. */
    static SessionFilter filter(String protocol, String inside, String remote, String pool) {
        return new SessionFilter(protocol == null ? null : protocol("--protocol", protocol),
                inside == null ? null : address("--inside", inside),
                remote == null ? null : address("--remote", remote), pool);
    }
}
