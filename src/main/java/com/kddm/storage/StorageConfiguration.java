package com.kddm.storage;

import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one {@link BlobStore} of the process, of the type configured. */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

  @Bean
  BlobStore blobStore(StorageProperties properties) throws IOException {
    return switch (properties.type()) {
      case LOCAL -> new LocalBlobStore(properties.root());
      case S3 -> S3BlobStore.connect(properties.s3());
    };
  }
}
