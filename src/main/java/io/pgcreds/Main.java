package io.pgcreds;

import io.pgcreds.config.InvalidSettingException;
import io.pgcreds.demo.Demo;
import io.pgcreds.util.Logfmt;
import io.pgcreds.util.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads the environment and starts the service; everything else is {@link PgCreds}. With no
 * database configured (and not on a Heroku dyno) it starts the demo instead. SIGTERM (what Heroku
 * sends, 30 s before SIGKILL) and SIGINT stop it gracefully and exit 0. A port already in use is
 * one logged line and exit 1, found before anything (a demo's servers) is made.
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
        List<String> arguments = Arrays.asList(args);
        if (!arguments.isEmpty() && !arguments.get(0).equals("demo")) {
            System.err.println("usage: java -jar pgcreds.jar [demo [rotate NAME | failover | status]]");
            System.exit(2);
        }
        boolean demo = !arguments.isEmpty() || Demo.wanted(env);
        if (arguments.size() <= 1 && !portFree(env)) {
            System.exit(1); // before any demo server is made: nothing to clean up
        }
        if (demo) {
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
        } catch (RuntimeException e) {
            if (!causedByBindFailure(e) || portFree(env)) {
                log.error(Logfmt.line("event", "start_failed", "exception", e.getClass().getName(),
                        "error", e.getMessage()));
            }
            System.exit(1);
            return;
        }
        stopOnSignals(service, () -> { });
    }

    /**
     * True when PORT (default 8080) can be bound on all interfaces; else logs one {@code event=port_in_use}
     * line that suggests another port. An unusable PORT value is left to the settings to report.
     */
    static boolean portFree(Map<String, String> env) {
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("PORT", "8080").trim());
        } catch (NumberFormatException e) {
            return true;
        }
        if (port <= 0 || port > 65535 || canBind(port)) {
            return true;
        }
        int suggestion = port + 1;
        while (suggestion < Math.min(65536, port + 50) && !canBind(suggestion)) {
            suggestion++;
        }
        log.error(Logfmt.line("event", "port_in_use", "port", port,
                "hint", "another process listens on port " + port + " (pgcreds or its demo already running?);"
                        + " stop it, or start on a free port: PORT=" + suggestion + " java -jar target/pgcreds.jar"));
        return false;
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Jetty binds: a port left in TIME_WAIT is free
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean causedByBindFailure(Throwable failure) {
        for (Throwable link = failure; link != null && link != link.getCause(); link = link.getCause()) {
            if (link instanceof BindException) {
                return true;
            }
        }
        return false;
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
