package io.pgcreds.bench;

import io.pgcreds.testing.DatabaseSetup;
import io.pgcreds.testing.JarFleet;
import io.pgcreds.testing.postgres.PostgresServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scenario 14, many dynos: three instances of the jar on one database and one Platform API stand-in
 * (polling every 2 s). A webhook to one of them, ten times, each after a rotation of ANALYST's
 * password, {@link #SPACING} apart (rotations are not back to back; peers' refreshes are coalesced
 * beyond a burst of three): until all three serve the new generation. Then the Platform API
 * requests one instance makes in a window, and three: with one leader polling for all, three cost
 * what one does.
 */
final class FleetScenarios {
    private static final int TURNS = 10;
    private static final long SPACING = 2500;
    private static final Pattern GENERATION = Pattern.compile("\"generation\":(\\d+)");
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> javaOpts;

    FleetScenarios(List<String> javaOpts) {
        this.javaOpts = javaOpts;
    }

    Bench.Row manyDynos(PostgresServer server, int windowSeconds) throws Exception {
        List<Long> converged = new ArrayList<>();
        double threePerHour;
        try (JarFleet three = JarFleet.start(3, DatabaseSetup.create(server, "bench_fleet"), javaOpts)) {
            three.awaitOneLeader(List.of(0, 1, 2));
            for (int turn = 0; turn < TURNS; turn++) {
                Thread.sleep(SPACING); // the bench paces its turns; the functional tests never sleep
                three.rotateAnalyst();
                int generation = turn + 2;
                long sent = System.nanoTime();
                if (three.webhook(turn % 3) != 202) {
                    throw new IllegalStateException("the webhook was refused");
                }
                converged.add(allServe(three, generation) - sent);
                System.out.printf("[bench] turn %d: webhook to web.%d, all three serve generation %d after %d ms%n",
                        turn + 1, turn % 3 + 1, generation, converged.get(turn) / 1_000_000);
            }
            threePerHour = requestsPerHour(three, windowSeconds);
            for (int i = 0; i < 3; i++) {
                Bench.keepLog(three.jar(i), "fleet-web." + (i + 1));
            }
        }
        double onePerHour;
        try (JarFleet one = JarFleet.start(1, DatabaseSetup.create(server, "bench_alone"), javaOpts)) {
            onePerHour = requestsPerHour(one, windowSeconds);
        }
        List<Long> sorted = converged.stream().sorted().toList();
        long medianMs = (sorted.get(TURNS / 2 - 1) + sorted.get(TURNS / 2)) / 2 / 1_000_000;
        long maxMs = sorted.get(TURNS - 1) / 1_000_000;
        double ratio = threePerHour / onePerHour;
        return new Bench.Row("14", "many dynos: a webhook to one of three until all serve the new generation ("
                + TURNS + " times, " + SPACING + " ms apart); Platform API requests an hour at a 2 s interval",
                String.format("converged: median %d ms, max %d ms; three instances: %.0f requests an hour", medianMs,
                        maxMs, threePerHour),
                String.format("one instance: %.0f requests an hour", onePerHour), String.format("%.2f", ratio),
                "max <= 1 s; three <= 1.2x one", maxMs <= 1000 && ratio <= 1.2);
    }

    /** Polls every instance's /credentials/ANALYST until all show {@code generation}; returns the nanoTime they did. */
    private long allServe(JarFleet fleet, int generation) throws Exception {
        boolean[] done = new boolean[fleet.size()];
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (int i = 0; i < fleet.size(); i++) {
                done[i] = done[i] || generation(fleet, i) == generation;
                all &= done[i];
            }
            if (all) {
                return System.nanoTime();
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("not every instance served generation " + generation + " within 30 s");
    }

    private int generation(JarFleet fleet, int index) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + fleet.jar(index).port() + "/credentials/ANALYST")).header("Authorization", "Bearer " + fleet.token())
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher matcher = GENERATION.matcher(response.body());
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    /** The Platform API requests the fleet makes in {@code seconds} once it has settled, as a rate an hour. */
    private static double requestsPerHour(JarFleet fleet, int seconds) throws InterruptedException {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < fleet.size(); i++) {
            all.add(i);
        }
        if (fleet.size() > 1) {
            fleet.awaitOneLeader(all);
        }
        int before = fleet.api().requests();
        long started = System.nanoTime();
        Thread.sleep(seconds * 1000L); // a rate over a window: the bench's business, not a functional test's
        int made = fleet.api().requests() - before;
        double perHour = made * 3600e9 / (System.nanoTime() - started);
        System.out.printf("[bench] %d instance(s): %d Platform API requests in %d s: %.0f an hour%n", fleet.size(), made,
                seconds, perHour);
        return perHour;
    }
}
