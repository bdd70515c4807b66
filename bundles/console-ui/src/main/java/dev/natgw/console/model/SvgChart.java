package dev.natgw.console.model;

import java.util.Locale;

/**
 * Draws one time series as an SVG line chart with its own y axis (Vaadin Charts is commercial; an SVG made here
 * needs no frontend build). The x axis spans a fixed time up to now, so a young history fills from the right; gaps
 * (NaN) break the line. The y axis starts at 0 and ends at a round maximum. Hovering a point shows its time and value
 * (an SVG {@code <title>} on a column per point). The SVG scales to its container's width (viewBox, no fixed size).
 */
public final class SvgChart {
    /** Plot margins in viewBox units. */
    private static final int LEFT = 44;
    private static final int RIGHT = 8;
    private static final int TOP = 30;
    private static final int BOTTOM = 18;

    private SvgChart() {
    }

    /**
     * One series over time.
     *
     * @param title the chart's title, such as "packets/s inside to outside"
     * @param unit after a hover value, such as "/s" or " sessions"
     * @param color a CSS colour
     * @param epochMillis the points' times, oldest first
     * @param values the points' values; NaN for a gap
     * @param spanMillis the time the x axis spans, ending at {@code nowMillis}
     * @param nowMillis the right end of the x axis
     */
    public record Series(String title, String unit, String color, long[] epochMillis, double[] values,
            long spanMillis, long nowMillis) {
        public Series {
            if (epochMillis.length != values.length) {
                throw new IllegalArgumentException("as many times as values");
            }
            if (spanMillis <= 0) {
                throw new IllegalArgumentException("spanMillis must be positive");
            }
        }

        /** {@return the newest value that is not a gap, NaN if none} */
        public double last() {
            for (int i = values.length - 1; i >= 0; i--) {
                if (!Double.isNaN(values[i])) {
                    return values[i];
                }
            }
            return Double.NaN;
        }

        /** {@return the largest value, 0 if none} */
        public double max() {
            double max = 0;
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
            return max;
        }
    }

    /**
     * Renders a chart.
     *
     * @param s the series
     * @param width viewBox width
     * @param height viewBox height
     * @return one {@code <svg>} element; its {@code data-top} is the axis maximum, {@code data-last} the newest value
     */
    public static String render(Series s, int width, int height) {
        double top = niceCeiling(s.max());
        double plotW = width - LEFT - RIGHT;
        double plotH = height - TOP - BOTTOM;
        double last = s.last();
        StringBuilder svg = new StringBuilder(2048 + 40 * s.values().length);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"natgw-chart\" viewBox=\"0 0 ").append(width)
                .append(' ').append(height).append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"10\"")
                .append(" data-top=\"").append(plain(top)).append("\" data-last=\"")
                .append(Double.isNaN(last) ? "" : plain(last)).append("\" data-points=\"")
                .append(s.values().length).append("\">");
        svg.append("<title>").append(escape(s.title())).append("</title>");
        svg.append("<text x=\"").append(LEFT).append("\" y=\"12\" font-size=\"11\" fill=\"#495057\">")
                .append(escape(s.title())).append("</text>");
        svg.append("<text class=\"now\" x=\"").append(width - RIGHT).append("\" y=\"13\" font-size=\"14\"")
                .append(" font-weight=\"bold\" text-anchor=\"end\" fill=\"").append(escape(s.color())).append("\">")
                .append(Double.isNaN(last) ? "-" : escape(Human.count(last))).append("</text>");
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4;
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(width - RIGHT).append("\" y1=\"")
                    .append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#e9ecef\"/>");
            svg.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(fmt(y + 3))
                    .append("\" text-anchor=\"end\" fill=\"#868e96\">").append(escape(label(top * i / 4)))
                    .append("</text>");
        }
        long from = s.nowMillis() - s.spanMillis();
        StringBuilder line = new StringBuilder();
        StringBuilder hover = new StringBuilder();
        boolean pen = false;
        for (int i = 0; i < s.values().length; i++) {
            double x = LEFT + plotW * Math.clamp((double) (s.epochMillis()[i] - from) / s.spanMillis(), 0, 1);
            double v = s.values()[i];
            if (Double.isNaN(v)) {
                pen = false;
                continue;
            }
            double y = TOP + plotH - plotH * Math.min(v, top) / top;
            line.append(pen ? " L" : " M").append(fmt(x)).append(' ').append(fmt(y));
            pen = true;
        }
        hovers(hover, s, from, plotW, plotH);
        if (!line.isEmpty()) {
            svg.append("<path class=\"series\" data-name=\"").append(escape(s.title())).append("\" d=\"")
                    .append(line.toString().strip()).append("\" fill=\"none\" stroke=\"").append(escape(s.color()))
                    .append("\" stroke-width=\"1.5\"/>");
        }
        svg.append(hover);
        svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(height - 4).append("\" fill=\"#868e96\">-")
                .append(escape(Human.duration(java.time.Duration.ofMillis(s.spanMillis())))).append("</text><text x=\"")
                .append(width - RIGHT).append("\" y=\"").append(height - 4)
                .append("\" text-anchor=\"end\" fill=\"#868e96\">now</text></svg>");
        return svg.toString();
    }

    /**
     * The hover targets: a transparent column per point, or per run of points where they are closer than 3 units
     * (300 points on a chart 268 wide), each with a title of the time and value of its highest point, so that no peak hides.
     */
    private static void hovers(StringBuilder out, Series s, long from, double plotW, double plotH) {
        int n = s.values().length;
        int per = (int) Math.max(1, Math.ceil(n / Math.max(1, plotW / 3)));
        for (int start = 0; start < n; start += per) {
            int end = Math.min(n, start + per) - 1;
            int shown = -1;
            for (int i = start; i <= end; i++) {
                if (!Double.isNaN(s.values()[i]) && (shown < 0 || s.values()[i] > s.values()[shown])) {
                    shown = i;
                }
            }
            if (shown < 0) {
                continue;
            }
            double x0 = x(s.epochMillis()[start], from, s.spanMillis(), plotW);
            double x1 = x(s.epochMillis()[end], from, s.spanMillis(), plotW);
            double half = per == 1 ? Math.max(1, plotW / Math.max(1, n)) / 2 : 0;
            double v = s.values()[shown];
            out.append("<rect class=\"hover\" x=\"").append(fmt(x0 - half)).append("\" y=\"").append(TOP)
                    .append("\" width=\"").append(fmt(Math.max(1, x1 - x0 + 2 * half))).append("\" height=\"")
                    .append(fmt(plotH)).append("\" data-v=\"").append(plain(v)).append("\"><title>")
                    .append(Human.clock(s.epochMillis()[shown])).append(" UTC: ").append(escape(hoverValue(v)))
                    .append(escape(s.unit())).append("</title></rect>");
        }
    }

    private static double x(long epochMillis, long from, long spanMillis, double plotW) {
        return LEFT + plotW * Math.clamp((double) (epochMillis - from) / spanMillis, 0, 1);
    }

    /** A hover value: whole numbers as they are, rates to one decimal. */
    static String hoverValue(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** 1, 2 or 5 times a power of ten, at least the value; 1 for 0. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String label(double v) {
        if (v >= 1e6) {
            return fmt(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return fmt(v / 1e3) + "k";
        }
        return v < 10 ? String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "") : fmt(v);
    }

    /** A value for a data attribute: whole numbers without a fraction, others to three decimals. */
    static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "");
    }

    static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /**
     * Escapes text for SVG or HTML content and attributes.
     *
     * @param s the text
     * @return the escaped text
     */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
