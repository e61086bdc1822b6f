package io.pgcreds.pools;

import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * pgjdbc's password source for a credential whose URL has no password (or an empty one). pgjdbc asks
 * it only when the server wants a password, so trust and certificate authentication still work; when
 * the server does want one, the attempt fails with SQLSTATE 28000 (invalid authorization
 * specification), an {@code auth} failure like a rejected password, instead of pgjdbc's 08004, which
 * it shares with a server that refuses TLS. pgjdbc makes one per connection attempt by its class name
 * ({@code authenticationPluginClassName}), so it is public with a public constructor. Stateless.
 */
public final class MissingPassword implements AuthenticationPlugin {

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        throw new PSQLException("the server asks for a password (" + type + ") and the URL has none",
                PSQLState.INVALID_AUTHORIZATION_SPECIFICATION);
    }
}
