package dev.natgw.tools;

import java.util.Locale;
import java.util.Map;

/** One JSON object on one line, its members in the order they are put; strings escaped per RFC 8259. */
final class Json {

    private final StringBuilder text = new StringBuilder("{");

    Json put(String name, long value) {
        member(name).append(value);
        return this;
    }

    /** A number with three decimals; NaN and infinities become null. */
    Json put(String name, double value) {
        member(name).append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
        return this;
    }

    Json put(String name, String value) {
        quote(member(name), value);
        return this;
    }

    /** A nested object of counts. */
    Json put(String name, Map<String, Long> counts) {
        StringBuilder out = member(name).append('{');
        String separator = "";
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            quote(out.append(separator), e.getKey()).append(':').append(e.getValue());
            separator = ",";
        }
        out.append('}');
        return this;
    }

    private StringBuilder member(String name) {
        if (text.length() > 1) {
            text.append(',');
        }
        return quote(text, name).append(':');
    }

    private static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    @Override
    public String toString() {
        return text + "}";
    }
}
