package io.pgcreds.fleet;

import java.util.Map;

/**
 * Which instances form one fleet: those of one Heroku app. Apps may share a database (an add-on
 * attached to several), and their dynos' ids ({@code web.1}) then collide, so instances group by
 * app: {@code PGCREDS_HEROKU_APP} when set (it also keys the leader's lock), else the app's id or
 * name from Heroku's dyno metadata ({@code HEROKU_APP_ID}, {@code HEROKU_APP_NAME}; set with
 * {@code heroku labs:enable runtime-dyno-metadata}), else none: every instance without an app is of
 * one group, and two that claim one id are reported ({@link Collisions}). Config var names are not
 * used: they change with every attachment, and instances of one app would split while they reload.
 */
public final class FleetGroup {
    private FleetGroup() {
    }

    /** The group's name from the process environment, or null when none of the variables names one. */
    public static String of(Map<String, String> env) {
        for (String var : new String[] {"PGCREDS_HEROKU_APP", "HEROKU_APP_ID", "HEROKU_APP_NAME"}) {
            String value = env.get(var);
            if (value != null && Notice.APP.matcher(value.strip()).matches()) {
                return value.strip();
            }
        }
        return null;
    }
}
