package io.pgcreds.demo;

import io.pgcreds.localpg.Superuser;

/**
 * The demo's sample data: a {@code shop} database owned by {@code shop_owner}, tables in two
 * schemas, and {@code shop_analyst}, a limited role that may read the reporting schema and the
 * orders, nothing else, as a custom Heroku credential would be set up.
 */
final class DemoDatabase {
    static final String DATABASE = "shop";
    static final String OWNER = "shop_owner";
    static final String ANALYST = "shop_analyst";

    private DemoDatabase() {
    }

    static void create(Superuser server, String ownerPassword, String analystPassword) {
        server.execute("postgres",
                "CREATE ROLE " + OWNER + " LOGIN PASSWORD '" + ownerPassword + "'",
                "CREATE ROLE " + ANALYST + " LOGIN PASSWORD '" + analystPassword + "'",
                "CREATE DATABASE " + DATABASE + " OWNER " + OWNER);
        server.execute(DATABASE,
                "SET ROLE " + OWNER,
                "CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, total numeric(10,2),"
                        + " placed_at timestamptz DEFAULT now())",
                "CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders, paid boolean)",
                "INSERT INTO customers SELECT g, 'customer ' || g, 'c' || g || '@example.com' FROM generate_series(1, 50) g",
                "INSERT INTO orders SELECT g, 1 + g % 50, (g * 7.5)::numeric(10,2) FROM generate_series(1, 200) g",
                "CREATE SCHEMA reporting",
                "CREATE TABLE reporting.monthly_revenue (month date PRIMARY KEY, revenue numeric(12,2))",
                "CREATE VIEW reporting.daily_sales AS SELECT placed_at::date AS day, sum(total) AS total"
                        + " FROM orders GROUP BY 1",
                "RESET ROLE",
                "GRANT CONNECT ON DATABASE " + DATABASE + " TO " + ANALYST,
                "GRANT USAGE ON SCHEMA reporting TO " + ANALYST,
                "GRANT SELECT ON ALL TABLES IN SCHEMA reporting TO " + ANALYST,
                "GRANT SELECT ON public.orders TO " + ANALYST);
    }

    static void setPassword(Superuser server, String role, String password) {
        server.execute("postgres", "ALTER ROLE " + role + " PASSWORD '" + password + "'");
    }
}
