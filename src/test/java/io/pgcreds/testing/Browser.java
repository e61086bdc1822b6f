package io.pgcreds.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium from Debian's package ({@code .ci/chromium} installs it when it may) driven by
 * playwright-core from npm, pinned, installed into a git-ignored directory under target/. A script
 * under src/test/browser runs in Node and talks to the test one JSON line at a time (see
 * {@link Session}). Where Node, npm or Chromium cannot be had, the test says why and is skipped,
 * except under {@code CI=true}, where that fails it.
 */
public final class Browser {
    public static final String PLAYWRIGHT_CORE_VERSION = "1.65.1";
    private static final Path CACHE = Path.of("target", "browser");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Browser() {
    }

    /** Makes sure Chromium and playwright-core are there; skips (or under CI fails) the test saying why not. */
    public static void require() {
        String missing = unavailable();
        if (missing != null) {
            System.out.println("[browser] " + missing);
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(missing);
            }
            Assumptions.abort(missing);
        }
    }

    /** Installs what is missing and may be installed; null when ready, else why the browser cannot run. */
    public static synchronized String unavailable() {
        try {
            Result chromium = run(List.of("bash", ".ci/chromium"), 900);
            if (chromium.exit() != 0) {
                return "no Chromium: " + chromium.output().strip();
            }
            if (run(List.of("npm", "--version"), 60).exit() != 0) {
                return "npm is not installed; the browser tests need Node and npm";
            }
            if (!installedVersion().equals(PLAYWRIGHT_CORE_VERSION)) {
                Files.createDirectories(CACHE);
                Result install = run(List.of("npm", "install", "--prefix", CACHE.toString(), "--no-audit", "--no-fund",
                        "--loglevel=error", "--no-save", "playwright-core@" + PLAYWRIGHT_CORE_VERSION), 600);
                if (install.exit() != 0) {
                    return "npm install playwright-core@" + PLAYWRIGHT_CORE_VERSION + " failed: " + install.output().strip();
                }
            }
            return null;
        } catch (IOException e) {
            return "could not run " + e.getMessage();
        }
    }

    private static String installedVersion() throws IOException {
        Path manifest = CACHE.resolve("node_modules/playwright-core/package.json");
        if (!Files.exists(manifest)) {
            return "";
        }
        Matcher version = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(manifest));
        return version.find() ? version.group(1) : "";
    }

    /** Starts {@code src/test/browser/<script>} in Node with these environment variables. */
    public static Session start(String script, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("node", Path.of("src", "test", "browser", script).toString())
                .redirectError(CACHE.resolve(script + ".log").toFile());
        builder.environment().putAll(env);
        builder.environment().put("NODE_PATH", CACHE.resolve("node_modules").toAbsolutePath().toString());
        return new Session(builder.start());
    }

    /** A running script: it prints {@code {"step": ...}} and waits for {@link #go()}, and ends with {@code {"result": ...}}. */
    public static final class Session implements AutoCloseable {
        private final Process process;
        private final Writer input;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Session(Process process) {
            this.process = process;
            this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    out.lines().forEach(lines::add);
                } catch (IOException e) {
                    // the process ended
                } finally {
                    lines.add("{\"end\": true}");
                }
            }, "test-browser-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next message the script prints; fails when it reports an error, ends, or says nothing in time. */
        public JsonNode next(Duration timeout) throws IOException, InterruptedException {
            String line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("the browser script said nothing for " + timeout.toSeconds() + " s");
            }
            JsonNode message = JSON.readTree(line);
            if (message.has("error") || message.has("end")) {
                throw new AssertionError("the browser script failed: " + message.path("error").asText("it ended")
                        + " (its log: " + CACHE.resolve("*.log") + ")");
            }
            return message;
        }

        /** Tells the script that the step it asked for is done. */
        public void go() throws IOException {
            input.write("go\n");
            input.flush();
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, command.get(0) + " did not finish within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Result(process.exitValue(), output);
    }
}
