package dev.natgw.console.metrics;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of PromQL to find the metric names an expression selects: string literals, label matchers
 * ({@code {pool="x"}}), range and subquery brackets ({@code [5m]}), grouping clauses ({@code by (pool)},
 * {@code on (...)}, {@code group_left (...)}) and Grafana's variables ({@code $instance}, {@code ${x}},
 * {@code $__rate_interval}) are taken out; what remains is a name unless a {@code (} follows it (a function or
 * aggregation) or it is a keyword. A metric written only as {@code {__name__="x"}} is not seen; the dashboard writes
 * none.
 */
final class PromQl {
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan", "start", "end");

    private PromQl() {
    }

    /**
     * Returns the metric names an expression selects.
     *
     * @param expr a PromQL expression as the dashboard holds it (Grafana's variables in it)
     * @return the names, in order of appearance
     * @throws IllegalArgumentException if its brackets do not balance
     */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll(" \"\" ");
        s = VARIABLE.matcher(s).replaceAll("1m");
        balanced(s);
        s = removeBracketed(s, '{', '}');
        s = removeBracketed(s, '[', ']');
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }

    private static String removeBracketed(String s, char open, char close) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == open) {
                depth++;
            } else if (c == close) {
                depth--;
                out.append(' ');
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void balanced(String s) {
        String opens = "({[";
        String closes = ")}]";
        StringBuilder stack = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (opens.indexOf(c) >= 0) {
                stack.append(c);
            } else if (closes.indexOf(c) >= 0) {
                if (stack.isEmpty() || opens.indexOf(stack.charAt(stack.length() - 1)) != closes.indexOf(c)) {
                    throw new IllegalArgumentException("unbalanced '" + c + "' at " + i + " in " + s);
                }
                stack.setLength(stack.length() - 1);
            }
        }
        if (!stack.isEmpty()) {
            throw new IllegalArgumentException("unclosed '" + stack + "' in " + s);
        }
    }
}
