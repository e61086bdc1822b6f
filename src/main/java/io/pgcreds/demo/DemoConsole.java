package io.pgcreds.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** What the demo says on its terminal, and the commands typed into it. */
final class DemoConsole {
    static final PrintStream out = System.out;

    private DemoConsole() {
    }

    static void banner(int port, String token, int primaryPort, int standbyPort) {
        String base = "http://localhost:" + port;
        out.println();
        out.println("pgcreds demo is running on " + base);
        out.println("  servers: primary on 127.0.0.1:" + primaryPort + ", standby on localhost:" + standbyPort
                + " (TLS only, scram-sha-256)");
        out.println("  API token: " + token);
        out.println();
        out.println("Try:");
        out.println("  export TOKEN=" + token);
        out.println("  curl -s " + base + "/health");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/credentials");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + base + "/tables?credential=DATABASE'");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + base + "/tables?credential=ANALYST'");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/access");
        out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + base + "/metrics");
        out.println();
        out.println("Change things as Heroku would (type here, or run from another terminal in this directory):");
        out.println("  rotate ANALYST     java -jar target/pgcreds.jar demo rotate ANALYST");
        out.println("  failover           java -jar target/pgcreds.jar demo failover");
        out.println("  status             java -jar target/pgcreds.jar demo status");
        out.println("Ctrl-C stops the demo and removes its servers and files.");
        out.println();
    }

    static String usage() {
        return "usage: java -jar target/pgcreds.jar demo [rotate NAME | failover | status]";
    }

    /**
     * Commands typed into the running demo, read on a daemon thread until the terminal closes: the
     * same as from another terminal, on the same state file.
     */
    static void listen(Path dir) {
        DemoControl control = new DemoControl(dir);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String[] words = line.trim().split("\\s+");
                    try {
                        switch (words[0]) {
                            case "" -> { }
                            case "rotate" -> out.println(control.rotate(words.length > 1 ? words[1] : "ANALYST"));
                            case "failover" -> out.println(control.failover());
                            case "status" -> out.println(status(DemoState.load(dir)));
                            default -> out.println("commands: rotate NAME, failover, status (Ctrl-C stops the demo)");
                        }
                    } catch (RuntimeException e) {
                        out.println("pgcreds demo: " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                // no terminal: the demo is controlled from another process instead
            }
        }, "pgcreds-demo-commands");
        reader.setDaemon(true);
        reader.start();
    }

    /** One line per credential: state, generation and server, from the service's own /credentials. */
    static String status(DemoState state) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + state.get("service.port") + "/credentials"))
                    .header("Authorization", "Bearer " + state.get("token")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            StringBuilder text = new StringBuilder("active server: " + state.get("active"));
            for (JsonNode credential : new ObjectMapper().readTree(response.body()).path("credentials")) {
                text.append(String.format("%n  %-10s %-8s generation %d  %s@%s:%d", credential.path("name").asText(),
                        credential.path("state").asText(), credential.path("generation").asInt(),
                        credential.path("user").asText(), credential.path("host").asText(),
                        credential.path("port").asInt()));
            }
            return text.toString();
        } catch (IOException e) {
            return "the demo's service does not answer on port " + state.get("service.port");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
