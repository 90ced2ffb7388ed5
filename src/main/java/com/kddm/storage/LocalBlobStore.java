package com.kddm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/**
 * Artifacts in a local folder (or one shared between machines, such as NFS). A write goes to a
 * temporary file beside its target first and is moved into place, so a reader never sees half a
 * file and a failed write leaves nothing behind.
 */
final class LocalBlobStore implements BlobStore {

  private final Path root;

  LocalBlobStore(Path root) throws IOException {
    this.root = root.toAbsolutePath();
    Files.createDirectories(this.root);
  }

  @Override
  public StoredBlob write(String key, Writer writer) throws IOException {
    Path target = file(key);
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
    try {
      MessageDigest sha256 = BlobKeys.sha256();
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temporary), sha256)) {
        writer.writeTo(out);
      }
      long size = Files.size(temporary);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new StoredBlob(key, size, HexFormat.of().formatHex(sha256.digest()));
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  @Override
  public StoredBlob copy(String from, String to) throws IOException {
    try (InputStream in = open(from)) {
      return write(to, in);
    }
  }

  @Override
  public StoredBlob move(StoredBlob blob, String to) throws IOException {
    Path target = file(to);
    Files.createDirectories(target.getParent());
    Files.move(file(blob.key()), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new StoredBlob(to, blob.bytes(), blob.sha256());
  }

  /** Reads the artifact through: a file on disk has nowhere to keep its digest. */
  @Override
  public StoredBlob describe(String key) throws IOException {
    MessageDigest sha256 = BlobKeys.sha256();
    try (InputStream in = new DigestInputStream(open(key), sha256)) {
      long size = in.transferTo(OutputStream.nullOutputStream());
      return new StoredBlob(key, size, HexFormat.of().formatHex(sha256.digest()));
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Files.newInputStream(file(key));
  }

  @Override
  public boolean exists(String key) {
    return Files.isRegularFile(file(key));
  }

  /** Spring MVC serves ranges of a file resource by seeking, not by reading what precedes them. */
  @Override
  public Resource resource(String key) {
    return new FileSystemResource(file(key));
  }

  @Override
  public Path localFile(String key) throws IOException {
    Path file = file(key);
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(key);
    }
    return file;
  }

  @Override
  public void deleteAll(String folder, String namePrefix) {
    BlobKeys.checkNamePrefix(namePrefix);
    Path directory = root.resolve(BlobKeys.checkFolder(folder));
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(namePrefix) && Files.isRegularFile(f))
          .toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void deleteFolder(String folder) {
    deleteTree(root.resolve(BlobKeys.checkFolder(folder)));
  }

  /** Deletes a folder and everything in it; nothing happens when there is none. */
  static void deleteTree(Path directory) {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(file(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String key) {
    return root.resolve(BlobKeys.check(key));
  }
}
