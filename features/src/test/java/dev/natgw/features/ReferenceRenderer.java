package dev.natgw.features;

import java.util.List;
import java.util.Map;

/**
 * Renders docs/manual/configuration.md from the metatype: one section per PID or factory PID, then a table of its
 * attributes. The output depends only on the metatype and the feature file, so the checked-in file can be compared
 * byte for byte.
 */
final class ReferenceRenderer {

    private ReferenceRenderer() {
    }

    static String render(Map<String, Metatype> metatypes, Map<String, Map<String, String>> shipped,
            Map<String, String> intentional) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n");
        out.append("<!-- Generated from the bundles' metatype by features/src/test/java/dev/natgw/features/"
                + "ConfigurationReferenceTest.java; do not edit. Regenerate with:\n     ")
                .append(ConfigurationReferenceTest.REGENERATE).append(" -->\n\n");
        out.append("Every natgw setting, as the `@ObjectClassDefinition` annotations in the bundles declare it. ")
                .append("A PID is set in `etc/PID.cfg`, with `config:edit PID` / `config:property-set` / ")
                .append("`config:update` in the shell, or in the console of Karaf's ConfigAdmin; a factory PID takes ")
                .append("one file per instance, `etc/PID-NAME.cfg`. ")
                .append("The `natgw` feature ships the defaults below as files in `etc/` so that they can be read ")
                .append("and edited; a shipped value that differs from the default is listed under its table. ")
                .append("How each setting behaves when it changes is in the [operator's manual](README.md).\n\n");
        out.append("| PID | kind | what |\n|---|---|---|\n");
        for (Metatype m : metatypes.values()) {
            out.append("| [`").append(m.pid()).append("`](#").append(anchor(m.pid())).append(") | ")
                    .append(m.factory() ? "factory" : "single").append(" | ").append(cell(m.name())).append(" |\n");
        }
        for (Metatype m : metatypes.values()) {
            out.append("\n## ").append(m.pid()).append("\n\n");
            out.append("**").append(m.name()).append("** (").append(m.factory() ? "factory PID" : "PID")
                    .append(", bundle `").append(bundleName(m.bundle())).append("`). ")
                    .append(cell(m.description())).append("\n\n");
            out.append("| attribute | type | default | values | description |\n|---|---|---|---|---|\n");
            for (Metatype.Attribute a : m.attributes()) {
                out.append("| `").append(a.id()).append("` | ").append(type(a)).append(" | ").append(defaultCell(a))
                        .append(" | ").append(values(a)).append(" | ").append(cell(a.description()))
                        .append(" |\n");
            }
            shippedNote(out, m, shipped, intentional);
        }
        return out.toString();
    }

    private static void shippedNote(StringBuilder out, Metatype m, Map<String, Map<String, String>> shipped,
            Map<String, String> intentional) {
        for (Map.Entry<String, Map<String, String>> config : shipped.entrySet()) {
            if (ConfigurationReferenceTest.metatype(config.getKey()) != m) {
                continue;
            }
            out.append("\nShipped by the feature as `etc/").append(config.getKey()).append(".cfg`");
            boolean first = true;
            for (Map.Entry<String, String> p : config.getValue().entrySet()) {
                Metatype.Attribute a = ConfigurationReferenceTest.attribute(m, p.getKey());
                if (a != null && !ConfigurationReferenceTest.sameValue(a, p.getValue())) {
                    out.append(first ? ", with " : "; ").append('`').append(p.getKey()).append(" = ")
                            .append(p.getValue()).append("` (")
                            .append(intentional.getOrDefault(m.pid() + "/" + p.getKey(), "differs")).append(')');
                    first = false;
                }
            }
            out.append(first ? ", with the defaults.\n" : ".\n");
        }
    }

    private static String bundleName(String bundle) {
        return bundle.replaceFirst("-\\d.*\\.jar$", "");
    }

    static String anchor(String heading) {
        return heading.toLowerCase().replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }

    private static String type(Metatype.Attribute a) {
        String t = a.type();
        if (a.cardinality() > 0 && a.cardinality() < Integer.MAX_VALUE) {
            return t + "[" + a.cardinality() + "]";
        }
        if (a.cardinality() != 0) {
            return t + " list";
        }
        return t;
    }

    private static String defaultCell(Metatype.Attribute a) {
        List<String> d = a.defaults();
        if (d.isEmpty()) {
            return "(none)";
        }
        if (d.size() == 1 && d.getFirst().isEmpty()) {
            return "(empty)";
        }
        return "`" + cell(String.join(a.cardinality() == 0 ? "" : ", ", d)) + "`";
    }

    private static String values(Metatype.Attribute a) {
        if (!a.options().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (Map.Entry<String, String> o : a.options().entrySet()) {
                s.append(s.isEmpty() ? "" : ", ").append('`').append(o.getKey()).append('`');
            }
            return s.toString();
        }
        if (!a.min().isEmpty() || !a.max().isEmpty()) {
            return (a.min().isEmpty() ? "" : a.min()) + ".." + (a.max().isEmpty() ? "" : a.max());
        }
        return a.required() ? "" : "optional";
    }

    /** Table cells hold one line, no bare pipe and no angle bracket that Markdown would take for HTML. */
    private static String cell(String text) {
        return text.strip().replaceAll("\\s+", " ").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }
}
