package com.kddm.workers;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device a worker trains on, from {@code kddm.worker.device}: {@code cpu}, {@code gpu:N} or
 * {@code auto} (the first GPU if DJL sees one, else the CPU). A GPU that DJL cannot see is a
 * startup error, never a silent fall-back to the CPU: DJL reports zero GPUs when libcudart is not
 * on the library path, and a job meant for a GPU would crawl on the CPU unnoticed.
 */
final class WorkerDevice {

  private static final Pattern GPU = Pattern.compile("gpu:(\\d+)");

  private WorkerDevice() {}

  static Device resolve(String setting) {
    return resolve(setting, Engine.getInstance().getGpuCount());
  }

  static Device resolve(String setting, int visibleGpus) {
    String value = setting == null ? "auto" : setting.strip().toLowerCase(Locale.ROOT);
    if (value.equals("cpu")) {
      return Device.cpu();
    }
    if (value.equals("auto")) {
      return visibleGpus > 0 ? Device.gpu(0) : Device.cpu();
    }
    Matcher gpu = GPU.matcher(value);
    if (!gpu.matches()) {
      throw new IllegalStateException("kddm.worker.device must be cpu, gpu:N or auto, not '" + setting + "'");
    }
    int index = Integer.parseInt(gpu.group(1));
    if (index >= visibleGpus) {
      throw new IllegalStateException("kddm.worker.device asks for gpu:" + index + " but DJL sees " + visibleGpus
          + " GPU(s); check that libcudart is on the library path and PYTORCH_FLAVOR names a CUDA build");
    }
    return Device.gpu(index);
  }

  /** The setting's spelling of a device, as the API shows it. */
  static String describe(Device device) {
    return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
  }
}
