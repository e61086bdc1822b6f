package io.pgcreds;

import io.pgcreds.config.InvalidSettingException;
import io.pgcreds.demo.Demo;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads the environment and starts the service through {@link PgCreds#start}; with no database
 * configured (and not on a Heroku dyno) it starts the demo's servers first. The JVM's own signal
 * handling (SIGTERM, what Heroku sends 30 s before SIGKILL; SIGINT; SIGHUP, a closed terminal) runs
 * the {@link ShutdownHook}, registered before anything is made: it stops the service gracefully,
 * or a start-up in progress at its next step, removes whatever the demo made, and exits 0. A port
 * already in use is one logged line and exit 1, found before anything (a demo's servers) is made.
 */
public final class Main {
    /** Heroku allows 30 s after SIGTERM: 20 s for requests in flight leaves room to close the pools. */
    private static final Duration GRACE = Duration.ofSeconds(20);
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        Thread.setDefaultUncaughtExceptionHandler(Threads::logUncaught);
        if (Boolean.getBoolean("pgcreds.cds.training")) {
            CdsTraining.run();
            System.exit(0);
        }
        Map<String, String> env = System.getenv();
        List<String> arguments = List.of(args);
        if (!arguments.isEmpty() && !arguments.get(0).equals("demo")) {
            System.err.println("usage: java -jar pgcreds.jar [demo [rotate NAME | failover | status]]");
            System.exit(2);
        }
        if (arguments.size() > 1) {
            System.exit(Demo.control(arguments.subList(1, arguments.size())));
        }
        ShutdownHook hook = ShutdownHook.install();
        if (!PortCheck.free(env)) {
            hook.exit(1); // before any demo server is made: nothing to clean up
        }
        log.info(Logfmt.line("event", "starting", "pid", ProcessHandle.current().pid()));
        if (arguments.isEmpty() && !Demo.wanted(env)) {
            serve(env, hook, () -> { });
            return;
        }
        Demo demo;
        try {
            demo = Demo.start(env, hook::stopRequested);
        } catch (RuntimeException e) {
            // Demo.start removed what it had made
            if (!hook.stopRequested()) {
                System.err.println("pgcreds demo: " + e.getMessage());
            }
            hook.exit(hook.stopRequested() ? 0 : 1);
            return;
        }
        PgCreds service = serve(demo.serviceEnv(), hook, demo::stop);
        if (service != null && !hook.stopRequested()) {
            demo.serving(service.port());
        }
    }

    /**
     * Starts the service and hands its stop to the hook; {@code afterStop} runs after the service has
     * stopped (or failed to start, or was not started for a signal). A setting that cannot be used
     * exits 2 with its message; any other failure to start is one logged line and exit 1.
     *
     * @return the running service, or null when the process is ending
     */
    private static PgCreds serve(Map<String, String> env, ShutdownHook hook, Runnable afterStop) {
        if (hook.stopRequested()) { // a signal before the service started (while the demo's servers were made)
            afterStop.run();
            hook.exit(0);
            return null;
        }
        PgCreds service;
        try {
            service = PgCreds.start(env);
        } catch (InvalidSettingException e) {
            afterStop.run();
            System.err.println("pgcreds: " + e.getMessage());
            hook.exit(2);
            return null;
        } catch (RuntimeException e) {
            afterStop.run();
            if (hook.stopRequested()) { // a start cut short by a signal: the signal is the news, not this
                hook.exit(0);
            } else if (!PortCheck.bindFailure(e) || PortCheck.free(env)) { // a port taken meanwhile was logged by the check
                log.error(Logfmt.line("event", "start_failed", "exception", e.getClass().getName(),
                        "error", e.getMessage()));
            }
            hook.exit(1);
            return null;
        }
        hook.started(() -> {
            service.shutdown(GRACE);
            afterStop.run();
        });
        return service;
    }
}
