package io.pgcreds.catalog;

import io.pgcreds.pools.CredentialUnavailableException;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.PgCredsException;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The access matrix: what each credential of one database may do on each table, every credential
 * asked by {@link CatalogService#tables} (its own pool, its own read-only transaction) on every
 * request, so a REVOKE shows at the next one. The credentials are read in parallel on at most
 * {@value #MAX_READERS} threads shared by all requests; a request waits for its credentials at most
 * the statement timeout, and one that has not answered by then, or failed, is listed unavailable
 * with its errorClass while the others answer. Its read is not interrupted (an interrupted pool
 * wait would count as a failure of the credential): the lease's own timeouts end it. Thread-safe.
 */
public final class AccessMatrix implements AutoCloseable {
    static final int MAX_READERS = 32;
    private static final Logger log = LoggerFactory.getLogger(AccessMatrix.class);
    private final PoolRegistry registry;
    private final CatalogService catalog;
    private final Duration wait;
    private final ThreadPoolExecutor readers;

    public AccessMatrix(PoolRegistry registry, CatalogService catalog, Duration statementTimeout) {
        this.registry = registry;
        this.catalog = catalog;
        this.wait = statementTimeout;
        this.readers = new ThreadPoolExecutor(MAX_READERS, MAX_READERS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), Threads.daemon("pgcreds-access"));
        this.readers.allowCoreThreadTimeOut(true);
    }

    /**
     * One page of the matrix: the tables (of {@code schema}, or of every schema but the system ones)
     * that at least one answering credential can see, sorted by schema and name, rows
     * {@code offset} to {@code offset + limit}. Paging is stable: each credential's own list is read
     * in the same order, its first {@code offset + limit + 1} rows, which is all the page can need.
     *
     * @param credentials names or aliases to compare (empty: every credential of the database)
     * @param database    the database whose credentials to compare (null: the default credential's)
     * @throws io.pgcreds.pools.UnknownCredentialException a credential named does not exist
     * @throws UnknownDatabaseException                    no credential connects to {@code database}
     * @throws MixedDatabasesException                     the credentials are not all of one database
     */
    public AccessPage page(List<String> credentials, String database, String schema, int limit, int offset) {
        AccessScope scope = AccessScope.select(registry, credentials, database);
        // the union's rows up to offset + limit + 1 are each within that many of some credential's own list
        int rows = (int) Math.min((long) offset + limit + 1, Integer.MAX_VALUE - 1);
        Map<String, Future<TablePage>> reads = new LinkedHashMap<>();
        for (String name : scope.names()) {
            FutureTask<TablePage> read = new FutureTask<>(() -> catalog.tables(name, schema, rows, 0));
            reads.put(name, Threads.unlessShutDown(() -> readers.execute(read)) ? read : CompletableFuture.failedFuture(
                    new CredentialUnavailableException("the service is stopping", ErrorClass.OTHER, null)));
        }
        long deadline = System.nanoTime() + wait.toNanos();
        List<AccessPage.Answer> answers = new ArrayList<>();
        List<TablePage> pages = new ArrayList<>();
        reads.forEach((name, read) -> {
            try {
                TablePage page = read.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                pages.add(page);
                answers.add(AccessPage.Answer.answered(page.credential(), page.generation()));
            } catch (ExecutionException e) {
                answers.add(unavailable(name, e.getCause()));
            } catch (TimeoutException e) {
                answers.add(AccessPage.Answer.unavailable(name, ErrorClass.TIMEOUT, "no answer within the statement timeout ("
                        + wait.toMillis() + " ms)"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answers.add(AccessPage.Answer.unavailable(name, ErrorClass.OTHER, "the request was interrupted"));
            }
        });
        AccessRows merged = new AccessRows(pages);
        return new AccessPage(scope.database(), schema, limit, offset, merged.size() > (long) offset + limit,
                answers, merged.rows(offset, limit));
    }

    private static AccessPage.Answer unavailable(String name, Throwable failure) {
        if (failure instanceof CredentialUnavailableException unavailable) {
            return AccessPage.Answer.unavailable(name, unavailable.errorClass(), unavailable.getMessage());
        }
        if (failure instanceof PgCredsException) { // e.g. removed since the scope was chosen
            return AccessPage.Answer.unavailable(name, ErrorClass.OTHER, failure.getMessage());
        }
        StackTraceElement[] trace = failure.getStackTrace();
        log.warn(Logfmt.line("event", "access_read_failed", "credential", name, "exception", failure.getClass().getName(),
                "at", trace.length > 0 ? trace[0] : "unknown"));
        return AccessPage.Answer.unavailable(name, ErrorClass.OTHER, "the read failed (" + failure.getClass().getSimpleName() + ")");
    }

    /** Stops the readers; reads in flight end by their own timeouts. */
    @Override
    public void close() {
        readers.shutdown();
    }
}
