package io.pgcreds.config;

import io.pgcreds.Logfmt;
import io.pgcreds.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code PGCREDS_ENV_FILE}: a dotenv file overlaying the environment, watched so that a change is
 * applied within a second. The directory is watched (an atomic rename over the file, as editors
 * and secret agents write, replaces the file itself), and the file's attributes are also checked
 * every {@value #POLL_MS} ms in case an event is missed. A file that cannot be read at all (missing,
 * not UTF-8 text) is reported and the last good vars stay in use; a line that cannot be read
 * ({@link EnvFile}) is reported and skipped while every other line is used. Thread-safe.
 */
public final class EnvFileSource implements ConfigSource {
    static final long POLL_MS = 250;
    /** A file whose size, time and identity have not moved for this long is taken as written. */
    private static final long QUIET_MS = 5;
    /** A writer still busy after this long is read anyway; its next write is another event. */
    private static final long SETTLE_MAX_MS = 200;
    private static final long MAX_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(EnvFileSource.class);
    private final Path file;
    private volatile Map<String, String> snapshot = Map.of();
    private volatile List<EnvFile.SkippedLine> skippedLines = List.of();
    private volatile boolean loaded;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile Instant lastLoadedAt;
    private volatile Instant lastChangedAt;
    private volatile int failures;
    private volatile String lastSignature;
    private volatile boolean closed;
    private Thread watcher;

    public EnvFileSource(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public Map<String, String> snapshot() {
        return snapshot;
    }

    @Override
    public boolean loaded() {
        return loaded;
    }

    @Override
    public boolean refresh() {
        return refresh(() -> { });
    }

    /** Reads the source now; when the vars changed, runs {@code onChange} before the change is announced. */
    private synchronized boolean refresh(Runnable onChange) {
        lastSignature = signature();
        try {
            byte[] bytes = read();
            EnvFile.Parsed parsed = EnvFile.parse(decode(bytes));
            Map<String, String> vars = parsed.vars();
            boolean changed = !vars.equals(snapshot) || !loaded;
            snapshot = Map.copyOf(vars);
            reportSkipped(parsed.skipped());
            loaded = true;
            lastLoadedAt = Instant.now();
            if (changed) {
                onChange.run();
                lastChangedAt = lastLoadedAt;
            }
            if (lastError != null) {
                log.info(Logfmt.line("event", "source_recovered", "source", "env-file", "path", file));
            } else if (changed && lastChangedAt != null && loaded) {
                log.info(Logfmt.line("event", "source_changed", "source", "env-file", "path", file,
                        "variables", vars.size()));
            }
            lastError = null;
            failures = 0;
            return changed;
        } catch (EnvFileException | IOException e) {
            String problem = e instanceof EnvFileException ? e.getMessage() : describe((IOException) e);
            failures++;
            if (!problem.equals(lastError)) {
                log.warn(Logfmt.line("event", "source_unusable", "source", "env-file", "path", file, "error", problem,
                        "keeping", loaded ? "last good vars" : "the environment only"));
            }
            lastError = problem;
            lastErrorAt = Instant.now();
            return false;
        }
    }

    /** One WARN line per line that could not be read, when they differ from the last read's. */
    private void reportSkipped(List<EnvFile.SkippedLine> skipped) {
        if (!skipped.equals(skippedLines)) {
            for (EnvFile.SkippedLine line : skipped) {
                log.warn(Logfmt.line("event", "env_line_skipped", "source", "env-file", "path", file,
                        "line", line.line(), "var", line.name(), "problem", line.problem()));
            }
        }
        skippedLines = skipped;
    }

    private byte[] read() throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new EnvFileException("the file is " + size + " bytes; more than " + MAX_BYTES + " is not an env file");
        }
        return Files.readAllBytes(file);
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EnvFileException("the file is not UTF-8 text");
        }
    }

    private String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "the file does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return "the file cannot be read: permission denied";
        }
        return "the file cannot be read: " + e.getClass().getSimpleName();
    }

    /**
     * Waits until the file has stopped changing: its attributes the same over {@value #QUIET_MS} ms,
     * at most {@value #SETTLE_MAX_MS} ms. An atomic rename (how editors, agents and our tests write)
     * is quiet at once; a writer appending in several writes is not read half-way.
     */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MAX_MS * 1_000_000;
        String seen = signature();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < QUIET_MS * 1_000_000 && System.nanoTime() < deadline) {
            Thread.sleep(1);
            String now = signature();
            if (!now.equals(seen)) {
                seen = now;
                quietSince = System.nanoTime();
            }
        }
    }

    /** Size, modification time and identity: what changes when the file is written or replaced. */
    private String signature() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.size() + "/" + attributes.lastModifiedTime().toMillis() + "/"
                    + attributes.lastModifiedTime().toInstant().getNano() + "/" + attributes.fileKey();
        } catch (IOException e) {
            return "missing";
        }
    }

    @Override
    public synchronized void start(Runnable onChange) {
        watcher = Threads.daemon("pgcreds-env-file-watch").newThread(() -> watch(onChange));
        watcher.start();
    }

    private void watch(Runnable onChange) {
        WatchService service = null;
        try {
            watchLoop(onChange, service = newWatchService());
        } finally {
            if (service != null) {
                try {
                    service.close();
                } catch (IOException e) {
                    // closing a watch service we no longer need
                }
            }
        }
    }

    private WatchService newWatchService() {
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            file.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            log.warn(Logfmt.line("event", "source_not_watched", "source", "env-file", "path", file,
                    "error", e.getClass().getSimpleName(), "polling_ms", POLL_MS));
        }
        return service;
    }

    private void watchLoop(Runnable onChange, WatchService service) {
        while (!closed) {
            try {
                boolean touched = false;
                if (service != null) {
                    WatchKey key = service.poll(POLL_MS, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        for (WatchEvent<?> event : key.pollEvents()) {
                            Object context = event.context();
                            touched |= event.kind() == StandardWatchEventKinds.OVERFLOW
                                    || (context instanceof Path path && path.equals(file.getFileName()));
                        }
                        key.reset();
                    }
                } else {
                    Thread.sleep(POLL_MS);
                }
                if (touched || !Objects.equals(signature(), lastSignature)) {
                    awaitQuiet(); // let a writer finish its burst of writes
                    refresh(onChange);
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                log.warn(Logfmt.line("event", "source_watch_error", "source", "env-file", "error",
                        e.getClass().getSimpleName()));
            }
        }
    }

    @Override
    public SourceStatus status() {
        String state = lastError == null ? (loaded ? "ok" : "waiting") : "error";
        return new SourceStatus("env-file", file.toString(), state, lastLoadedAt, lastChangedAt, lastError, lastErrorAt,
                failures, null, snapshot.size(), skippedLines);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
