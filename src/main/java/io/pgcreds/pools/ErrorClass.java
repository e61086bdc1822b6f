package io.pgcreds.pools;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** Why a database could not be used, in the few classes a dashboard can act on. */
public enum ErrorClass {
    AUTH, TLS, NETWORK, TIMEOUT, CONFIG, OTHER;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Classifies a failure by walking its cause chain, the most telling link first. */
    public static ErrorClass classify(Throwable failure) {
        ErrorClass fromState = null;
        boolean transientTimeout = false;
        for (Throwable link = failure; link != null; link = link.getCause()) {
            if (link instanceof SQLTransientConnectionException && link.getCause() != null) {
                continue; // HikariCP's "request timed out" around the real reason it could not connect
            }
            if (link instanceof SSLException || mentionsTls(link.getMessage())) {
                return TLS;
            }
            if (link instanceof SocketTimeoutException || link instanceof TimeoutException
                    || link instanceof SQLTimeoutException || mentionsTimeout(link.getMessage())) {
                return TIMEOUT;
            }
            if (link instanceof ConnectException || link instanceof UnknownHostException
                    || link instanceof NoRouteToHostException || link instanceof EOFException) {
                return NETWORK;
            }
            if (link instanceof SocketException) {
                return NETWORK;
            }
            if (link instanceof SQLException sql && fromState == null) {
                fromState = fromSqlState(sql.getSQLState());
            }
            if (link instanceof SQLTransientConnectionException) {
                transientTimeout = true;
            }
            if (link.getCause() == link) {
                break;
            }
        }
        if (fromState != null) {
            return fromState;
        }
        return transientTimeout ? TIMEOUT : OTHER;
    }

    /** pgjdbc reports its login timeout as 08001 "Connection attempt timed out." */
    private static boolean mentionsTimeout(String message) {
        return message != null && message.contains("timed out");
    }

    private static boolean mentionsTls(String message) {
        if (message == null) {
            return false;
        }
        return message.contains("does not support SSL") || message.contains("SSL error")
                || message.contains("hostnameverifier") || message.contains("SSL root certificate")
                || message.contains("SSL certificate");
    }

    private static ErrorClass fromSqlState(String state) {
        if (state == null) {
            return null;
        }
        switch (state) {
            case "28P01":
            case "28000":
                return AUTH;
            case "3D000": // database does not exist
            case "42704":
                return CONFIG;
            case "57014": // statement timeout / cancelled
                return TIMEOUT;
            case "57P01": // admin shutdown
            case "57P02":
            case "57P03": // cannot connect now (starting up, shutting down)
                return NETWORK;
            default:
                return state.startsWith("08") ? NETWORK : null;
        }
    }
}
