package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgcreds.testing.ServiceUnderTest;
import io.pgcreds.testing.WatchedCredentials;
import io.pgcreds.testing.postgres.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * grafana/pgcreds.json asks only for series that /metrics really exports: every PromQL query in it
 * (panels, the credential variable, annotations) is read for its series names, and each must be in
 * a scrape of a running service that has served requests and replaced a credential. It covers the
 * figures the issue names: up, probe latency, pool use, reloads, HTTP rates.
 */
class GrafanaDashboardIT {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan");

    @TempDir
    Path dir;

    @Test
    void every_query_of_the_dashboard_names_a_series_that_metrics_exports() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("grafana", "pgcreds.json").toFile());
        List<String> queries = queries(dashboard);
        assertThat(queries).hasSizeGreaterThan(10);
        Set<String> named = new TreeSet<>();
        queries.forEach(query -> named.addAll(seriesIn(query)));
        assertThat(named).contains("pgcreds_credential_up", "pgcreds_probe_latency_seconds", "hikaricp_connections_active",
                "hikaricp_connections_idle", "hikaricp_connections_pending", "hikaricp_connections_max",
                "pgcreds_reloads_total", "http_server_requests_seconds_count");

        Set<String> exported = scrape();
        Map<String, Set<String>> missing = new HashMap<>();
        for (String query : queries) {
            for (String series : seriesIn(query)) {
                if (!exported.contains(series)) {
                    missing.computeIfAbsent(series, key -> new TreeSet<>()).add(query);
                }
            }
        }
        assertThat(missing).as("series the dashboard asks for that /metrics does not export").isEmpty();
        System.out.println("[figure] grafana/pgcreds.json: " + queries.size() + " queries over " + named.size()
                + " series, all exported by /metrics");
        dashboard.path("panels").forEach(panel -> {
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo("${DS_PROMETHEUS}");
            }
        });
    }

    @Test
    void the_query_reader_finds_series_and_nothing_else() {
        assertThat(seriesIn("sum by (route, status) (rate(http_server_requests_seconds_count{route=~\"$r\"}[$__rate_interval]))"))
                .containsExactly("http_server_requests_seconds_count");
        assertThat(seriesIn("count(pgcreds_credential_up == 0) or vector(0)")).containsExactly("pgcreds_credential_up");
        assertThat(seriesIn("time() - last_ts offset 5m / on (job) group_left (x) other_series"))
                .containsExactly("last_ts", "other_series");
        assertThat(seriesIn("label_values(pgcreds_credential_up, credential)")).containsExactly("pgcreds_credential_up");
    }

    /** A service that has served requests and replaced a credential: every series has been made. */
    private Set<String> scrape() {
        WatchedCredentials credentials = WatchedCredentials.create(TestDatabases.shared(), "grafana", dir);
        try (ServiceUnderTest service = ServiceUnderTest.start(credentials.env(Map.of("PGCREDS_DRAIN_SECONDS", "1")))) {
            service.awaitHealth(h -> h.path("status").asText().equals("UP"), Duration.ofSeconds(20));
            assertThat(service.client().get("/tables?credential=ANALYST").status()).isEqualTo(200);
            credentials.rotateAnalyst();
            service.awaitCredential("ANALYST", credential -> credential.path("generation").asInt() == 2);
            Set<String> names = new TreeSet<>();
            for (String line : service.client().get("/metrics").body().split("\n")) {
                Matcher name = IDENTIFIER.matcher(line);
                if (!line.startsWith("#") && name.lookingAt()) {
                    names.add(name.group());
                }
            }
            return names;
        }
    }

    /** Every PromQL query: the panels' targets, the variables' queries, the annotations' expressions. */
    private static List<String> queries(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        dashboard.findValues("expr").forEach(expr -> queries.add(expr.asText()));
        dashboard.path("templating").path("list").forEach(variable -> {
            JsonNode query = variable.path("query");
            queries.add(query.isObject() ? query.path("query").asText() : query.asText());
        });
        return queries;
    }

    /**
     * The series names in one query: identifiers that are not functions (followed by a parenthesis),
     * keywords, label matchers, grouping labels, durations, strings or Grafana variables;
     * {@code label_values(series, label)} names its first argument.
     */
    static Set<String> seriesIn(String query) {
        String text = query.replaceAll("\\$\\{?\\w+}?", " ")      // Grafana variables
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", " ")          // strings
                .replaceAll("\\{[^}]*}", " ")                       // label matchers
                .replaceAll("\\[[^]]*]", " ")                       // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Matcher labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)").matcher(text);
        Set<String> series = new TreeSet<>();
        while (labelValues.find()) {
            series.add(labelValues.group(1));
        }
        text = labelValues.replaceAll(" ");
        Matcher identifier = IDENTIFIER.matcher(text);
        while (identifier.find()) {
            String name = identifier.group();
            boolean function = text.substring(identifier.end()).matches("(?s)\\s*\\(.*");
            boolean number = identifier.start() > 0 && Character.isDigit(text.charAt(identifier.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                series.add(name);
            }
        }
        return series;
    }
}
