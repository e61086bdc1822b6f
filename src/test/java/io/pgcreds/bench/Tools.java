package io.pgcreds.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The external load generators: wrk for HTTP, pgbench for the database baselines. */
final class Tools {
    private Tools() {
    }

    /** What wrk measured. Failures are non-2xx answers plus socket errors. */
    record WrkResult(double requestsPerSecond, double p50Ms, double p99Ms, long requests, long failures) {
    }

    static WrkResult wrk(String url, String token, int connections, int seconds) {
        return wrk(url, token == null ? List.of() : List.of("Authorization: Bearer " + token), connections, seconds);
    }

    /** wrk with request headers given as {@code Name: value}. */
    static WrkResult wrk(String url, List<String> headers, int connections, int seconds) {
        List<String> command = new ArrayList<>(List.of("wrk", "-t", "2", "-c", String.valueOf(connections),
                "-d", seconds + "s", "--latency", "--timeout", "10s"));
        for (String header : headers) {
            command.addAll(List.of("-H", header));
        }
        command.add(url);
        String output = run(command, Map.of(), seconds + 60);
        long requests = (long) number(output, "(\\d+) requests in");
        long non2xx = output.contains("Non-2xx") ? (long) number(output, "Non-2xx or 3xx responses: (\\d+)") : 0;
        long socketErrors = 0;
        Matcher errors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(output);
        if (errors.find()) {
            for (int group = 1; group <= 4; group++) {
                socketErrors += Long.parseLong(errors.group(group));
            }
        }
        return new WrkResult(number(output, "Requests/sec:\\s+([0-9.]+)"), latency(output, "50%"), latency(output, "99%"),
                requests, non2xx + socketErrors);
    }

    /** pgbench's tps (without the initial connection time) for a script, over TLS as the given role. */
    static double pgbench(Path bin, int port, String user, String password, String database, Path script, int clients,
                          int seconds) {
        String output = run(List.of(bin.resolve("pgbench").toString(), "-n", "-M", "prepared", "-c", String.valueOf(clients),
                        "-j", "2", "-T", String.valueOf(seconds), "-f", script.toString(), "-h", "127.0.0.1",
                        "-p", String.valueOf(port), "-U", user, database),
                Map.of("PGPASSWORD", password, "PGSSLMODE", "require"), seconds + 60);
        return number(output, "tps = ([0-9.]+) \\(without initial connection time\\)");
    }

    private static double latency(String output, String percentile) {
        Matcher matcher = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([0-9.]+)(us|ms|s)").matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + percentile + " latency in wrk's output:\n" + output);
        }
        double value = Double.parseDouble(matcher.group(1));
        return switch (matcher.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static double number(String output, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("'" + regex + "' not found in:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }

    static String run(List<String> command, Map<String, String> env, int timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(env);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command.subList(0, 1)) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
