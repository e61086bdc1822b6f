package io.pgcreds;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The build's training run for the class-data-sharing archive ({@code target/pgcreds.jsa}, made at
 * {@code package} with {@code -XX:ArchiveClassesAtExit}): starts the service against databases that
 * refuse connections, calls every route once, stops. The JVM then archives every class it loaded,
 * and the Procfile's {@code -XX:SharedArchiveFile} lets each start skip loading them again. Its
 * environment is made up here, never taken from the build machine.
 */
final class CdsTraining {
    private static final String TOKEN = "cds-training-token";

    private CdsTraining() {
    }

    static void run() {
        PgCreds service = PgCreds.start(Map.of(
                "PORT", "0",
                "PGCREDS_API_TOKEN", TOKEN,
                "DATABASE_URL", "postgres://training:training@127.0.0.1:1/training",
                "ANALYST_URL", "postgres://analyst:training@127.0.0.1:1/training?sslmode=require",
                "BROKEN_URL", "postgres://broken@:0/training",
                "PGCREDS_HEALTH_INTERVAL_MS", "100",
                "PGCREDS_LOG_SAMPLE_SECONDS", "0"));
        try {
            Thread.sleep(300); // let the probes run once
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("/", "/assets/app.js", "/health", "/health/history", "/events",
                    "/health/live", "/health/ready", "/credentials",
                    "/credentials/DATABASE", "/tables", "/tables?limit=x", "/schemas?credential=ANALYST",
                    "/metrics", "/openapi.yaml", "/nothing")) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        } catch (Exception e) {
            System.err.println("pgcreds: CDS training incomplete: " + e.getClass().getSimpleName());
        } finally {
            service.shutdown(Duration.ofSeconds(2));
        }
    }
}
