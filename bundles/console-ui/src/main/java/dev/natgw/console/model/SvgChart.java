package dev.natgw.console.model;

import java.util.List;
import java.util.Locale;

/**
 * Draws rate series as one SVG line chart (Vaadin Charts is commercial; an SVG made here needs no frontend build).
 * Gaps (NaN) break the line. The y axis starts at 0 and ends at a round maximum.
 */
public final class SvgChart {
    private SvgChart() {
    }

    /**
     * One series.
     *
     * @param name its legend
     * @param color a CSS colour
     * @param values oldest first; NaN for a gap
     */
    public record Series(String name, String color, double[] values) {
    }

    /**
     * Renders a chart.
     *
     * @param title the title
     * @param width pixels
     * @param height pixels
     * @param capacity how many points the x axis spans
     * @param series the series
     * @return one {@code <svg>} element
     */
    public static String render(String title, int width, int height, int capacity, List<Series> series) {
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double top = niceCeiling(max);
        int left = 60;
        int right = 10;
        int plotTop = 24;
        int bottom = 22;
        double plotW = width - left - right;
        double plotH = height - plotTop - bottom;
        StringBuilder svg = new StringBuilder(4096);
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.append("<title>").append(escape(title)).append("</title>");
        svg.append("<text x=\"").append(left).append("\" y=\"14\" font-size=\"13\">").append(escape(title))
                .append("</text>");
        for (int i = 0; i <= 4; i++) {
            double y = plotTop + plotH - plotH * i / 4;
            svg.append("<line x1=\"").append(left).append("\" x2=\"").append(width - right).append("\" y1=\"")
                    .append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\" stroke=\"#ddd\"/>");
            svg.append("<text x=\"").append(left - 4).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">").append(escape(label(top * i / 4))).append("</text>");
        }
        int legendX = left + 200;
        for (Series s : series) {
            svg.append("<text x=\"").append(legendX).append("\" y=\"14\" fill=\"").append(escape(s.color()))
                    .append("\">").append(escape(s.name())).append("</text>");
            legendX += 12 + 7 * s.name().length();
            StringBuilder path = new StringBuilder();
            double[] v = s.values();
            int offset = capacity - v.length;
            boolean pen = false;
            for (int i = 0; i < v.length; i++) {
                if (Double.isNaN(v[i])) {
                    pen = false;
                    continue;
                }
                double x = left + plotW * (offset + i) / Math.max(1, capacity - 1);
                double y = plotTop + plotH - (top == 0 ? 0 : plotH * v[i] / top);
                path.append(pen ? " L" : " M").append(fmt(x)).append(' ').append(fmt(y));
                pen = true;
            }
            if (!path.isEmpty()) {
                svg.append("<path class=\"series\" data-name=\"").append(escape(s.name())).append("\" d=\"")
                        .append(path.toString().strip()).append("\" fill=\"none\" stroke=\"")
                        .append(escape(s.color())).append("\" stroke-width=\"1.5\"/>");
            }
        }
        svg.append("<text x=\"").append(left).append("\" y=\"").append(height - 6).append("\">-")
                .append(capacity).append(" s</text><text x=\"").append(width - right).append("\" y=\"")
                .append(height - 6).append("\" text-anchor=\"end\">now</text></svg>");
        return svg.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least the value; 1 for 0. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= v) {
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

    private static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
