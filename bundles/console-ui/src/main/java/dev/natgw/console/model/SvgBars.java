package dev.natgw.console.model;

import java.util.List;
import java.util.Map;

/**
 * Horizontal bars as SVG: port use (mapped, in hold-down, free) that turns amber past 80 % used and red past 95 %,
 * and counts by name (drops by reason). Each bar is a {@code <g class="bar">} whose data attributes carry the exact
 * figures, and whose segments carry a {@code <title>} shown on hover. Scales to its container's width.
 */
public final class SvgBars {
    private static final int ROW = 22;
    private static final int LABEL = 110;
    private static final int VALUE = 220;

    private SvgBars() {
    }

    /** How full a set of ports is. */
    public enum Level {
        /** At most 80 % used. */
        OK("#1c7ed6"),
        /** More than 80 % used. */
        HIGH("#f59f00"),
        /** More than 95 % used. */
        CRITICAL("#e03131");

        private final String color;

        Level(String color) {
            this.color = color;
        }

        /** {@return the colour of its bars} */
        public String color() {
            return color;
        }

        /**
         * @param share used, in hold-down included, over total, 0..1
         * @return the level
         */
        public static Level of(double share) {
            return share > 0.95 ? CRITICAL : share > 0.80 ? HIGH : OK;
        }
    }

    /**
     * The use of one set of ports.
     *
     * @param key the pool, address or worker
     * @param mapped ports used by live sessions (or reserved by a static mapping)
     * @param held ports in hold-down after their session ended
     * @param total ports owned
     */
    public record Usage(String key, long mapped, long held, long total) {
        /** {@return ports free} */
        public long free() {
            return total - mapped - held;
        }

        /** {@return mapped and held over total, as {@code nat:pools} counts "Used"} */
        public double share() {
            return total == 0 ? 0 : (double) (mapped + held) / total;
        }
    }

    /**
     * Renders port-use bars.
     *
     * @param rows the bars, top to bottom
     * @param width viewBox width
     * @return one {@code <svg>}
     */
    public static String usage(List<Usage> rows, int width) {
        int height = Math.max(1, rows.size()) * ROW + 4;
        double barW = width - LABEL - VALUE;
        StringBuilder svg = open(width, height);
        int y = 2;
        for (Usage u : rows) {
            Level level = Level.of(u.share());
            svg.append("<g class=\"bar\" data-key=\"").append(SvgChart.escape(u.key())).append("\" data-used=\"")
                    .append(u.mapped()).append("\" data-held=\"").append(u.held()).append("\" data-free=\"")
                    .append(u.free()).append("\" data-total=\"").append(u.total()).append("\" data-level=\"")
                    .append(level.name().toLowerCase(java.util.Locale.ROOT)).append("\">");
            label(svg, u.key(), y);
            // the free ports are the bar's background; the used and held segments are drawn over its left end
            segment(svg, LABEL, y, barW, 1, 1, "#e9ecef", 1.0, u.key() + ": " + u.free() + " free");
            double x = segment(svg, LABEL, y, barW, u.mapped(), u.total(), level.color(), 1.0,
                    u.key() + ": " + u.mapped() + " used by sessions");
            segment(svg, x, y, barW, u.held(), u.total(), level.color(), 0.4,
                    u.key() + ": " + u.held() + " in hold-down");
            svg.append("<text x=\"").append(LABEL + barW + 6).append("\" y=\"").append(y + 14).append("\">")
                    .append(Human.percent(u.share())).append(" used: ").append(Human.count(u.mapped())).append(" + ")
                    .append(Human.count(u.held())).append(" held of ").append(Human.count(u.total()))
                    .append("</text></g>");
            y += ROW;
        }
        return svg.append("</svg>").toString();
    }

    /**
     * Renders counts as bars scaled to the largest.
     *
     * @param counts name to count, drawn in this order
     * @param totals name to a second figure shown after the count (such as the total since start), or empty
     * @param color the bars' colour
     * @param width viewBox width
     * @return one {@code <svg>}
     */
    public static String counts(Map<String, Long> counts, Map<String, Long> totals, String color, int width) {
        int height = Math.max(1, counts.size()) * ROW + 4;
        double barW = width - LABEL - VALUE;
        long max = counts.values().stream().mapToLong(Long::longValue).max().orElse(1);
        StringBuilder svg = open(width, height);
        int y = 2;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            svg.append("<g class=\"bar\" data-key=\"").append(SvgChart.escape(e.getKey())).append("\" data-value=\"")
                    .append(e.getValue()).append("\">");
            label(svg, e.getKey(), y);
            segment(svg, LABEL, y, barW, e.getValue(), Math.max(1, max), color, 1.0,
                    e.getKey() + ": " + e.getValue());
            Long total = totals.get(e.getKey());
            svg.append("<text x=\"").append(LABEL + barW + 6).append("\" y=\"").append(y + 14).append("\">")
                    .append(e.getValue()).append(total == null ? "" : " (" + total + " since start)")
                    .append("</text></g>");
            y += ROW;
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(int width, int height) {
        StringBuilder svg = new StringBuilder(512);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"natgw-bars\" viewBox=\"0 0 ").append(width)
                .append(' ').append(height).append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">");
        return svg;
    }

    private static void label(StringBuilder svg, String key, int y) {
        String shown = key.length() > 18 ? key.substring(0, 17) + "…" : key;
        svg.append("<text x=\"0\" y=\"").append(y + 14).append("\">").append(SvgChart.escape(shown))
                .append("<title>").append(SvgChart.escape(key)).append("</title></text>");
    }

    /** Draws one segment; a non-zero one is at least a pixel wide so that it shows. Returns where the next starts. */
    private static double segment(StringBuilder svg, double x, int y, double barW, long part, long whole,
            String color, double opacity, String title) {
        double w = whole <= 0 ? 0 : barW * part / whole;
        if (part > 0) {
            w = Math.max(1, w);
        }
        if (w > 0) {
            svg.append("<rect x=\"").append(SvgChart.fmt(x)).append("\" y=\"").append(y + 3).append("\" width=\"")
                    .append(SvgChart.fmt(w)).append("\" height=\"").append(ROW - 6).append("\" fill=\"")
                    .append(color).append("\" fill-opacity=\"").append(opacity).append("\"><title>")
                    .append(SvgChart.escape(title)).append("</title></rect>");
        }
        return x + w;
    }
}
