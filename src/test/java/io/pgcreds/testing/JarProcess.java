package io.pgcreds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The packaged jar as a process of its own, started the way the Procfile starts it, with only the env given. */
public final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final int port;
    private final long startedNanos;

    private JarProcess(Process process, Path output, int port, long startedNanos) {
        this.process = process;
        this.output = output;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the Procfile's web command ({@code java ... $JAVA_OPTS -jar target/pgcreds.jar}, with
     * {@code $JAVA_OPTS} as {@code jvmArgs} and paths made absolute), then {@code args}, with PORT and
     * PATH added to the env: what Heroku runs is what the tests run.
     */
    public static JarProcess start(Map<String, String> env, List<String> jvmArgs, List<String> args, Path workDir) {
        int port = env.containsKey("PORT") ? Integer.parseInt(env.get("PORT")) : freePort();
        try {
            Path output = Files.createTempFile("pgcreds-jar-", ".log");
            List<String> command = new java.util.ArrayList<>();
            for (String word : procfileWebCommand()) {
                if (word.equals("$JAVA_OPTS")) {
                    command.addAll(jvmArgs);
                } else if (word.equals("java")) {
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                } else {
                    command.add(word.replace("target/", Path.of("target").toAbsolutePath() + "/"));
                }
            }
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).directory(workDir.toFile());
            builder.environment().clear();
            builder.environment().put("PATH", System.getenv("PATH"));
            builder.environment().put("PORT", String.valueOf(port));
            builder.environment().putAll(env);
            long started = System.nanoTime();
            return new JarProcess(builder.start(), output, port, started);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The words of the Procfile's {@code web:} line. */
    public static List<String> procfileWebCommand() {
        try {
            for (String line : Files.readAllLines(Path.of("Procfile"), StandardCharsets.UTF_8)) {
                if (line.startsWith("web:")) {
                    return List.of(line.substring(4).trim().split("\\s+"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("the Procfile has no web: line");
    }

    public static JarProcess start(Map<String, String> env) {
        return start(env, List.of(), List.of(), Path.of("."));
    }

    public int port() {
        return port;
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /**
     * Waits until the service listens on its port; returns ms since the process started, to the
     * connection it accepted. A connection counts once the same socket answers HTTP: the jar's own
     * check that the port is free listens for an instant too, and a connection to that is no answer.
     * The service serves that one {@code GET /health/live}.
     */
    public long awaitPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the jar exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
                long connectedMs = (System.nanoTime() - startedNanos) / 1_000_000;
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] status = socket.getInputStream().readNBytes(5);
                if (new String(status, StandardCharsets.US_ASCII).equals("HTTP/")) {
                    return connectedMs;
                }
            } catch (IOException e) {
                java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // a 5 ms step: bench/run times this
            }
        }
        throw new AssertionError("the jar did not bind port " + port + " within " + timeout + ":\n" + output());
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends SIGTERM (what Heroku sends) and waits for the exit; returns the exit code. */
    public int terminate(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the jar did not exit within " + timeout + " of SIGTERM:\n" + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        LogCapture.append(output()); // for the scan of the whole suite's logs at the end
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            // a temporary file
        }
    }
}
