package com.kddm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.springframework.core.io.Resource;

/**
 * Artifacts (datasets, teachers, checkpoints, students) addressed by key, such as
 * {@code datasets/<id>/train-images.idx}. A write is all or nothing: readers never see half an
 * artifact, and a failed write leaves nothing behind. Two back ends, chosen by
 * {@code kddm.storage.type}: a local folder ({@link LocalBlobStore}) and an S3-compatible bucket
 * ({@link S3BlobStore}), which lets API and workers on different machines share artifacts.
 */
public interface BlobStore {

  /** Produces the bytes of an artifact into the stream it is given. */
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  default StoredBlob write(String key, InputStream content) throws IOException {
    return write(key, content::transferTo);
  }

  /** Stores what {@code writer} writes, hashing it on the way; replaces an artifact with that key. */
  StoredBlob write(String key, Writer writer) throws IOException;

  StoredBlob copy(String from, String to) throws IOException;

  /** Gives a stored artifact another key; its bytes and digest are unchanged. */
  StoredBlob move(StoredBlob blob, String to) throws IOException;

  /** The size and digest of a stored artifact. */
  StoredBlob describe(String key) throws IOException;

  /** The hex SHA-256 of a stored artifact. */
  default String sha256(String key) throws IOException {
    return describe(key).sha256();
  }

  /** The artifact's bytes; {@link java.nio.file.NoSuchFileException} when there is none. */
  InputStream open(String key) throws IOException;

  boolean exists(String key) throws IOException;

  /**
   * The artifact for an HTTP response: it knows its length, and reading from an offset does not
   * read the bytes before it, so Spring MVC answers {@code Range} requests without loading or
   * skipping through the whole artifact.
   */
  Resource resource(String key);

  /**
   * A file on this machine with the artifact's bytes, for libraries that only read files (libtorch
   * loading a TorchScript module, {@link java.util.zip.ZipFile}). The stored file itself for the
   * local store; a verified copy in a cache folder, reused while the object is unchanged, for S3.
   * Callers only read it.
   */
  Path localFile(String key) throws IOException;

  /** Deletes an artifact; nothing happens when there is none. */
  void delete(String key);

  /** Deletes every artifact directly in {@code folder} whose name starts with {@code namePrefix}. */
  void deleteAll(String folder, String namePrefix);

  /** Deletes a folder of artifacts and everything in it. */
  void deleteFolder(String folder);
}
