package io.pgcreds.pools;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.util.Threads;
import org.postgresql.ds.PGSimpleDataSource;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a credential's pool from its spec (see {@link DataSources}), never blocking on the
 * database: HikariCP connects in the background, and only for borrowers. Thread-safe; all pools
 * share one housekeeping thread so that a hundred credentials do not cost a hundred idle threads.
 */
public final class PoolFactory implements AutoCloseable {
    private final Settings settings;
    private final MetricsTrackerFactory metrics;
    private final ScheduledThreadPoolExecutor housekeeping;
    private final Set<ManagedPool> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger created = new AtomicInteger();
    private final ConnectGate gate = ConnectGate.forThisMachine();

    /** @param metrics HikariCP's metrics tracker factory: every pool reports through it */
    public PoolFactory(Settings settings, MetricsTrackerFactory metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.housekeeping = new ScheduledThreadPoolExecutor(1, Threads.daemon("pgcreds-pool-housekeeper"));
        this.housekeeping.setRemoveOnCancelPolicy(true);
    }

    /** A new pool, generation {@code generation} of the credential, telling {@code events} what it meets. */
    public ManagedPool open(CredentialSpec spec, int maxSize, int generation, PoolEvents events) {
        long connectionTimeoutMs = settings.connectionTimeout().toMillis();
        HikariConfig config = new HikariConfig();
        config.setPoolName(spec.name() + "#" + generation);
        ConnectGate.Source pooledSource = gate.wrap(DataSources.of(spec, settings), connectionTimeoutMs);
        config.setDataSource(pooledSource);
        config.setMaximumPoolSize(maxSize);
        // HikariCP connects only for a borrower: while a database is down or refuses the password,
        // nothing but the (backed-off) probes knocks on it, and a probe that succeeds warms the pool
        config.setMinimumIdle(0);
        config.setConnectionTimeout(connectionTimeoutMs);
        config.setValidationTimeout(Math.max(250, Math.min(3000, connectionTimeoutMs / 2)));
        config.setInitializationFailTimeout(-1); // start-up never waits on a database
        config.setKeepaliveTime(120_000);
        config.setIdleTimeout(600_000);
        config.setMaxLifetime(1_800_000);
        config.setScheduledExecutor(housekeeping);
        config.setThreadFactory(Threads.daemon("pgcreds-pool-" + spec.name()));
        config.setMetricsTrackerFactory(metrics);
        HikariDataSource pool = new HikariDataSource(config);

        PGSimpleDataSource directSource = DataSources.of(spec, settings);
        directSource.setLoginTimeout(DataSources.seconds(settings.healthTimeout().toMillis()));
        ConnectGate.Source direct = gate.wrap(directSource, connectionTimeoutMs);
        ManagedPool managed = new ManagedPool(spec, generation, maxSize, pool, pooledSource, direct, events, open::remove);
        open.add(managed);
        created.incrementAndGet();
        return managed;
    }

    /** Pools made and not yet closed: after any sequence of reloads, as many as there are credentials with a pool. */
    public int openPools() {
        return open.size();
    }

    /** Pools made since start, for tests that count what a reload built. */
    public int poolsCreated() {
        return created.get();
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
    }
}
