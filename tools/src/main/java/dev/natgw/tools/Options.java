package dev.natgw.tools;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of one TcpLoad mode: {@code --name value} pairs, each name one the mode knows, given at most once, each
 * value checked where it is read. Every refusal names the option.
 */
final class Options {

    private final String mode;
    private final Map<String, String> values = new HashMap<>();

    private Options(String mode) {
        this.mode = mode;
    }

    /** Parses {@code args[from..]} for {@code mode}, which accepts the option names in {@code known} (without "--"). */
    static Options parse(String mode, String[] args, int from, Set<String> known) throws UsageException {
        Options options = new Options(mode);
        for (int i = from; i < args.length; i += 2) {
            String arg = args[i];
            if (!arg.startsWith("--") || !known.contains(arg.substring(2))) {
                throw new UsageException("unknown option for " + mode + ": '" + arg + "' (options: --"
                        + String.join(", --", new TreeSet<>(known)) + ")");
            }
            if (i + 1 >= args.length) {
                throw new UsageException(arg + " needs a value");
            }
            if (options.values.put(arg.substring(2), args[i + 1]) != null) {
                throw new UsageException(arg + " is given twice");
            }
        }
        return options;
    }

    String mode() {
        return mode;
    }

    private String required(String name) throws UsageException {
        String value = values.get(name);
        if (value == null) {
            throw new UsageException(mode + " needs --" + name);
        }
        return value;
    }

    /** The integer option {@code name} in [min, max]; {@code def} when absent, or required when {@code def} is null. */
    int integer(String name, Integer def, int min, int max) throws UsageException {
        String text = values.get(name);
        if (text == null) {
            if (def == null) {
                return integer(required(name), name, min, max);
            }
            return def;
        }
        return integer(text, name, min, max);
    }

    private static int integer(String text, String name, int min, int max) throws UsageException {
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + " must be an integer from " + min + " to " + max + ", got '" + text
                + "'");
    }

    /** An address literal or host name. */
    InetAddress address(String name) throws UsageException {
        String text = required(name);
        return resolve(name, text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text);
    }

    /** {@code ADDR:PORT}, with an IPv6 address in brackets: {@code [::1]:9000}. */
    InetSocketAddress endpoint(String name) throws UsageException {
        String text = required(name);
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            host = "";
        }
        if (host.isEmpty()) {
            throw new UsageException("--" + name + " must be ADDR:PORT (an IPv6 address in brackets), got '" + text
                    + "'");
        }
        int port = integer(text.substring(colon + 1), name + " port", 1, 65535);
        return new InetSocketAddress(resolve(name, host), port);
    }

    private static InetAddress resolve(String name, String host) throws UsageException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UsageException("--" + name + ": unknown host '" + host + "'");
        }
    }
}
