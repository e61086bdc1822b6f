package io.pgcreds.pools;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.pgcreds.discovery.Pooler;
import io.pgcreds.util.Logfmt;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether one pool generation goes through a transaction-mode pooler, as its spec said or as the
 * server's errors taught it, and the switch to unnamed statements once it knows. Through such a
 * pooler each transaction may run on another server session, so a statement pgjdbc prepared by name
 * (after {@code prepareThreshold} uses, 5 by default) is missing there (26000) or clashes with
 * another client's of the same name (42P05). On the first such error the pool's data sources open
 * every new session with {@code prepareThreshold=0}, and its open sessions, whose statement caches
 * may hold named statements, are retired (HikariCP's soft eviction: closed once given back; a borrow
 * that still meets one closes it and takes another). Thread-safe.
 */
final class PoolerSwitch {
    private static final Logger log = LoggerFactory.getLogger(PoolerSwitch.class);
    private static final String MISSING = "26000";
    private static final String DUPLICATE = "42P05";
    private final String credential;
    private final int generation;
    private final AtomicReference<Pooler> pooler;
    private final List<ConnectGate.Source> sources;

    PoolerSwitch(String credential, int generation, Pooler fromSpec, ConnectGate.Source... sources) {
        this.credential = credential;
        this.generation = generation;
        this.pooler = new AtomicReference<>(fromSpec);
        this.sources = List.of(sources);
    }

    /** The pooler this pool goes through, or null while it is taken as direct. */
    Pooler pooler() {
        return pooler.get();
    }

    /**
     * True when {@code failure} (anywhere in its cause and next-exception chains) is SQLSTATE 26000 or
     * 42P05: the work that met it changed nothing and may run once more. The first time, switches
     * the pool to unnamed statements (see the class comment) and logs it once.
     */
    boolean learn(SQLException failure, HikariDataSource pool) {
        Pooler.LearntFrom learntFrom = learntFrom(failure);
        if (learntFrom == null) {
            return false;
        }
        if (pooler.compareAndSet(null, Pooler.transaction(learntFrom))) {
            sources.forEach(ConnectGate.Source::useUnnamedStatements);
            HikariPoolMXBean bean = pool.isClosed() ? null : pool.getHikariPoolMXBean();
            if (bean != null) {
                bean.softEvictConnections();
            }
            log.warn(Logfmt.line("event", "pooler_learnt", "credential", credential, "generation", generation, "mode", Pooler.TRANSACTION,
                    "learnt_from", learntFrom.wireName(), "effect", "unnamed statements only from now on;"
                            + " open sessions are replaced and the request that met it runs once more"));
        }
        return true;
    }

    /**
     * True when {@code connection} may serve: always on a direct pool; through a pooler, only a
     * session that never prepares statements by name (opened, or switched, with prepareThreshold=0).
     */
    boolean mayServe(Connection connection) throws SQLException {
        return pooler.get() == null || connection.unwrap(PGConnection.class).getPrepareThreshold() == 0;
    }

    static Pooler.LearntFrom learntFrom(SQLException failure) {
        List<Throwable> seen = new ArrayList<>();
        List<Throwable> pending = new ArrayList<>(List.of(failure));
        while (!pending.isEmpty() && seen.size() < 20) {
            Throwable link = pending.remove(0);
            if (link == null || seen.contains(link)) {
                continue;
            }
            seen.add(link);
            if (link instanceof SQLException sql) {
                if (MISSING.equals(sql.getSQLState())) {
                    return Pooler.LearntFrom.SQLSTATE_26000;
                }
                if (DUPLICATE.equals(sql.getSQLState())) {
                    return Pooler.LearntFrom.SQLSTATE_42P05;
                }
                pending.add(sql.getNextException());
            }
            pending.add(link.getCause());
        }
        return null;
    }
}
