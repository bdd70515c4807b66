package dev.natgw.nat.internal;

import dev.natgw.api.nat.Ipv4Range;
import java.util.Locale;

/**
 * Parsers shared by the configuration checks and the commands. Each throws an
 * {@link IllegalArgumentException} whose message describes the value only; callers prefix the name of
 * the key or argument it came from, which only they know.
 */
public final class Values {
    private Values() {
    }

    /**
     * Parses a port range {@code "MIN-MAX"} or a single port {@code "PORT"}, 1..65535, MIN not above MAX.
     *
     * @param text the range
     * @return {@code {min, max}}
     * @throws IllegalArgumentException if it is not such a range
     */
    public static int[] portRange(String text) {
        String t = text == null ? "" : text.strip();
        int dash = t.indexOf('-');
        String lo = dash < 0 ? t : t.substring(0, dash).strip();
        String hi = dash < 0 ? t : t.substring(dash + 1).strip();
        int min = port(lo);
        int max = port(hi);
        if (min < 1 || max < 1 || min > max) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" is not a port range MIN-MAX with 1 <= MIN <= MAX <= 65535");
        }
        return new int[]{min, max};
    }

    private static int port(String digits) {
        // at most 5 digits, so the int cannot overflow; -1 marks anything else
        if (!digits.matches("[0-9]{1,5}")) {
            return -1;
        }
        int value = Integer.parseInt(digits);
        return value > 65535 ? -1 : value;
    }

    /**
     * Parses an address range as {@link Ipv4Range#parse} does, after trimming spaces that configuration
     * files and shells leave around list items.
     *
     * @param text the range
     * @return the range
     * @throws IllegalArgumentException with Ipv4Range's reason
     */
    public static Ipv4Range range(String text) {
        return Ipv4Range.parse(text == null ? "" : text.strip());
    }

    /**
     * Parses an enum constant by name, ignoring case and reading '-' as '_', so both
     * {@code ENDPOINT_INDEPENDENT} (configuration) and {@code endpoint-independent} (typed in a shell)
     * work.
     *
     * @param <E> the enum
     * @param type the enum's class
     * @param text the name
     * @return the constant
     * @throws IllegalArgumentException listing the accepted names
     */
    public static <E extends Enum<E>> E enumValue(Class<E> type, String text) {
        String wanted = (text == null ? "" : text).strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        throw new IllegalArgumentException("must be " + names(type) + ", was \"" + text + "\"");
    }

    /**
     * Lists an enum's constants for messages.
     *
     * @param type the enum's class
     * @return {@code "A, B or C"}
     */
    public static String names(Class<? extends Enum<?>> type) {
        Enum<?>[] all = type.getEnumConstants();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            if (i > 0) {
                b.append(i == all.length - 1 ? " or " : ", ");
            }
            b.append(all[i].name());
        }
        return b.toString();
    }
}
