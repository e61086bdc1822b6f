package io.pgcreds;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages of src/main, as the JDK's jdeps reads them from the compiled classes, form no cycle:
 * a newcomer can read them in one order, from util up to the root package that wires them.
 */
class PackageGraphTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.pgcreds\\S*)\\s+->\\s+(io\\.pgcreds\\S*)\\s+\\S+$");

    @Test
    void the_main_packages_depend_on_each_other_without_a_cycle() throws Exception {
        Map<String, Set<String>> graph = packageGraph();
        assertThat(graph).as("packages read by jdeps").containsKeys("io.pgcreds", "io.pgcreds.pools", "io.pgcreds.http");
        assertThat(cycles(graph)).as("package cycles in " + graph).isEmpty();
    }

    @Test
    void util_and_discovery_depend_on_nothing_of_ours_but_util() throws Exception {
        Map<String, Set<String>> graph = packageGraph();
        assertThat(graph.getOrDefault("io.pgcreds.util", Set.of())).isEmpty();
        assertThat(graph.getOrDefault("io.pgcreds.discovery", Set.of())).containsOnly("io.pgcreds.util");
        assertThat(graph.values()).as("nothing depends on the root package that wires the service")
                .noneMatch(targets -> targets.contains("io.pgcreds"));
    }

    /** Package to the packages of ours it uses, from {@code jdeps -verbose:package} over target/classes. */
    private static Map<String, Set<String>> packageGraph() throws URISyntaxException {
        Path classes = Path.of(PgCreds.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new AssertionError("jdeps is missing: this test needs a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-e", "io\\.pgcreds(\\..*)?",
                classes.toString());
        assertThat(code).as("jdeps: " + err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            Matcher edge = EDGE.matcher(line);
            if (edge.matches() && !edge.group(1).equals(edge.group(2))) {
                graph.computeIfAbsent(edge.group(1), key -> new TreeSet<>()).add(edge.group(2));
            }
        }
        return graph;
    }

    /** Every cycle found by a depth-first walk, each as the path that closes it. */
    private static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> cycles = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            walk(start, graph, new ArrayDeque<>(), done, cycles);
        }
        return cycles;
    }

    private static void walk(String node, Map<String, Set<String>> graph, Deque<String> path, Set<String> done,
                             List<List<String>> cycles) {
        if (path.contains(node)) {
            List<String> cycle = new ArrayList<>(path);
            java.util.Collections.reverse(cycle);
            cycles.add(cycle.subList(cycle.indexOf(node), cycle.size()));
            return;
        }
        if (!done.add(node)) {
            return;
        }
        path.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            walk(next, graph, path, done, cycles);
        }
        path.pop();
    }
}
