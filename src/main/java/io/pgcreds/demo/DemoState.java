package io.pgcreds.demo;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.function.Function;

/**
 * What a running demo needs to be controlled from another process: its servers (ports and
 * superuser passwords), which one is active, the roles' passwords and the service's port. Kept in
 * {@code .demo/state.properties}, readable by its owner only, removed when the demo stops.
 */
final class DemoState {
    static final String FILE = "state.properties";
    private static final String LOCK = "state.lock";
    private final Path file;
    private final Properties values;

    private DemoState(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    static DemoState create(Path dir) {
        return new DemoState(dir.resolve(FILE), new Properties());
    }

    static DemoState load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            throw new IllegalStateException("no demo is running here (" + file + " is missing);"
                    + " start one with: java -jar target/pgcreds.jar");
        }
        Properties values = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            values.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DemoState(file, values);
    }

    /**
     * Runs {@code command} on the state as the file holds it now, holding a lock on {@code .demo/state.lock}
     * that the same command from another process (a second terminal) takes too, so that two commands
     * never interleave and none works from a stale copy. The command saves what it changes.
     */
    static <T> T update(Path dir, Function<DemoState, T> command) {
        synchronized (DemoState.class) { // a file lock is per process: threads of this one queue here first
            try (FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    return command.apply(load(dir));
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    String get(String key) {
        String value = values.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("the demo state lacks " + key + "; restart the demo");
        }
        return value;
    }

    int getInt(String key) {
        return Integer.parseInt(get(key));
    }

    DemoState set(String key, Object value) {
        values.setProperty(key, String.valueOf(value));
        return this;
    }

    synchronized void save() {
        try {
            Path temporary = file.resolveSibling(FILE + ".tmp");
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                values.store(writer, "pgcreds demo: removed when the demo stops");
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
