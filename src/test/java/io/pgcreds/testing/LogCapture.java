package io.pgcreds.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps a copy of everything written to System.out and System.err by this JVM from the moment it
 * is installed; the service logs through slf4j-simple to System.out, so its whole log is here.
 * Thread-safe.
 */
public final class LogCapture {
    private static final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private static boolean installed;

    private LogCapture() {
    }

    public static synchronized void install() {
        if (installed) {
            return;
        }
        System.setOut(new PrintStream(new Tee(System.out), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(System.err), true, StandardCharsets.UTF_8));
        installed = true;
    }

    /** Adds the output of another process (a jar the tests ran) to the captured log, without printing it. */
    public static void append(String output) {
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        synchronized (copy) {
            copy.write(bytes, 0, bytes.length);
        }
    }

    public static String text() {
        synchronized (copy) {
            return copy.toString(StandardCharsets.UTF_8);
        }
    }

    /** The log written since {@code offset} (a length of {@link #text()} taken earlier). */
    public static String since(int offset) {
        String all = text();
        return offset >= all.length() ? "" : all.substring(offset);
    }

    private static final class Tee extends OutputStream {
        private final OutputStream original;

        Tee(OutputStream original) {
            this.original = original;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                original.write(b);
            } catch (java.io.IOException e) {
                // the copy is what matters here
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            synchronized (copy) {
                copy.write(bytes, offset, length);
            }
            try {
                original.write(bytes, offset, length);
            } catch (java.io.IOException e) {
                // the copy is what matters here
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            original.flush();
        }
    }
}
