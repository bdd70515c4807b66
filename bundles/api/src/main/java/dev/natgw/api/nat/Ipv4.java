package dev.natgw.api.nat;

/**
 * IPv4 addresses as {@code int}s in network order: {@code 198.18.0.2} is {@code 0xC6120002}, the
 * first octet in the high byte. Compare them with {@link Integer#compareUnsigned}.
 */
public final class Ipv4 {
    private Ipv4() {
    }

    /**
     * Parses a dotted-quad address strictly: exactly four decimal octets 0..255, no sign, no spaces and
     * no leading zero ({@code "01.2.3.4"} is rejected, since some parsers read it as octal).
     *
     * @param dotted the text, such as {@code "198.18.0.2"}
     * @return the address
     * @throws IllegalArgumentException quoting the text if it is not such an address
     * @throws NullPointerException if dotted is null
     */
    public static int parse(String dotted) {
        int address = 0;
        int octets = 0;
        int i = 0;
        int n = dotted.length();
        while (i <= n && octets < 4) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 3 && dotted.charAt(i) >= '0' && dotted.charAt(i) <= '9') {
                value = value * 10 + dotted.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            boolean last = octets == 3;
            boolean endOk = last ? i == n : i < n && dotted.charAt(i) == '.';
            if (digits == 0 || value > 255 || (digits > 1 && dotted.charAt(start) == '0') || !endOk) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + dotted + "\"");
            }
            address = address << 8 | value;
            octets++;
            i++;
        }
        return address;
    }

    /**
     * Formats an address as a dotted quad.
     *
     * @param address the address
     * @return the text, such as {@code "198.18.0.2"}
     */
    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "."
                + (address & 0xff);
    }
}
