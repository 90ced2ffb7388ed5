package com.kddm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Artifacts in a local folder. A write goes to a temporary file first and is moved into place, so
 * a reader never sees half a file and a failed write leaves nothing behind.
 */
@Component
public class BlobStore {

  private static final Pattern KEY = Pattern.compile("[a-z0-9-]+(/[a-zA-Z0-9._-]+)+");

  /** Produces the bytes of an artifact into the stream it is given. */
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path root;

  BlobStore(StorageProperties properties) throws IOException {
    this.root = properties.root().toAbsolutePath();
    Files.createDirectories(root);
  }

  public StoredBlob write(String key, InputStream content) throws IOException {
    return write(key, content::transferTo);
  }

  public StoredBlob write(String key, Writer writer) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
    try {
      MessageDigest sha256 = sha256();
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

  public StoredBlob copy(String from, String to) throws IOException {
    try (InputStream in = open(from)) {
      return write(to, in);
    }
  }

  /** Gives a stored artifact another key; its bytes and digest are unchanged. */
  public StoredBlob move(StoredBlob blob, String to) throws IOException {
    Path target = path(to);
    Files.createDirectories(target.getParent());
    Files.move(path(blob.key()), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return new StoredBlob(to, blob.bytes(), blob.sha256());
  }

  /** The size and digest of a stored artifact, read from its bytes. */
  public StoredBlob describe(String key) throws IOException {
    MessageDigest sha256 = sha256();
    try (InputStream in = new java.security.DigestInputStream(open(key), sha256)) {
      long size = in.transferTo(OutputStream.nullOutputStream());
      return new StoredBlob(key, size, HexFormat.of().formatHex(sha256.digest()));
    }
  }

  public InputStream open(String key) throws IOException {
    return Files.newInputStream(path(key));
  }

  /** The file behind a key, for responses that stream or range over it. */
  public Path path(String key) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("invalid blob key " + key);
    }
    return root.resolve(key);
  }

  /** Deletes every artifact in {@code folder} whose name starts with {@code namePrefix}. */
  public void deleteAll(String folder, String namePrefix) {
    Path directory = path(folder + "/x").getParent();
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(namePrefix)).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a folder of artifacts and everything in it. */
  public void deleteFolder(String folder) {
    Path directory = path(folder + "/x").getParent();
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The hex SHA-256 of a stored artifact, read through once. */
  public String sha256(String key) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new java.security.DigestInputStream(open(key), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public void delete(String key) {
    try {
      Files.deleteIfExists(path(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
