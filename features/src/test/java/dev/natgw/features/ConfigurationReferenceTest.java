package dev.natgw.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Keeps the two other homes of natgw's configuration in step with the {@code @ObjectClassDefinition} annotations:
 * docs/manual/configuration.md is rendered from the bundles' metatype and must equal what is checked in, and every
 * {@code <config>} the feature file ships must set only known attributes, to their metatype defaults, unless
 * {@link #INTENTIONAL} says why not.
 *
 * <p>
 * Needs the bundle jars (their metatype is in the jar, not in target/classes): run it in a reactor build that
 * packages them, or against installed jars. {@code -Dnatgw.docs.write=true} rewrites the reference instead of
 * failing.
 */
class ConfigurationReferenceTest {

    static final String REGENERATE = "./mvnw -B -pl features -am package -Dtest=ConfigurationReferenceTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dnatgw.docs.write=true";

    /**
     * Properties whose shipped value differs from the metatype default on purpose, as {@code PID/attribute} with
     * the reason. Everything else the feature sets must equal the default, so that the defaults live in the
     * annotation and the feature only makes them visible in etc/.
     */
    static final Map<String, String> INTENTIONAL = Map.of(
            // The annotation leaves a pool's name to the factory configuration's name; the shipped file names it,
            // so that `cat etc/dev.natgw.nat.pool-default.cfg` shows which pool it is.
            "dev.natgw.nat.pool/name", "the shipped pool is named explicitly: default",
            // A pool has no sensible default address; the shipped one is the demo topology's outside address.
            "dev.natgw.nat.pool/addresses", "the demo topology's outside address, for ./natgw run");

    static Path top;
    static Map<String, Metatype> metatypes;
    static Map<String, Map<String, String>> shipped;

    @BeforeAll
    static void read() throws Exception {
        top = Path.of(System.getProperty("natgw.top", "..")).toAbsolutePath().normalize();
        metatypes = Metatype.onClassPath();
        shipped = featureConfigs(top.resolve("features/src/main/resources/features.xml"));
    }

    @Test
    void everyNatgwConfigurationTheFeatureShipsHasMetatype() {
        List<String> missing = new ArrayList<>();
        for (String name : shipped.keySet()) {
            if (name.startsWith("dev.natgw.") && metatype(name) == null) {
                missing.add(name);
            }
        }
        assertThat(missing).as("configurations shipped in features.xml without metatype on the class path "
                + "(found: %s); the bundle jars must be built first", metatypes.keySet()).isEmpty();
    }

    @Test
    void featureDefaultsAreTheMetatypeDefaults() {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> config : shipped.entrySet()) {
            Metatype m = metatype(config.getKey());
            if (m == null) {
                continue;
            }
            for (Map.Entry<String, String> property : config.getValue().entrySet()) {
                String key = m.pid() + "/" + property.getKey();
                Metatype.Attribute ad = attribute(m, property.getKey());
                if (ad == null) {
                    differences.add(config.getKey() + ": " + property.getKey() + " is no attribute of " + m.pid());
                } else if (!sameValue(ad, property.getValue()) && !INTENTIONAL.containsKey(key)) {
                    differences.add(config.getKey() + ": " + property.getKey() + " = '" + property.getValue()
                            + "' in features.xml, default '" + ad.defaultText() + "' in the metatype");
                }
            }
        }
        differences.forEach(d -> System.out.println("feature default differs: " + d));
        assertThat(differences).as("features.xml against the metatype defaults").isEmpty();
    }

    @Test
    void intentionalDifferencesStillDiffer() {
        for (String key : INTENTIONAL.keySet()) {
            String pid = key.substring(0, key.indexOf('/'));
            String attribute = key.substring(key.indexOf('/') + 1);
            Metatype m = metatypes.get(pid);
            assertThat(m).as("allow-listed %s has metatype", key).isNotNull();
            Metatype.Attribute ad = attribute(m, attribute);
            assertThat(ad).as("allow-listed %s is an attribute", key).isNotNull();
            boolean stillDiffers = shipped.entrySet().stream()
                    .filter(e -> metatype(e.getKey()) == m)
                    .anyMatch(e -> e.getValue().containsKey(attribute) && !sameValue(ad, e.getValue().get(attribute)));
            assertThat(stillDiffers).as("%s is allow-listed but the feature now ships the default: remove it", key)
                    .isTrue();
        }
    }

    @Test
    void configurationReferenceIsUpToDate() throws IOException {
        Path doc = top.resolve("docs/manual/configuration.md");
        String rendered = ReferenceRenderer.render(metatypes, shipped, INTENTIONAL);
        if (Boolean.getBoolean("natgw.docs.write")) {
            Files.createDirectories(doc.getParent());
            Files.writeString(doc, rendered, StandardCharsets.UTF_8);
            System.out.println("wrote " + doc);
            return;
        }
        String current = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "";
        if (!current.equals(rendered)) {
            fail("docs/manual/configuration.md is out of date: run " + REGENERATE);
        }
    }

    /** The metatype of a feature config name: a PID, or a factory PID and {@code -alias} (Karaf's naming). */
    static Metatype metatype(String configName) {
        Metatype m = metatypes.get(configName);
        if (m != null) {
            return m;
        }
        int dash = configName.lastIndexOf('-');
        if (dash > 0) {
            Metatype f = metatypes.get(configName.substring(0, dash));
            if (f != null && f.factory()) {
                return f;
            }
        }
        return null;
    }

    static Metatype.Attribute attribute(Metatype m, String id) {
        for (Metatype.Attribute a : m.attributes()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        return null;
    }

    /** A list attribute compares element by element (a .cfg separates with commas); a scalar as one string. */
    static boolean sameValue(Metatype.Attribute ad, String value) {
        if (ad.cardinality() == 0) {
            String expected = ad.defaults().isEmpty() ? "" : ad.defaults().getFirst();
            return expected.equals(value.strip());
        }
        List<String> values = new ArrayList<>();
        for (String v : value.split(",", -1)) {
            values.add(v.strip());
        }
        return values.equals(ad.defaults());
    }

    /** Every {@code <config name>} of the feature file with its properties, in file order. */
    static Map<String, Map<String, String>> featureConfigs(Path features) throws Exception {
        Map<String, Map<String, String>> configs = new TreeMap<>();
        NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(features.toFile())
                .getElementsByTagName("config");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element config = (Element) nodes.item(i);
            Properties p = new Properties();
            p.load(new StringReader(config.getTextContent()));
            Map<String, String> ordered = new LinkedHashMap<>();
            Set<String> names = p.stringPropertyNames();
            for (String line : config.getTextContent().split("\n")) {
                String key = line.strip().split("\\s*=", 2)[0];
                if (names.contains(key)) {
                    ordered.put(key, p.getProperty(key));
                }
            }
            configs.put(config.getAttribute("name"), ordered);
        }
        return configs;
    }
}
