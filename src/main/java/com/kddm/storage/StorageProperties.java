package com.kddm.storage;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** @param root folder that holds every artifact; API and workers must share it */
@Validated
@ConfigurationProperties("kddm.storage")
public record StorageProperties(@NotNull @DefaultValue("data/artifacts") Path root) {}
