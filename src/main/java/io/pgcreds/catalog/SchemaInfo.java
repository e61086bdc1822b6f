package io.pgcreds.catalog;

/** One schema a credential can see, and its owner. */
record SchemaInfo(String name, String owner) {
}
