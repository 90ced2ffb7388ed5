package com.kddm.storage;

/** An artifact once written: its key, its size and the hex SHA-256 of its bytes. */
public record StoredBlob(String key, long bytes, String sha256) {}
