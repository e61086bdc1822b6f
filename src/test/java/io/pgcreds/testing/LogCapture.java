package io.pgcreds.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything the services log in this JVM, plus the output of every jar the tests ran. In tests,
 * slf4j-simple writes to the file named by {@code pgcreds.test.log} (the pom sets both properties),
 * so nothing depends on what the test runner does with System.out. Thread-safe.
 */
public final class LogCapture {
    private static final StringBuilder otherProcesses = new StringBuilder();

    static {
        // slf4j-simple opens (and truncates) its file when its first logger is made: before that, the
        // file may still hold a previous run's lines, and an offset taken then would point past the
        // end of this run's log (a test then read an empty log when target/ was not cleaned)
        org.slf4j.LoggerFactory.getLogger(LogCapture.class);
    }

    private LogCapture() {
    }

    /** Kept for callers that set things up first; the file needs no installing. */
    public static void install() {
        if (file() == null) {
            throw new IllegalStateException("pgcreds.test.log is not set: run the tests through Maven");
        }
    }

    private static Path file() {
        String name = System.getProperty("pgcreds.test.log");
        return name == null ? null : Path.of(name);
    }

    /** The services' log in this JVM so far. */
    public static String serviceLog() {
        Path file = file();
        try {
            return file == null || !Files.exists(file) ? "" : Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds the output of another process (a jar the tests ran) for the scan of the whole suite. */
    public static void append(String output) {
        synchronized (otherProcesses) {
            otherProcesses.append(output).append('\n');
        }
    }

    /** The services' log and every other process's output. */
    public static String text() {
        synchronized (otherProcesses) {
            return serviceLog() + otherProcesses;
        }
    }

    /** The services' log written since {@code offset} (a length of {@link #serviceLog()} taken earlier). */
    public static String since(int offset) {
        String all = serviceLog();
        return offset >= all.length() ? "" : all.substring(offset);
    }
}
