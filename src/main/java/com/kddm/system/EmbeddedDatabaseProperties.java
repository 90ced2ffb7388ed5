package com.kddm.system;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The PostgreSQL server the service starts itself when no {@code spring.datasource.url} is set.
 *
 * @param dataDirectory where the cluster lives; kept across restarts
 * @param port TCP port on localhost; 0 picks a free one at each start
 * @param startupTimeout how long to wait for the server to accept connections
 */
@Validated
@ConfigurationProperties("kddm.embedded-database")
public record EmbeddedDatabaseProperties(
    @NotNull @DefaultValue("data/postgres") Path dataDirectory,
    @Min(0) @Max(65535) @DefaultValue("0") int port,
    @NotNull @DefaultValue("60s") Duration startupTimeout) {}
