package io.pgcreds.fleet;

import io.pgcreds.pools.Leases;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends notices on channel {@code pgcreds}, one at a time and in order, each with
 * {@code pg_notify} on a connection of the default credential's pool (the fleet session stays free
 * to wait for notices). A failure (the database is down) costs that notice and one WARN line a
 * minute at most; peers catch up from the next heartbeat or view. Thread-safe.
 */
final class Announcer implements AutoCloseable {
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(Announcer.class);
    private final Leases leases;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(), Threads.daemon("pgcreds-fleet-send"));
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS; // the sender thread's

    Announcer(Leases leases) {
        this.leases = leases;
        sender.prestartCoreThread(); // its one thread from the start, not at the first notice
    }

    /** Sends {@code notice} soon, after every notice handed over before it. */
    void send(Notice notice) {
        send(List.of(NoticeCodec.encode(notice)));
    }

    /** Sends payloads (e.g. the parts of one view) soon, in order, after every notice handed over before them. */
    void send(List<String> payloads) {
        Threads.unlessShutDown(() -> sender.execute(() -> payloads.forEach(this::deliver)));
    }

    private void deliver(String payload) {
        try {
            leases.withLease(null, lease -> {
                try (Connection connection = lease.connection();
                     PreparedStatement notify = connection.prepareStatement("SELECT pg_catalog.pg_notify(?, ?)")) {
                    notify.setString(1, FleetSession.CHANNEL);
                    notify.setString(2, payload);
                    notify.execute();
                    return null;
                } catch (SQLException e) {
                    throw lease.failure(e);
                }
            });
            sent.incrementAndGet();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            if (System.nanoTime() - lastWarnNanos >= WARN_EVERY_NANOS) {
                lastWarnNanos = System.nanoTime();
                log.warn(Logfmt.line("event", "fleet_notice_unsent", "error", e.getMessage(),
                        "effect", "peers catch up from the next heartbeat or view"));
            }
        }
    }

    /** Notices sent so far. */
    long sent() {
        return sent.get();
    }

    /** Notices that could not be sent. */
    long failed() {
        return failed.get();
    }

    /** Sends what was handed over, waiting at most {@code timeout} (e.g. a last notice before stopping), then stops. */
    void close(Duration timeout) {
        sender.shutdown();
        try {
            sender.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sender.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }
}
