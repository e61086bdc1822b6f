package io.pgcreds.fleet;

import io.pgcreds.pools.CredentialEntry;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.ManagedPool;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Signal;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The fleet's thread: keeps the {@link FleetSession} open on the default credential's current
 * generation (reconnecting after 1 s, doubling to 30 s, when it ends; moving at once when the
 * credential gets a new generation), waits on it for notices and hands them to the {@link Inbox},
 * and every half poll interval either tries the leader's lock and learns who holds it (a follower)
 * or proves the session alive. On close it says goodbye on the session (see {@link #close}). Waits
 * are for a notice or a signal, with a timeout. Thread-safe.
 */
final class FleetLoop implements AutoCloseable {
    private static final Duration IDLE_CHECK = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** The longest wait for notices without looking whether the loop is closed: a stop waits at most this for the thread. */
    private static final long WAKE_MS = 250;
    /**
     * How long the session stays open after its goodbye: receivers ask pg_stat_activity whether its
     * sender is trusted, and a session that has ended is not. Receivers ask within milliseconds.
     */
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(FleetLoop.class);
    private final Member self;
    private final PoolRegistry registry;
    private final Leadership leadership;
    private final Inbox inbox;
    private final Duration timeout;
    private final Hooks hooks;
    private final Thread thread;
    private final Signal signal = new Signal();
    private volatile boolean closed;
    private volatile FleetSession session;
    private volatile String state = "connecting";

    /**
     * What the loop tells: the server's limits once connected, a session that is up, this instance
     * now leading; and what it asks: whether every config source has loaded once (until then a
     * missing default credential is expected, not a warning).
     */
    record Hooks(Consumer<ServerLimits> limits, Runnable connected, Runnable leading, BooleanSupplier sourcesLoaded) {
    }

    FleetLoop(Member self, PoolRegistry registry, Leadership leadership, Inbox inbox, Duration timeout, Hooks hooks) {
        this.self = self;
        this.registry = registry;
        this.leadership = leadership;
        this.inbox = inbox;
        this.timeout = timeout;
        this.hooks = hooks;
        this.thread = Threads.daemon("pgcreds-fleet").newThread(this::run);
    }

    void start() {
        thread.start();
    }

    /** {@code listening}, {@code connecting} or {@code off}. */
    String state() {
        return state;
    }

    /**
     * The registry changed: if the default credential has a new generation, leave the old one's session
     * now (its wait fails at once) and open one on the new; if there was none, look again now.
     */
    void registryChanged() {
        FleetSession open = session;
        if (open != null && open.pool() != listenable()) {
            open.abort();
        }
        signal.raise();
    }

    /** The default credential's current pool if a fleet session may be opened on it: it has one and it is direct. */
    private ManagedPool listenable() {
        CredentialEntry entry = registry.defaultEntry(registry.snapshot());
        return entry == null || !entry.hasPool() || entry.pool().pooled() ? null : entry.pool();
    }

    private void run() {
        long backoffMs = 1000;
        String previous = null;
        while (!closed) {
            ManagedPool pool = listenable();
            if (pool == null) {
                state = "off";
                previous = logOff(previous);
                signal.await(IDLE_CHECK);
                continue;
            }
            boolean retry = false;
            try (FleetSession opened = FleetSession.open(pool, self.id(), self.app(), timeout)) {
                session = opened;
                if (closed) {
                    break; // close() may have looked before the session was there
                }
                ServerLimits limits = opened.limits();
                leadership.connected();
                state = "listening";
                previous = "listening";
                backoffMs = 1000;
                log.info(Logfmt.line("event", "fleet_session", "state", "listening", "credential", pool.name(),
                        "generation", pool.generation(), "server", limits.server(), "id", self.id()));
                hooks.limits().accept(limits);
                hooks.connected().run();
                listen(opened);
            } catch (SQLException | RuntimeException e) {
                retry = !closed && pool == listenable(); // else it left a replaced generation on purpose
                if (retry && !"connecting".equals(previous)) { // once, not at every retry while it is down
                    state = "connecting";
                    previous = "connecting";
                    log.warn(Logfmt.line("event", "fleet_session", "state", "connecting",
                            "error_class", ErrorClass.classify(e).wireName(),
                            "sqlstate", e instanceof SQLException sql ? sql.getSQLState() : null,
                            "retry_in_ms", backoffMs, "effect", "this instance polls alone until it reconnects"));
                }
            } finally {
                session = null;
                leadership.disconnected();
            }
            if (retry) {
                signal.await(Duration.ofMillis(backoffMs));
                backoffMs = Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
            }
        }
    }

    /**
     * No session to open: INFO while the sources have not all loaded once (the Platform API's first
     * answer may bring the default credential), a WARN once they have and it is still missing.
     * Returns the state logged: {@code off-waiting} or {@code off}.
     */
    private String logOff(String previous) {
        String now = hooks.sourcesLoaded().getAsBoolean() ? "off" : "off-waiting";
        if (!now.equals(previous)) {
            String line = Logfmt.line("event", "fleet_session", "state", "off", "reason", "off".equals(now)
                    ? "the default credential (PGCREDS_DEFAULT_CREDENTIAL) is missing, unusable or goes through a pooler"
                    : "no config source has given the default credential yet", "effect",
                    "this instance polls alone and hears no peer" + ("off".equals(now) ? "" : " until it is there"));
            if ("off".equals(now)) {
                log.warn(line);
            } else {
                log.info(line);
            }
        }
        return now;
    }

    private void listen(FleetSession opened) throws SQLException {
        long checkPeriodNanos = Math.max(250_000_000L,
                (leadership.electing() ? leadership.interval().dividedBy(2) : IDLE_CHECK).toNanos());
        long nextCheck = System.nanoTime();
        while (!closed && opened.pool() == listenable()) {
            if (System.nanoTime() - nextCheck >= 0) {
                check(opened);
                nextCheck = System.nanoTime() + checkPeriodNanos;
            }
            long waitMs = Math.min(WAKE_MS, (nextCheck - System.nanoTime()) / 1_000_000);
            if (inbox.handle(opened.await(waitMs), opened)) {
                nextCheck = System.nanoTime(); // the leader stopped: its lock is free now
            }
        }
        if (closed) {
            leave(opened);
        }
    }

    /** Goodbye on the session itself (its lock released first), which then stays open for {@link #LINGER}. */
    private void leave(FleetSession opened) throws SQLException {
        opened.leave(NoticeCodec.encode(new Notice.Bye(self)));
        long until = System.nanoTime() + LINGER.toNanos();
        while (System.nanoTime() - until < 0) {
            opened.await(Math.max(1, (until - System.nanoTime()) / 1_000_000)); // notices now are for the others
        }
    }

    /** A follower tries the lock and learns who holds it; the leader, or an instance with nothing to lead, proves the session alive. */
    private void check(FleetSession opened) throws SQLException {
        if (!leadership.electing() || leadership.leading()) {
            opened.ping();
            return;
        }
        FleetSession.LockCheck lock = opened.tryLock();
        if (lock.mine()) {
            leadership.lead();
            log.info(Logfmt.line("event", "fleet_leader", "id", self.id(), "polling", "leader"));
            hooks.leading().run();
        } else {
            leadership.holderSeen(lock.holder());
        }
    }

    /**
     * Ends the loop: a listening session says goodbye and closes (the server releases the lock) within
     * about {@link #LINGER}; a session that does not get there within the timeout's bound is aborted.
     */
    @Override
    public void close() {
        closed = true;
        signal.raise();
        try {
            thread.join(LINGER.toMillis() + Math.min(timeout.toMillis(), 2000));
            FleetSession open = session;
            if (open != null) {
                open.abort(); // a round trip hangs: the database does not answer
            }
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
