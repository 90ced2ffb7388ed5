package com.kddm.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/** What both stores accept as a key, and the digest they compute. */
final class BlobKeys {

  private static final Pattern KEY = Pattern.compile("[a-z0-9-]+(/[a-zA-Z0-9._-]+)+");
  private static final Pattern FOLDER = Pattern.compile("[a-z0-9-]+(/[a-zA-Z0-9._-]+)*");

  private BlobKeys() {}

  /** A key is a folder and a name, none of whose segments climbs ({@code ..}) or hides ({@code .x}). */
  static String check(String key) {
    if (key == null || !KEY.matcher(key).matches() || key.contains("/.")) {
      throw new IllegalArgumentException("invalid blob key " + key);
    }
    return key;
  }

  static String checkFolder(String folder) {
    if (folder == null || !FOLDER.matcher(folder).matches() || folder.contains("/.")) {
      throw new IllegalArgumentException("invalid blob folder " + folder);
    }
    return folder;
  }

  static void checkNamePrefix(String namePrefix) {
    if (namePrefix == null || namePrefix.contains("/")) {
      throw new IllegalArgumentException("invalid name prefix " + namePrefix);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
