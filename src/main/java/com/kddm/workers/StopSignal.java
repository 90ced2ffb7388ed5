package com.kddm.workers;

import java.util.concurrent.atomic.AtomicReference;

/** Why training of the current job must stop, set by whoever finds out first. */
final class StopSignal {

  enum Reason {
    /** Another worker owns the job now; write nothing more. */
    LEASE_LOST,
    /** The user cancelled the job. */
    CANCEL_REQUESTED,
    /** This process is shutting down; hand the job back. */
    SHUTDOWN,
    /** The job ran longer than its maximum run time. */
    TIMED_OUT
  }

  private final AtomicReference<Reason> reason = new AtomicReference<>();

  /** The first reason wins: a lost lease is not later mistaken for a cancellation. */
  void raise(Reason why) {
    reason.compareAndSet(null, why);
  }

  boolean raised() {
    return reason.get() != null;
  }

  Reason reason() {
    return reason.get();
  }
}
