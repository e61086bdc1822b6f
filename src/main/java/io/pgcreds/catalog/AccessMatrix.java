package io.pgcreds.catalog;

import io.pgcreds.pools.CredentialUnavailableException;
import io.pgcreds.pools.ErrorClass;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.PgCredsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The access matrix: what each credential of one database may do on each table, every credential
 * asked by {@link CatalogService#tables} (its own pool, its own read-only transaction) on every
 * request, so a REVOKE shows at the next one. The credentials are read in parallel, each on its own
 * {@link ReadLanes lane}, so that one credential's hanging reads, of this request or of a hundred
 * others, never delay another credential's. A request waits for its credentials at most the
 * statement timeout; one that has not answered by then, or failed, is listed unavailable with its
 * errorClass while the others answer, and its read is cancelled: taken out of its lane's queue when
 * it has not started, else left to end by the lease's own timeouts (an interrupted pool wait would
 * count as a failure of the credential). Thread-safe.
 */
public final class AccessMatrix implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessMatrix.class);
    private final PoolRegistry registry;
    private final CatalogService catalog;
    private final Duration wait;
    private final ReadLanes lanes = new ReadLanes();

    public AccessMatrix(PoolRegistry registry, CatalogService catalog, Duration statementTimeout) {
        this.registry = registry;
        this.catalog = catalog;
        this.wait = statementTimeout;
    }

    /**
     * One page of the matrix: the tables (of {@code schema}, or of every schema but the system ones)
     * that at least one answering credential can see, sorted by schema and name, rows
     * {@code offset} to {@code offset + limit}. Paging is stable: each credential's own list is read
     * in the same order, its first {@code offset + limit + 1} rows, which is all the page can need.
     *
     * @param credentials names or aliases to compare (empty: every credential of the database)
     * @param database    the database whose credentials to compare, as {@code host:port/name} or, when
     *                    only one server has a database of that name, as the name (null: the default
     *                    credential's)
     * @throws io.pgcreds.pools.UnknownCredentialException a credential named does not exist
     * @throws UnknownDatabaseException                    no credential connects to {@code database}
     * @throws AmbiguousDatabaseException                  databases of that name are on several servers
     * @throws MixedDatabasesException                     the credentials are not all of one database
     * @throws CredentialUnavailableException              not one of the credentials answered
     */
    public AccessPage page(List<String> credentials, String database, String schema, int limit, int offset) {
        AccessScope scope = AccessScope.select(registry, credentials, database);
        lanes.retainOnly(registry.snapshot().entries().keySet());
        // the union's rows up to offset + limit + 1 are each within that many of some credential's own list
        int rows = (int) Math.min((long) offset + limit + 1, Integer.MAX_VALUE - 1);
        Map<String, FutureTask<TablePage>> reads = new LinkedHashMap<>();
        Map<String, CredentialUnavailableException> refused = new LinkedHashMap<>();
        for (String name : scope.names()) {
            FutureTask<TablePage> read = new FutureTask<>(() -> catalog.tables(name, schema, rows, 0));
            try {
                lanes.submit(name, read);
                reads.put(name, read);
            } catch (CredentialUnavailableException e) {
                refused.put(name, e);
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        List<AccessPage.Answer> answers = new ArrayList<>();
        List<TablePage> pages = new ArrayList<>();
        for (String name : scope.names()) {
            FutureTask<TablePage> read = reads.get(name);
            if (read == null) {
                answers.add(unavailable(name, refused.get(name)));
                continue;
            }
            try {
                TablePage page = read.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                pages.add(page);
                answers.add(AccessPage.Answer.answered(page.credential(), page.generation()));
            } catch (ExecutionException e) {
                answers.add(unavailable(name, e.getCause()));
            } catch (TimeoutException e) {
                lanes.cancel(name, read);
                answers.add(AccessPage.Answer.unavailable(name, ErrorClass.TIMEOUT, "no answer within the statement timeout ("
                        + wait.toMillis() + " ms)"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reads.forEach(lanes::cancel);
                answers.add(AccessPage.Answer.unavailable(name, ErrorClass.OTHER, "the request was interrupted"));
            }
        }
        if (pages.isEmpty()) {
            throw noneAnswered(answers);
        }
        AccessRows merged = new AccessRows(pages);
        return new AccessPage(scope.database(), scope.databaseId(), schema, limit, offset,
                merged.size() > (long) offset + limit, answers, merged.rows(offset, limit));
    }

    /** Not one credential answered: a matrix without a column is no answer (503, with the first errorClass they share). */
    private static CredentialUnavailableException noneAnswered(List<AccessPage.Answer> answers) {
        List<String> classes = answers.stream().map(AccessPage.Answer::errorClass).distinct().toList();
        ErrorClass errorClass = classes.size() == 1 ? ErrorClass.valueOf(classes.get(0).toUpperCase(Locale.ROOT)) : ErrorClass.OTHER;
        return new CredentialUnavailableException("no credential of the matrix answered: " + answers.stream()
                .map(answer -> answer.name() + " (" + answer.errorClass() + ": " + answer.detail() + ")")
                .collect(Collectors.joining("; ")), errorClass, null);
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

    /** Stops the lanes; reads in flight end by their own timeouts. */
    @Override
    public void close() {
        lanes.close();
    }
}
