package io.pgcreds.pools;

import org.postgresql.util.PSQLException;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Why a database could not be used, in the few classes a dashboard can act on. Decided from SQLSTATEs
 * and exception types only, never from message text: pgjdbc translates its messages into the JVM's
 * language, and the server's depend on its lc_messages.
 */
public enum ErrorClass {
    AUTH, TLS, NETWORK, TIMEOUT, CONFIG, OTHER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Classifies a failure by its whole cause chain, the most telling evidence first:
     * <ol>
     *   <li>TLS: a {@link GeneralSecurityException} (a certificate that cannot be read or validated, a
     *       certificate for another host: pgcreds checks the host name inside the handshake), a
     *       {@link FileNotFoundException} (the only files a connection attempt reads are certificates
     *       and keys), or an {@link SSLException} (handshake refused, no common protocol) unless a
     *       closed, reset or silent connection lies under it: that is network or timeout below;</li>
     *   <li>auth: SQLSTATE class 28 (28P01 wrong password, 28000 no pg_hba.conf entry or, from
     *       {@link MissingPassword}, no password in the URL);</li>
     *   <li>what the server said: 3D000 config, 57014 timeout, 57P01-57P03 and class 08 network;</li>
     *   <li>timeout: a socket, JDBC or pool timeout (HikariCP's {@link SQLTransientConnectionException}
     *       when it has no cause);</li>
     *   <li>network: refused, unreachable, unknown host, reset, closed ({@link SocketException},
     *       {@link UnknownHostException}, {@link EOFException});</li>
     *   <li>pgjdbc's own states without a cause: 08004 is the server refusing TLS (pgcreds always asks
     *       for it; GSS encryption is off, and a missing password is 28000 above), 08001 its login
     *       timeout; any other class 08 is network;</li>
     *   <li>anything else is other.</li>
     * </ol>
     */
    public static ErrorClass classify(Throwable failure) {
        List<Throwable> chain = chainOf(failure);
        boolean certificate = chain.stream().anyMatch(link -> link instanceof GeneralSecurityException
                || link instanceof FileNotFoundException);
        // a handshake the peer ended by closing, resetting or not answering is the transport's fault,
        // whatever the JDK's TLS layer wrapped it in (it does so in some runs and not in others)
        boolean transport = chain.stream().anyMatch(link -> link instanceof SocketException
                || link instanceof EOFException || link instanceof SocketTimeoutException);
        if (certificate || (!transport && chain.stream().anyMatch(link -> link instanceof SSLException))) {
            return TLS;
        }
        List<SQLException> states = chain.stream().filter(ErrorClass::carriesItsOwnState)
                .map(SQLException.class::cast).toList();
        if (states.stream().anyMatch(sql -> stateClass(sql).equals("28"))) {
            return AUTH;
        }
        for (SQLException sql : states) {
            ErrorClass fromServer = saidByServer(sql) ? fromServerState(sql.getSQLState()) : null;
            if (fromServer != null) {
                return fromServer;
            }
        }
        if (chain.stream().anyMatch(link -> link instanceof SocketTimeoutException || link instanceof SQLTimeoutException
                || link instanceof TimeoutException
                || (link instanceof SQLTransientConnectionException && link.getCause() == null))) {
            return TIMEOUT;
        }
        if (chain.stream().anyMatch(link -> link instanceof SocketException || link instanceof UnknownHostException
                || link instanceof EOFException)) {
            return NETWORK;
        }
        for (SQLException sql : states) {
            if (!saidByServer(sql) && sql.getCause() == null && "08004".equals(sql.getSQLState())) {
                return TLS;
            }
            if (!saidByServer(sql) && sql.getCause() == null && "08001".equals(sql.getSQLState())) {
                return TIMEOUT;
            }
        }
        return states.stream().anyMatch(sql -> stateClass(sql).equals("08")) ? NETWORK : OTHER;
    }

    private static List<Throwable> chainOf(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable link = failure; link != null && !chain.contains(link) && chain.size() < 20; link = link.getCause()) {
            chain.add(link);
        }
        return chain;
    }

    /** HikariCP's timeout copies the state of the failure it wraps: that one speaks for itself. */
    private static boolean carriesItsOwnState(Throwable link) {
        return link instanceof SQLException sql && sql.getSQLState() != null
                && !(link instanceof SQLTransientConnectionException && link.getCause() != null);
    }

    /** pgjdbc's own failures carry no server message; other drivers' and wrappers' states are taken as given. */
    private static boolean saidByServer(SQLException sql) {
        return !(sql instanceof PSQLException psql) || psql.getServerErrorMessage() != null;
    }

    private static String stateClass(SQLException sql) {
        String state = sql.getSQLState();
        return state.length() >= 2 ? state.substring(0, 2) : state;
    }

    private static ErrorClass fromServerState(String state) {
        switch (state) {
            case "3D000": // database does not exist
                return CONFIG;
            case "57014": // statement timeout / cancelled
                return TIMEOUT;
            case "57P01": // admin shutdown
            case "57P02": // crash shutdown
            case "57P03": // cannot connect now (starting up, shutting down)
                return NETWORK;
            default:
                return state.startsWith("08") ? NETWORK : null;
        }
    }
}
