package io.pgcreds.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.SourceStatus;
import io.pgcreds.events.Trigger;
import io.pgcreds.fleet.Fleet;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.reload.ReloadResult;
import io.pgcreds.reload.Reloader;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code /credentials}, {@code /credentials/{name}} and {@code POST /credentials/reload}. The list
 * carries an entity tag, so that a dashboard polling it is answered 304 while nothing changed.
 */
final class CredentialRoutes {
    private final PoolRegistry registry;
    private final Reloader reloader;
    private final ConfigSources sources;
    private final Supplier<WebhookStatus> webhook;
    private final Fleet fleet;
    private final JsonAnswers json;
    private final ConditionalGet answers;
    private final BearerAuth auth;
    private final Duration reloadAnswerWithin;

    /**
     * @param reloadAnswerWithin how long {@code POST /credentials/reload} waits for its reconciliation
     *                           before it answers 202 and lets it go on (within the request bound)
     */
    CredentialRoutes(PoolRegistry registry, Reloader reloader, ConfigSources sources, Supplier<WebhookStatus> webhook,
                     Fleet fleet, JsonAnswers json, ConditionalGet answers, BearerAuth auth, Duration reloadAnswerWithin) {
        this.reloadAnswerWithin = reloadAnswerWithin;
        this.registry = registry;
        this.reloader = reloader;
        this.sources = sources;
        this.webhook = webhook;
        this.fleet = fleet;
        this.json = json;
        this.answers = answers;
        this.auth = auth;
    }

    void register(RouteTable routes) {
        routes.get("/credentials", auth.protect(this::list));
        routes.get("/credentials/{name}", auth.protect(this::one));
        routes.post("/credentials/reload", auth.protect(this::reload));
    }

    private void list(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        CredentialsReport report = CredentialsReport.of(registry, sources.statuses(), webhook.get(), fleet.budget());
        answers.write(ctx, 200, new Representation(json.bytes(report), ContentType.JSON));
    }

    private void one(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        json.write(ctx, CredentialView.of(registry.resolve(ctx.pathParam("name"))));
    }

    private void reload(Context ctx) {
        QueryParams.allowOnly(ctx, Set.of());
        JsonBodies.optional(ctx); // none is needed; one that is too large, not JSON or not parsable is refused
        Instant started = Instant.now();
        ReloadResult result;
        try {
            result = reloader.reloadRequested(Trigger.RELOAD).get(reloadAnswerWithin.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // a reconciliation is validating a server that does not answer: the request bound holds,
            // the reload goes on and its outcome reaches the timeline
            ctx.status(202);
            json.write(ctx, new ReloadInProgress(true, "the reload goes on: validating a new configuration takes longer"
                    + " than this request may wait; its outcome will be on /events (trigger reload)", sources.statuses()));
            return;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException("reload failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the reload", e);
        }
        List<SourceStatus> now = sources.statuses();
        json.write(ctx, new ReloadAnswer(result.added(), result.removed(), result.replaced(), result.unchanged(),
                result.pending(), result.failed(), result.recovered(), result.leaving(), result.kept(),
                errors(result, now, started), now));
    }

    /** The sources that failed in this reload and the lines the env file skipped, then the credentials' errors. */
    private static List<String> errors(ReloadResult result, List<SourceStatus> sources, Instant started) {
        List<String> errors = new ArrayList<>();
        for (SourceStatus source : sources) {
            if ("error".equals(source.state()) && source.lastErrorAt() != null && !source.lastErrorAt().isBefore(started)) {
                errors.add(source.name() + " (" + source.location() + "): " + source.lastError());
            }
            source.skippedLines().forEach(line -> errors.add(source.name() + " (" + source.location() + "): " + line));
        }
        errors.addAll(result.errors());
        return errors;
    }

    /**
     * The reload answer: what changed, by credential name, and the sources as they are now.
     * {@code leaving}: absent from the config but serving out their removal grace (not removed yet);
     * {@code kept}: back within their grace.
     */
    /** The {@code 202} of a reload that goes on after the request stopped waiting for it. */
    record ReloadInProgress(boolean inProgress, String detail, List<SourceStatus> sources) {
    }

    record ReloadAnswer(List<String> added, List<String> removed, List<String> replaced, List<String> unchanged,
                        List<String> pending, List<String> failed, List<String> recovered, List<String> leaving,
                        List<String> kept, List<String> errors, List<SourceStatus> sources) {
    }
}
