package com.kddm.teachers;

import com.kddm.training.TorchvisionSafetensors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** The kinds of teacher file the service loads, told apart by what is inside them. */
enum TeacherFormat {
  /** The service's own student archive: {@code manifest.json} and {@code parameters.djl}. */
  KDDM,
  /** A TorchScript module as {@code torch.jit.save} writes it: a ZIP with pickled code and data. */
  TORCHSCRIPT,
  /**
   * A safetensors state dict of a catalog architecture with torchvision's key names: an 8-byte
   * little-endian header length, then a JSON header.
   */
  SAFETENSORS;

  /**
   * Looks for a safetensors header, else reads the ZIP's central directory (PyTorch writes stored
   * entries that a streaming reader refuses).
   *
   * @return the format, or null when the file is none of them
   */
  static TeacherFormat detect(Path file) throws IOException {
    byte[] start;
    try (InputStream in = Files.newInputStream(file)) {
      start = in.readNBytes(9);
    }
    if (TorchvisionSafetensors.looksLike(start, Files.size(file))) {
      return SAFETENSORS;
    }
    boolean manifest = false;
    boolean parameters = false;
    boolean pickle = false;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
        String name = entry.getName();
        manifest |= name.equals("manifest.json");
        parameters |= name.equals("parameters.djl");
        pickle |= name.endsWith("/data.pkl") || name.endsWith("/constants.pkl");
      }
    } catch (ZipException e) {
      return null;
    }
    if (manifest && parameters) {
      return KDDM;
    }
    return pickle ? TORCHSCRIPT : null;
  }

  String fileExtension() {
    return switch (this) {
      case KDDM -> ".zip";
      case TORCHSCRIPT -> ".pt";
      case SAFETENSORS -> ".safetensors";
    };
  }
}
