package dev.natgw.nat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.natgw.api.nat.Endpoint;
import dev.natgw.api.nat.Protocol;
import dev.natgw.api.nat.StaticMapping;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.jupiter.api.Test;

class CompletersTest extends CommandTestSupport {

    /** A command line whose cursor is at the end of its last word. */
    private static CommandLine typed(String... words) {
        String buffer = String.join(" ", words);
        String last = words[words.length - 1];
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return words.length - 1;
            }

            @Override
            public String getCursorArgument() {
                return last;
            }

            @Override
            public int getArgumentPosition() {
                return last.length();
            }

            @Override
            public String[] getArguments() {
                return words;
            }

            @Override
            public int getBufferPosition() {
                return buffer.length();
            }

            @Override
            public String getBuffer() {
                return buffer;
            }
        };
    }

    @Test
    void poolNamesCompleteFromThePools() {
        populate();
        PoolNameCompleter completer = new PoolNameCompleter();
        completer.natService = nat;
        List<String> candidates = new ArrayList<>();

        completer.complete(null, typed("nat:pool-remove", "pu"), candidates);

        assertThat(candidates).extracting(String::strip).containsExactly("public");
    }

    @Test
    void staticGlobalsCompleteFromTheStaticMappings() {
        nat.addStaticMapping(
                new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.1:8080"), Endpoint.parse("10.0.0.9:80")));
        nat.addStaticMapping(
                new StaticMapping(Protocol.UDP, Endpoint.parse("198.19.0.1:8080"), Endpoint.parse("10.0.0.9:53")));
        nat.addStaticMapping(
                new StaticMapping(Protocol.TCP, Endpoint.parse("198.19.0.2:22"), Endpoint.parse("10.0.0.7:22")));
        StaticGlobalCompleter completer = new StaticGlobalCompleter();
        completer.natService = nat;
        List<String> candidates = new ArrayList<>();

        completer.complete(null, typed("nat:static-remove", "tcp", "198.19.0.1"), candidates);

        assertThat(candidates).extracting(String::strip).containsExactly("198.19.0.1:8080");
    }
}
