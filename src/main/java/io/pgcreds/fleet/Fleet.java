package io.pgcreds.fleet;

import io.pgcreds.config.ConfigSources;
import io.pgcreds.config.Settings;
import io.pgcreds.events.Trigger;
import io.pgcreds.pools.Leases;
import io.pgcreds.pools.PoolRegistry;
import io.pgcreds.util.Threads;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Many instances of one app, one view: each LISTENs on channel {@code pgcreds} on a session of the
 * default credential ({@link FleetLoop}); a change one learns of is announced and every other
 * refreshes at once ({@link Inbox}); one leader, elected with an advisory lock ({@link Leadership}),
 * polls the Platform API and sends a heartbeat every half interval; each sends its view (credential
 * generations, states and fingerprints, config version, connection figure; see {@link Views}) when
 * it changes, every {@link #VIEW_EVERY} and when a peer's session (re)connects and says hello; and
 * {@link #report()} puts the views together for {@code /fleet}. No notice holds a secret, a URL or
 * an unkeyed hash of one. Thread-safe.
 */
public final class Fleet implements AutoCloseable {
    static final Duration VIEW_EVERY = Duration.ofSeconds(30);
    private final Settings settings;
    private final String group;
    private final PoolRegistry registry;
    private final ConfigSources sources;
    private final Leadership leadership;
    private final Announcer announcer;
    private final Peers peers = new Peers();
    private final Fingerprints fingerprints;
    private final BudgetWatch budgetWatch = new BudgetWatch();
    private final ScheduledExecutorService timers =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("pgcreds-fleet-timer"));
    private volatile Started started;
    private volatile ServerLimits limits;

    /** What {@link #start} makes: this instance's id and the parts that need it. */
    private record Started(Member self, Views views, Inbox inbox, Collisions collisions, PeerRefresh refresh,
                           FleetLoop loop) {
    }

    /**
     * A fleet member that has not joined yet (see {@link #start}): of the instances of {@code group}
     * (see {@link FleetGroup}; null: of those without one), it reads the credentials from
     * {@code registry}, the config version from {@code sources} (and has them poll when it becomes
     * the leader), and elects through {@code leadership}, which the Platform API's poller asks.
     */
    public Fleet(Settings settings, String group, PoolRegistry registry, ConfigSources sources, Leadership leadership) {
        this.settings = settings;
        this.group = group;
        this.fingerprints = Fingerprints.keyedBy(settings.apiToken());
        this.registry = registry;
        this.sources = sources;
        this.leadership = leadership;
        this.announcer = new Announcer(new Leases(registry, settings.connectionTimeout(), settings.statementTimeout()));
    }

    /**
     * Joins the fleet, once the HTTP port is bound: this instance's id is {@code DYNO}, else
     * host:{@code port}. {@code peerRefresh} re-reads the sources and reconciles off the caller's
     * thread (see {@code Reloader#refreshFromPeer}); peers' notices call it, coalesced.
     */
    public void start(int port, Runnable peerRefresh) {
        Member self = Member.of(settings.dyno(), group, port);
        Views views = new Views(self, registry, leadership, announcer, fingerprints);
        PeerRefresh refresh = new PeerRefresh(timers, peerRefresh);
        Collisions collisions = new Collisions(self);
        Inbox inbox = new Inbox(self, leadership, peers, collisions, new Inbox.Reactions(refresh::request,
                () -> views.sendSoon(timers), sources::herokuApiVersion));
        FleetLoop loop = new FleetLoop(self, registry, leadership, inbox, settings.connectionTimeout(),
                new FleetLoop.Hooks(this::limitsLearned, () -> connected(self, views), this::leading,
                        () -> sources.statuses().stream().noneMatch(status -> status.state().equals("waiting"))));
        started = new Started(self, views, inbox, collisions, refresh, loop);
        loop.start(); // the view goes out once the session listens
        Threads.unlessShutDown(() -> timers.scheduleWithFixedDelay(this::everyRound, VIEW_EVERY.toMillis(),
                VIEW_EVERY.toMillis(), TimeUnit.MILLISECONDS));
        if (leadership.electing()) {
            long half = Math.max(250, leadership.interval().toMillis() / 2);
            Threads.unlessShutDown(() -> timers.scheduleWithFixedDelay(this::heartbeat, half, half, TimeUnit.MILLISECONDS));
        }
    }

    /** A change of the config vars this instance learned of by itself ({@code trigger}): tell the others now. */
    public void learned(Trigger trigger) {
        Started fleet = started;
        if (fleet != null && !fleet.loop().state().equals("off")) {
            announcer.send(new Notice.Change(fleet.self(), trigger.wireName(), sources.herokuApiVersion()));
        }
    }

    /** A reconciliation published a snapshot: follow the default credential's generation, send the view if it changed. */
    public void reconciled() {
        Started fleet = started;
        if (fleet != null) {
            fleet.loop().registryChanged();
            if (listening(fleet)) {
                fleet.views().send(false);
            }
        }
    }

    /** Views and heartbeats wait for the fleet session: without it the database is most likely unreachable. */
    private static boolean listening(Started fleet) {
        return fleet.loop().state().equals("listening");
    }

    /** The session is up (again): peers may have sent views while it was down, or on another server; ask for them. */
    private void connected(Member self, Views views) {
        announcer.send(new Notice.Hello(self));
        views.send(true);
    }

    private void leading() {
        sources.pollHerokuApiNow(); // a new leader polls within the interval, not an interval after it took over
        heartbeat();
        started.views().send(false);
    }

    private void heartbeat() {
        Started fleet = started;
        if (fleet != null && leadership.leading() && listening(fleet)) {
            announcer.send(new Notice.Poll(fleet.self(), sources.herokuApiVersion()));
        }
    }

    private void everyRound() {
        if (listening(started)) {
            started.views().send(true);
        }
        budget(); // logs when the verdict changes
    }

    private void limitsLearned(ServerLimits learned) {
        limits = learned;
        budget();
    }

    /** The connection budget with the instances seen now, or null before the server's limits are known. */
    public ConnectionBudget budget() {
        Started fleet = started;
        if (fleet == null) {
            return null;
        }
        Map<String, Integer> figures = peers.connections(Instant.now());
        Integer own = ConnectionBudget.ofInstance(registry.snapshot(), registry.defaultEntry(registry.snapshot()));
        if (own != null) {
            figures.put(fleet.self().id(), own);
        }
        return budgetWatch.seen(ConnectionBudget.of(limits, figures));
    }

    /** The {@code /fleet} answer: this instance as it is now, then every peer seen in the last 60 s. */
    public FleetReport report() {
        Started fleet = started;
        if (fleet == null) {
            return new FleetReport(settings.dyno(), null, "connecting", true, List.of(), List.of(), null);
        }
        Instant now = Instant.now();
        List<FleetReport.Instance> heard = new ArrayList<>();
        heard.add(fleet.views().current(now));
        heard.addAll(peers.recent(now));
        String leader = leader(fleet.self().id(), heard);
        List<FleetReport.Instance> instances = heard.stream().map(instance -> "leader".equals(instance.polling())
                && !instance.id().equals(leader) ? instance.withPolling(null) : instance).toList();
        List<String> disagreements = new ArrayList<>(fleet.collisions().recent(now));
        disagreements.addAll(Agreement.disagreements(instances, now));
        return new FleetReport(fleet.self().id(), leader, fleet.loop().state(), disagreements.isEmpty(), disagreements,
                instances, budget());
    }

    /**
     * The one leader: as {@link Leadership#leader} knows it (from the lock's holder on the server), the
     * instance of that id (pg_stat_activity cuts long ids); else the one whose last view says it leads.
     */
    private String leader(String self, List<FleetReport.Instance> instances) {
        String known = leadership.leader(self);
        if (known != null) {
            return instances.stream().map(FleetReport.Instance::id).filter(id -> id.equals(known)).findFirst()
                    .or(() -> instances.stream().map(FleetReport.Instance::id).filter(id -> id.startsWith(known)).findFirst())
                    .orElse(known);
        }
        return instances.stream().filter(instance -> "leader".equals(instance.polling()))
                .map(FleetReport.Instance::id).findFirst().orElse(null);
    }

    /** Counters for {@code /metrics}: notices received by verdict, sent, unsent, and refreshes they caused. */
    public FleetFigures figures() {
        Started fleet = started;
        return new FleetFigures(fleet == null ? Map.of() : fleet.inbox().counts(), announcer.sent(), announcer.failed(),
                fleet == null ? 0 : fleet.refresh().refreshes());
    }

    /**
     * Leaves the fleet: the notices handed over are sent first (at most a second; a view after the
     * goodbye would bring this instance back), then the session releases the leader's lock, says
     * goodbye and ends (see {@link FleetLoop#close}).
     */
    @Override
    public void close() {
        timers.shutdownNow();
        announcer.close(Duration.ofSeconds(1));
        Started fleet = started;
        if (fleet != null) {
            fleet.loop().close();
        }
    }
}
