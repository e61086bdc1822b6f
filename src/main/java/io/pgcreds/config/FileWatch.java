package io.pgcreds.config;

import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Watches one file on a daemon thread and reports each change once the file is quiet. The directory
 * is watched (an atomic rename over the file, as editors and secret agents write, replaces the file
 * itself), and the file's size, time and identity are compared every {@value #POLL_MS} ms with what
 * was last read, in case an event is missed or no watch service is available. Thread-safe.
 */
final class FileWatch implements AutoCloseable {
    static final long POLL_MS = 250;
    /** A file whose size, time and identity have not moved for this long, with no event, is taken as written. */
    private static final long QUIET_MS = 5;
    /** A writer still busy after this long is read anyway; its next write is another event. */
    private static final long SETTLE_MAX_MS = 200;
    private static final Logger log = LoggerFactory.getLogger(FileWatch.class);
    private final Path file;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile String lastRead = "";
    private Thread watcher;

    FileWatch(Path file) {
        this.file = file;
    }

    /** Notes that the file is being read now: a later difference from this is a change. */
    void reading() {
        lastRead = signature();
    }

    /** Starts the watch thread; {@code changed} runs on it after every change, once the file is quiet. */
    synchronized void start(Runnable changed) {
        watcher = Threads.daemon("pgcreds-env-file-watch").newThread(() -> watch(changed));
        watcher.start();
    }

    private void watch(Runnable changed) {
        try (WatchService service = newWatchService()) {
            while (closed.getCount() > 0) {
                try {
                    boolean touched = awaitTouch(service, POLL_MS);
                    if (touched || !Objects.equals(signature(), lastRead)) {
                        awaitQuiet(service); // let a writer finish its burst of writes
                        changed.run();
                    }
                } catch (RuntimeException e) {
                    log.warn(Logfmt.line("event", "source_watch_error", "source", "env-file", "error",
                            e.getClass().getSimpleName()));
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException | IOException e) {
            // closed
        }
    }

    private WatchService newWatchService() {
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            file.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            return service;
        } catch (IOException | RuntimeException e) {
            log.warn(Logfmt.line("event", "source_not_watched", "source", "env-file", "path", file,
                    "error", e.getClass().getSimpleName(), "polling_ms", POLL_MS));
            return null;
        }
    }

    /**
     * Waits at most {@code timeoutMs} for an event; true when one was about the file (or events were
     * lost). Without a watch service it only waits, for the close signal.
     */
    private boolean awaitTouch(WatchService service, long timeoutMs) throws InterruptedException {
        if (service == null) {
            if (closed.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new InterruptedException("closed");
            }
            return false;
        }
        WatchKey key = service.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (key == null) {
            return false;
        }
        boolean touched = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            Object context = event.context();
            touched |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || (context instanceof Path path && path.equals(file.getFileName()));
        }
        key.reset();
        return touched;
    }

    /**
     * Waits until the file has stopped changing: no event about it and the same attributes over
     * {@value #QUIET_MS} ms, at most {@value #SETTLE_MAX_MS} ms. An atomic rename (how editors,
     * agents and our tests write) is quiet at once; a writer appending in several writes is not read
     * half-way.
     */
    private void awaitQuiet(WatchService service) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_MAX_MS * 1_000_000;
        String seen = signature();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long quietForMs = (System.nanoTime() - quietSince) / 1_000_000;
            if (quietForMs >= QUIET_MS) {
                return;
            }
            boolean touched = awaitTouch(service, QUIET_MS - quietForMs);
            String now = signature();
            if (touched || !now.equals(seen)) {
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
    public synchronized void close() {
        closed.countDown();
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
