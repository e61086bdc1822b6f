package io.pgcreds;

import io.pgcreds.config.InvalidSettingException;
import io.pgcreds.demo.Demo;
import sun.misc.Signal;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the environment and starts the service; everything else is {@link PgCreds}. With no
 * database configured (and not on a Heroku dyno) it starts the demo instead. SIGTERM (what Heroku
 * sends, 30 s before SIGKILL) and SIGINT stop it gracefully and exit 0.
 */
public final class Main {
    /** Heroku allows 30 s after SIGTERM: 20 s for requests in flight leaves room to close the pools. */
    private static final Duration GRACE = Duration.ofSeconds(20);

    private Main() {
    }

    public static void main(String[] args) {
        if (Boolean.getBoolean("pgcreds.cds.training")) {
            CdsTraining.run();
            System.exit(0);
        }
        Map<String, String> env = System.getenv();
        List<String> arguments = Arrays.asList(args);
        if (!arguments.isEmpty() && !arguments.get(0).equals("demo")) {
            System.err.println("usage: java -jar pgcreds.jar [demo [rotate NAME | failover | status]]");
            System.exit(2);
        }
        if (!arguments.isEmpty() || Demo.wanted(env)) {
            int code = Demo.command(arguments.isEmpty() ? List.of() : arguments.subList(1, arguments.size()), env,
                    running -> stopOnSignals(running.service(), running.cleanup()));
            if (code != 0 || arguments.size() > 1) {
                System.exit(code);
            }
            return;
        }
        PgCreds service;
        try {
            service = PgCreds.start(env);
        } catch (InvalidSettingException e) {
            System.err.println("pgcreds: " + e.getMessage());
            System.exit(2);
            return;
        }
        stopOnSignals(service, () -> { });
    }

    static void stopOnSignals(PgCreds service, Runnable afterStop) {
        Runnable stop = new Runnable() {
            private boolean stopped;

            @Override
            public synchronized void run() {
                if (!stopped) {
                    stopped = true;
                    service.shutdown(GRACE);
                    afterStop.run();
                }
            }
        };
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                // not on the signal's own (daemon) thread: once Jetty's threads end, a JVM with only
                // daemon threads left would exit in the middle of closing the pools
                Signal.handle(new Signal(name), signal -> {
                    Thread shutdown = new Thread(() -> {
                        stop.run();
                        System.exit(0);
                    }, "pgcreds-shutdown");
                    shutdown.setDaemon(false); // a new thread would inherit the signal thread's daemon flag
                    shutdown.start();
                });
            }
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            // no signal API here: a shutdown hook still stops the service, with the JVM's exit status
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "pgcreds-shutdown"));
        }
    }
}
