package io.pgcreds.testing.postgres;

import io.pgcreds.localpg.Certificates;
import io.pgcreds.localpg.LocalPostgres;
import io.pgcreds.localpg.Superuser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The fixture on the local server binaries: {@link LocalPostgres}, with what only tests do to a server. */
final class LocalServer implements PostgresServer {
    private final LocalPostgres server;
    private final boolean ssl;

    private LocalServer(LocalPostgres server, boolean ssl) {
        this.server = server;
        this.ssl = ssl;
    }

    static LocalServer start(PostgresOptions options) {
        Map<String, String> settings = new LinkedHashMap<>(options.settings());
        if (!options.ssl()) {
            settings.put("ssl", "off");
        }
        return new LocalServer(LocalPostgres.start(options.namePrefix(), settings), options.ssl());
    }

    @Override
    public String kind() {
        return "local binaries " + LocalPostgres.findBinaries().map(Path::toString).orElse("?") + (ssl ? "" : " (SSL off)");
    }

    @Override
    public String host() {
        return server.host();
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public Path caCertificate() {
        return ssl ? Certificates.shared().caCertificate() : null;
    }

    @Override
    public Superuser superuser() {
        return server.superuser();
    }

    @Override
    public String serverLog() {
        try {
            Path log = server.logFile();
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop(boolean immediate) {
        server.stop(immediate);
    }

    /**
     * SIGKILL to the postmaster and every process it forked (each backend is a session of its own,
     * so a process group does not reach them), by process id.
     */
    @Override
    public void freeze() {
        Signals.send("STOP", processes());
    }

    @Override
    public void thaw() {
        Signals.send("CONT", processes());
    }

    /** The postmaster and every process it forked, the postmaster first. */
    private List<ProcessHandle> processes() {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(server.dataDirectory().resolve("postmaster.pid")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the server is not running (no postmaster.pid)", e);
        }
        ProcessHandle postmaster = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("the server is not running (no process " + pid + ")"));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(0, postmaster);
        return all;
    }

    @Override
    public void kill() {
        List<ProcessHandle> all = processes();
        all.forEach(ProcessHandle::destroyForcibly);
        CompletableFuture.allOf(all.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                .orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Override
    public void start() {
        server.start();
    }

    @Override
    public void close() {
        server.close();
    }
}
