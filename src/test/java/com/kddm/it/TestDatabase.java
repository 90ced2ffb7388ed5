package com.kddm.it;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL for the whole integration-test run: a Testcontainers container where a
 * Docker engine answers, otherwise an embedded server (as on the CI machines, which have none).
 */
final class TestDatabase {

  record Connection(String url, String username, String password) {}

  private static Connection connection;

  /** The same server, another database: created empty on first use. */
  static synchronized Connection database(String name) {
    Connection server = get();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(server.url(), server.username(), server.password());
        java.sql.Statement statement = c.createStatement()) {
      try (java.sql.ResultSet exists = statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
        if (!exists.next()) {
          statement.execute("create database " + name);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return new Connection(server.url().replaceFirst("(//[^/]+/)[^?]*", "$1" + name), server.username(), server.password());
  }

  private TestDatabase() {}

  static synchronized Connection get() {
    if (connection == null) {
      connection = dockerAvailable() ? container() : embedded();
    }
    return connection;
  }

  private static boolean dockerAvailable() {
    // Without a socket or DOCKER_HOST there is nothing to ask, and Testcontainers would log errors.
    if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // lives as long as the test JVM; Testcontainers' reaper removes it
  private static Connection container() {
    PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:16-alpine");
    postgres.start();
    return new Connection(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword());
  }

  private static Connection embedded() {
    try {
      EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException e) {
          // the JVM is exiting; nothing left to do
        }
      }));
      return new Connection(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded PostgreSQL", e);
    }
  }
}
