package com.kddm.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest extends BlobStoreContract {

  @TempDir Path root;
  private LocalBlobStore store;

  @BeforeEach
  void open() throws IOException {
    store = new LocalBlobStore(root);
  }

  @Override
  BlobStore store() {
    return store;
  }

  /** Every file under the root, temporary ones included. */
  @Override
  List<String> leftovers() throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
