package io.pgcreds.pools;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.pgcreds.util.Threads;
import io.pgcreds.config.Settings;
import io.pgcreds.discovery.CredentialSpec;
import io.pgcreds.discovery.SslMode;
import org.postgresql.ds.PGSimpleDataSource;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Builds a credential's pool from its spec: SSL always on at the spec's mode, never blocking on
 * the database (connections are made in the background). Thread-safe; all pools share one
 * housekeeping thread so that a hundred credentials do not cost a hundred idle threads.
 */
public final class PoolFactory implements AutoCloseable {
    private static final String DEFAULT_APPLICATION_NAME = "pgcreds";
    private final Settings settings;
    private final ScheduledThreadPoolExecutor housekeeping;
    private final Set<ManagedPool> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger created = new AtomicInteger();
    private final ConnectGate gate = ConnectGate.forThisMachine();
    private volatile Consumer<ManagedPool> onAuthFailure = pool -> { };
    private volatile Consumer<ManagedPool> onFailure = pool -> { };

    private final Supplier<MetricsTrackerFactory> metrics;

    /** @param metrics HikariCP's metrics tracker factory, asked for when the first pool is made */
    public PoolFactory(Settings settings, Supplier<MetricsTrackerFactory> metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.housekeeping = new ScheduledThreadPoolExecutor(1, Threads.daemon("pgcreds-pool-housekeeper"));
        this.housekeeping.setRemoveOnCancelPolicy(true);
    }

    public ManagedPool open(CredentialSpec spec, int maxSize, int generation) {
        long connectionTimeoutMs = settings.connectionTimeout().toMillis();
        HikariConfig config = new HikariConfig();
        config.setPoolName(spec.name() + "#" + generation);
        ConnectGate.Source pooledSource = gate.wrap(dataSource(spec), connectionTimeoutMs);
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
        config.setMetricsTrackerFactory(metrics.get());
        HikariDataSource pool = new HikariDataSource(config);

        PGSimpleDataSource directSource = dataSource(spec);
        directSource.setLoginTimeout(seconds(settings.healthTimeout().toMillis()));
        ConnectGate.Source direct = gate.wrap(directSource, connectionTimeoutMs);
        ManagedPool managed = new ManagedPool(spec, generation, maxSize, pool, pooledSource, direct,
                new PoolEvents(failed -> onFailure.accept(failed), failed -> onAuthFailure.accept(failed), open::remove));
        open.add(managed);
        created.incrementAndGet();
        return managed;
    }

    /** Called (on the failing thread) whenever a pool records a failure. */
    public void onFailure(Consumer<ManagedPool> listener) {
        this.onFailure = listener;
    }

    /** Called (on the failing thread) whenever a pool meets SQLSTATE 28P01 or 28000. */
    public void onAuthFailure(Consumer<ManagedPool> listener) {
        this.onAuthFailure = listener;
    }

    /** Pools made and not yet closed: after any sequence of reloads, as many as there are credentials with a pool. */
    public int openPools() {
        return open.size();
    }

    /** Pools made since start, for tests that count what a reload built. */
    public int poolsCreated() {
        return created.get();
    }

    private PGSimpleDataSource dataSource(CredentialSpec spec) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {hostForDriver(spec.host())});
        source.setPortNumbers(new int[] {spec.port()});
        source.setDatabaseName(spec.database());
        source.setUser(spec.user());
        source.setPassword(spec.password().reveal());
        source.setSslMode(spec.tls().mode().wireName());
        if (spec.tls().rootCert() != null) {
            source.setSslRootCert(spec.tls().rootCert());
        }
        if (spec.tls().mode() == SslMode.VERIFY_FULL) {
            source.setSslfactory(VerifyFullSocketFactory.class.getName()); // the host name checked in the handshake
        }
        if (spec.password().isEmpty()) {
            // the server's demand for a password is then an auth failure (28000), not pgjdbc's 08004
            source.setAuthenticationPluginClassName(MissingPassword.class.getName());
        }
        if (spec.tls().clientCert() != null) {
            source.setSslCert(spec.tls().clientCert());
        }
        if (spec.tls().clientKey() != null) {
            source.setSslKey(spec.tls().clientKey());
        }
        source.setGssEncMode("disable");
        if (spec.pooled()) {
            source.setPrepareThreshold(0); // PgBouncer in transaction mode breaks server-side prepared statements
        }
        source.setApplicationName(spec.applicationName() != null ? spec.applicationName() : DEFAULT_APPLICATION_NAME);
        long connectionTimeoutMs = settings.connectionTimeout().toMillis();
        source.setConnectTimeout(spec.connectTimeout() > 0 ? spec.connectTimeout() : seconds(connectionTimeoutMs));
        source.setSslResponseTimeout((int) Math.min(Integer.MAX_VALUE, connectionTimeoutMs));
        // a hard bound on any read, so a server that stops answering mid-query cannot hold a thread for ever
        source.setSocketTimeout(seconds(settings.statementTimeout().toMillis()) + 10);
        source.setTcpKeepAlive(true);
        return source;
    }

    /**
     * IPv6 literals in the expanded form the JDK gives certificate IP entries ({@code 0:0:0:0:0:0:0:1}),
     * because pgjdbc's verify-full compares them as strings and {@code ::1} would never match.
     */
    static String hostForDriver(String host) {
        if (!host.contains(":")) {
            return host;
        }
        try {
            return InetAddress.getByName(host).getHostAddress(); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return host;
        }
    }

    private static int seconds(long millis) {
        return (int) Math.max(1, (millis + 999) / 1000);
    }

    public ScheduledExecutorService housekeeping() {
        return housekeeping;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
    }
}
