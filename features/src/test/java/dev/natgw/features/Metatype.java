package dev.natgw.features;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The metatype that bnd wrote into the natgw bundles on the class path ({@code OSGI-INF/metatype/*.xml}, generated
 * from the {@code @ObjectClassDefinition} annotations), keyed by the PID or factory PID it designates.
 *
 * <p>
 * Bundle jars carry the XML; a module's {@code target/classes} does not (the bundle plugin writes it into the jar
 * only), so this must run after the bundles are packaged.
 */
record Metatype(String pid, boolean factory, String name, String description, String bundle,
        List<Attribute> attributes) {

    /** One {@code AD}: its values as the XML gives them; {@code defaults} already split and unescaped. */
    record Attribute(String id, String type, int cardinality, boolean required, String name, String description,
            List<String> defaults, String min, String max, Map<String, String> options) {

        /** The value list written the way a {@code .cfg} file writes it: comma-separated. */
        String defaultText() {
            return String.join(",", defaults);
        }
    }

    /** Every designated PID found under {@code OSGI-INF/metatype/} on the class path, sorted by PID. */
    static Map<String, Metatype> onClassPath() {
        Map<String, Metatype> all = new TreeMap<>();
        try {
            Enumeration<URL> roots = Metatype.class.getClassLoader().getResources("OSGI-INF/metatype/");
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                for (Metatype m : read(root)) {
                    Metatype before = all.put(m.pid(), m);
                    if (before != null) {
                        throw new IllegalStateException(
                                m.pid() + " is designated twice: in " + before.bundle() + " and " + m.bundle());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private static List<Metatype> read(URL root) throws IOException {
        List<Metatype> found = new ArrayList<>();
        if (root.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) root.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                String bundle = Path.of(jar.getName()).getFileName().toString();
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry e = entries.nextElement();
                    if (e.getName().startsWith("OSGI-INF/metatype/") && e.getName().endsWith(".xml")) {
                        try (InputStream in = jar.getInputStream(e)) {
                            found.addAll(parse(in, bundle));
                        }
                    }
                }
            }
        } else if (root.getProtocol().equals("file")) {
            Path dir;
            try {
                dir = Path.of(root.toURI());
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
            List<Path> files;
            try (var listing = Files.list(dir)) {
                files = listing.filter(p -> p.toString().endsWith(".xml")).sorted().toList();
            }
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    found.addAll(parse(in, dir.toString()));
                }
            }
        }
        return found;
    }

    private static List<Metatype> parse(InputStream in, String bundle) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setExpandEntityReferences(false);
            doc = factory.newDocumentBuilder().parse(in);
        } catch (Exception e) {
            throw new IOException("unreadable metatype in " + bundle, e);
        }
        Map<String, Element> ocds = new TreeMap<>();
        NodeList ocdNodes = doc.getElementsByTagName("OCD");
        for (int i = 0; i < ocdNodes.getLength(); i++) {
            Element ocd = (Element) ocdNodes.item(i);
            ocds.put(ocd.getAttribute("id"), ocd);
        }
        List<Metatype> result = new ArrayList<>();
        NodeList designates = doc.getElementsByTagName("Designate");
        for (int i = 0; i < designates.getLength(); i++) {
            Element designate = (Element) designates.item(i);
            boolean factory = !designate.getAttribute("factoryPid").isEmpty();
            String pid = factory ? designate.getAttribute("factoryPid") : designate.getAttribute("pid");
            Element object = (Element) designate.getElementsByTagName("Object").item(0);
            Element ocd = ocds.get(object.getAttribute("ocdref"));
            if (ocd == null) {
                throw new IOException(
                        bundle + ": " + pid + " designates a missing OCD " + object.getAttribute("ocdref"));
            }
            result.add(new Metatype(pid, factory, ocd.getAttribute("name"), ocd.getAttribute("description"), bundle,
                    attributes(ocd)));
        }
        return result;
    }

    private static List<Attribute> attributes(Element ocd) {
        List<Attribute> list = new ArrayList<>();
        NodeList ads = ocd.getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            Map<String, String> options = new TreeMap<>();
            NodeList opts = ad.getElementsByTagName("Option");
            for (int j = 0; j < opts.getLength(); j++) {
                Element o = (Element) opts.item(j);
                options.put(o.getAttribute("value"), o.getAttribute("label"));
            }
            String cardinality = ad.getAttribute("cardinality");
            list.add(new Attribute(ad.getAttribute("id"), ad.getAttribute("type"),
                    cardinality.isEmpty() ? 0 : Integer.parseInt(cardinality),
                    !"false".equals(ad.getAttribute("required")), ad.getAttribute("name"),
                    ad.getAttribute("description"),
                    ad.hasAttribute("default") ? splitDefault(ad.getAttribute("default")) : List.of(),
                    ad.getAttribute("min"), ad.getAttribute("max"), options));
        }
        return list;
    }

    /**
     * Metatype 1.4, 105.7.7: a default is a comma-separated list in which {@code \,} stands for a comma inside one
     * value and {@code \\} for a backslash.
     */
    static List<String> splitDefault(String raw) {
        List<String> values = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                current.append(raw.charAt(++i));
            } else if (c == ',') {
                values.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        values.add(current.toString().strip());
        return values;
    }
}
