package dev.natgw.console.model;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Figures as an operator reads them at a glance: "3 min ago" instead of an instant with nanoseconds,
 * {@code 127.0.0.1:7000} instead of {@code /127.0.0.1:7000}, "125 k" instead of 125034. The exact value goes in a
 * tooltip beside it ({@link #exact(Instant)}).
 */
public final class Human {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Human() {
    }

    /**
     * How long ago something happened, coarsely: "just now", "42 s ago", "3 min ago", "2 h 5 min ago", "4 d ago";
     * a time in the future (clocks apart) reads "just now".
     *
     * @param then when it happened
     * @param now the time now
     * @return the text
     */
    public static String ago(Instant then, Instant now) {
        long s = Duration.between(then, now).getSeconds();
        if (s < 2) {
            return "just now";
        }
        return duration(Duration.ofSeconds(s)) + " ago";
    }

    /**
     * A duration in its two largest units: "42 s", "3 min", "3 min 20 s" (under 10 min), "2 h 5 min", "4 d 3 h".
     *
     * @param d the duration, negative reads as 0
     * @return the text
     */
    public static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        long min = s / 60;
        if (min < 10) {
            return s % 60 == 0 ? min + " min" : min + " min " + s % 60 + " s";
        }
        if (min < 60) {
            return min + " min";
        }
        long h = min / 60;
        if (h < 24) {
            return min % 60 == 0 ? h + " h" : h + " h " + min % 60 + " min";
        }
        long days = h / 24;
        return h % 24 == 0 ? days + " d" : days + " d " + h % 24 + " h";
    }

    /**
     * An instant to the second, in UTC, for a tooltip.
     *
     * @param t the instant
     * @return such as "2026-12-07 14:58:03 UTC"
     */
    public static String exact(Instant t) {
        return UTC.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * The time of day of an instant, in UTC.
     *
     * @param epochMillis the instant
     * @return such as "14:58:03"
     */
    public static String clock(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * A socket address without the resolver's decoration: {@code 127.0.0.1:7000}, {@code [::1]:7000}, or the host
     * name as given when it was never resolved.
     *
     * @param a the address, or null
     * @return the text, "-" for null
     */
    public static String address(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * A count with a metric suffix and three significant digits: "999", "1.25 k", "125 k", "3.4 M", "1.2 G".
     *
     * @param v the count
     * @return the text
     */
    public static String count(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a < 1000) {
            return a < 10 && v != Math.rint(v)
                    ? trim(String.format(Locale.ROOT, "%.2f", v))
                    : String.format(Locale.ROOT, "%.0f", v);
        }
        String[] units = {"k", "M", "G", "T", "P"};
        int u = -1;
        while (a >= 999.5 && u < units.length - 1) {
            a /= 1000;
            v /= 1000;
            u++;
        }
        String digits = a >= 99.95
                ? String.format(Locale.ROOT, "%.0f", v)
                : a >= 9.995 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return trim(digits) + " " + units[u];
    }

    /**
     * Bytes with a decimal unit: "512 B", "1.5 kB", "2.25 MB", "3.1 GB".
     *
     * @param bytes the bytes
     * @return the text
     */
    public static String bytes(double bytes) {
        if (Double.isNaN(bytes)) {
            return "-";
        }
        if (Math.abs(bytes) < 1000) {
            return String.format(Locale.ROOT, "%.0f B", bytes);
        }
        return count(bytes) + "B";
    }

    /**
     * A share in percent the way {@code nat:pools} prints it: rounded to two decimals, then shown with one.
     *
     * @param share 0..1
     * @return such as "12.5%"
     */
    public static String percent(double share) {
        double rounded = Math.round(share * 10000.0) / 100.0;
        return String.format(Locale.ROOT, "%.1f%%", rounded);
    }

    private static String trim(String s) {
        return s.indexOf('.') < 0 ? s : s.replaceAll("\\.?0+$", "");
    }
}
