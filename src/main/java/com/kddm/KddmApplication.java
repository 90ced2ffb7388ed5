package com.kddm;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class KddmApplication {

  public static void main(String[] args) {
    // DJL reads these before any engine class loads; the service never downloads a model or library.
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    SpringApplication.run(KddmApplication.class, args);
  }
}
