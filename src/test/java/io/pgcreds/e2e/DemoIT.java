package io.pgcreds.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.testing.ApiClient;
import io.pgcreds.testing.Await;
import io.pgcreds.testing.JarProcess;
import io.pgcreds.testing.Secrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's first command: the jar with no database configured starts the demo; a second
 * terminal rotates a password and fails over; Ctrl-C removes everything.
 */
class DemoIT {
    @TempDir
    Path workDir;

    @Test
    void the_demo_starts_rotates_fails_over_and_cleans_up_after_ctrl_c() throws Exception {
        if (LocalPostgres.findBinaries().isEmpty()) {
            // the demo runs on local server binaries only (whatever fixture the tests use): without
            // them, the jar must say what to install and exit
            System.out.println("[demo] no local PostgreSQL server binaries: checking that the demo says so");
            try (JarProcess demo = JarProcess.start(Map.of(), List.of(), List.of(), workDir)) {
                assertThat(demo.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("exited").isTrue();
                assertThat(demo.process().exitValue()).isNotZero();
                assertThat(demo.output()).contains(LocalPostgres.missingBinariesMessage());
            }
            return;
        }
        try (JarProcess demo = JarProcess.start(Map.of(), List.of(), List.of(), workDir)) {
            String banner = awaitOutput(demo, "Ctrl-C stops the demo", 0);
            Matcher token = Pattern.compile("API token: (\\S+)").matcher(banner);
            assertThat(token.find()).isTrue(); // printed on purpose: the demo's user needs it
            List<Integer> serverPorts = ports(banner);
            assertThat(serverPorts).hasSize(2).allMatch(DemoIT::answers);
            assertThat(banner).contains("curl -s -H \"Authorization: Bearer $TOKEN\"")
                    .contains("/access\n").contains("java -jar target/pgcreds.jar demo rotate ANALYST");

            ApiClient api = new ApiClient(demo.port(), token.group(1));
            api.awaitCredential("ANALYST", c -> c.path("role").asText().equals("limited"));
            List<String> analystTables = new ArrayList<>();
            api.get("/tables?credential=ANALYST").json().path("tables")
                    .forEach(t -> analystTables.add(t.path("schema").asText() + "." + t.path("name").asText()));
            assertThat(analystTables).containsExactly("public.orders", "reporting.daily_sales", "reporting.monthly_revenue");
            assertThat(api.get("/tables?credential=DATABASE").json().path("tables").size()).isEqualTo(5);

            assertThat(control(workDir, "rotate", "ANALYST")).contains("rotated ANALYST");
            api.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 2);
            assertThat(control(workDir, "failover")).contains("failed over to the standby");
            JsonNode database = api.awaitCredential("DATABASE", c -> c.path("generation").asInt() == 2);
            assertThat(database.path("host").asText()).isEqualTo("localhost");
            assertThat(database.path("port").asInt()).isEqualTo(serverPorts.get(1));
            assertThat(control(workDir, "status")).contains("active server: standby").contains("generation 2");
            assertThat(api.get("/health", Map.of()).json().path("status").asText()).isEqualTo("UP");

            // typed into the demo after the second terminal's failover: the same state, read afresh
            int seen = demo.output().length();
            type(demo, "status");
            assertThat(awaitOutput(demo, "active server:", seen))
                    .contains("active server: standby").doesNotContain("active server: primary");
            JsonNode analyst = api.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 3);
            seen = demo.output().length();
            type(demo, "rotate ANALYST");
            assertThat(awaitOutput(demo, "rotated ANALYST", seen)).contains("on the standby server");
            analyst = api.awaitCredential("ANALYST", c -> c.path("generation").asInt() == 4);
            assertThat(analyst.path("host").asText()).as("still on the standby").isEqualTo("localhost");
            assertThat(analyst.path("port").asInt()).isEqualTo(serverPorts.get(1));
            JsonNode owner = api.get("/credentials/DATABASE").json();
            assertThat(owner.path("generation").asInt()).as("DATABASE not moved back").isEqualTo(2);
            assertThat(owner.path("host").asText()).isEqualTo("localhost");
            assertThat(control(workDir, "status")).contains("active server: standby");

            new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor();
            assertThat(demo.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("exited after Ctrl-C").isTrue();
            assertThat(demo.process().exitValue()).isZero();
            assertThat(demo.output()).contains("event=stopped").contains("servers and files removed");
            assertThat(workDir.resolve(".demo")).doesNotExist();
            assertThat(serverPorts).noneMatch(DemoIT::answers);
            assertThat(Secrets.foundIn(demo.output().replace(token.group(1), ""))).as("secrets other than the printed token")
                    .isEmpty();
        }
    }

    @Test
    void closing_its_terminal_stops_the_demo_and_removes_its_servers_and_files() throws Exception {
        if (LocalPostgres.findBinaries().isEmpty()) {
            System.out.println("[demo] no local PostgreSQL server binaries: no demo runs to hang up on (see the test above)");
            return;
        }
        try (JarProcess demo = JarProcess.start(Map.of(), List.of(), List.of(), workDir)) {
            List<Integer> serverPorts = ports(awaitOutput(demo, "Ctrl-C stops the demo", 0));
            assertThat(serverPorts).allMatch(DemoIT::answers);

            new ProcessBuilder("kill", "-HUP", String.valueOf(demo.pid())).start().waitFor(); // what a closed terminal sends
            assertThat(demo.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("exited after SIGHUP").isTrue();
            assertThat(demo.process().exitValue()).isZero();
            assertThat(demo.output()).contains("event=stopped").contains("servers and files removed");
            assertThat(workDir.resolve(".demo")).doesNotExist();
            assertThat(serverPorts).noneMatch(DemoIT::answers);
        }
    }

    private static String control(Path workDir, String... args) throws InterruptedException {
        List<String> arguments = new ArrayList<>(List.of("demo"));
        arguments.addAll(List.of(args));
        try (JarProcess control = JarProcess.start(Map.of(), List.of(), arguments, workDir)) {
            assertThat(control.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(control.process().exitValue()).as(String.join(" ", args) + ": " + control.output()).isZero();
            return control.output();
        }
    }

    /** Types a line into the demo's terminal. */
    private static void type(JarProcess process, String line) throws IOException {
        process.process().getOutputStream().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        process.process().getOutputStream().flush();
    }

    /** The output from {@code from} on, once it holds {@code text}; fails if the demo exits first. */
    private static String awaitOutput(JarProcess process, String text, int from) {
        return Await.until("the demo printing '" + text + "'", Duration.ofSeconds(60), () -> {
            assertThat(process.process().isAlive()).as("the demo runs: " + process.output()).isTrue();
            return process.output().substring(from);
        }, output -> output.contains(text));
    }

    private static List<Integer> ports(String banner) {
        Matcher matcher = Pattern.compile("primary on 127\\.0\\.0\\.1:(\\d+), standby on localhost:(\\d+)").matcher(banner);
        assertThat(matcher.find()).as("server ports in the banner").isTrue();
        return List.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
