package dev.natgw.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaAnnotation;
import com.tngtech.archunit.core.domain.JavaClass;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every natgw shell command has an entry in the command ACL its distribution ships
 * ({@code assembly/src/main/distribution/etc/org.apache.karaf.command.acl.SCOPE.cfg}): Karaf lets every shell user run
 * a command that no ACL names, so a command added without an entry would be open to viewers. Each entry names a
 * role, reading commands viewer and changing ones admin.
 */
class CommandAclTest {
    private static final String COMMAND = "org.apache.karaf.shell.api.action.Command";
    private static final Path ETC = Path.of("..", "assembly", "src", "main", "distribution", "etc");

    /** {@return natgw's commands by scope, read from the compiled bundles} */
    static Map<String, TreeSet<String>> commands() {
        Map<String, TreeSet<String>> byScope = new TreeMap<>();
        for (JavaClass c : Bundles.classes()) {
            for (JavaAnnotation<JavaClass> a : c.getAnnotations()) {
                if (a.getRawType().getName().equals(COMMAND)) {
                    String scope = String.valueOf(a.get("scope").orElseThrow());
                    byScope.computeIfAbsent(scope, s -> new TreeSet<>()).add(String.valueOf(a.get("name")
                            .orElseThrow()));
                }
            }
        }
        return byScope;
    }

    static Properties acl(String scope) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ETC.resolve("org.apache.karaf.command.acl." + scope + ".cfg"))) {
            p.load(r);
        }
        return p;
    }

    @Test
    void everyCommandHasAnAclEntryNamingARole() throws IOException {
        Map<String, TreeSet<String>> commands = commands();
        assertThat(commands).containsKeys("natgw", "nat", "dp", "fwd", "registry");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, TreeSet<String>> e : commands.entrySet()) {
            Properties acl = acl(e.getKey());
            for (String name : e.getValue()) {
                String roles = acl.getProperty(name);
                if (roles == null || !(roles.trim().equals("viewer") || roles.trim().equals("admin"))) {
                    missing.add(e.getKey() + ":" + name + " = " + roles);
                }
            }
            assertThat(new TreeSet<>(acl.stringPropertyNames())).as("entries of %s without a command", e.getKey())
                    .isSubsetOf(e.getValue());
        }
        assertThat(missing).as("commands the ACLs do not give to viewer or admin").isEmpty();
    }

    @Test
    void changingCommandsNeedAdmin() throws IOException {
        for (String c : List.of("natgw:update", "nat:pool-add", "nat:pool-remove", "nat:static-add",
                "nat:static-remove", "nat:session-clear", "dp:capture")) {
            String[] sn = c.split(":");
            assertThat(acl(sn[0]).getProperty(sn[1])).as(c).isEqualTo("admin");
        }
    }
}
