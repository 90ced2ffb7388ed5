package com.kddm.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class WorkerDeviceTest {

  @Test
  void aGpuThatDjlCannotSeeIsAStartupErrorNotACpuFallback() {
    assertThatThrownBy(() -> WorkerDevice.resolve("gpu:0", 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("gpu:0").hasMessageContaining("sees 0 GPU(s)");
    assertThatThrownBy(() -> WorkerDevice.resolve("gpu:2", 2)).hasMessageContaining("sees 2 GPU(s)");
  }

  @Test
  void namedDevicesResolveAsAsked() {
    assertThat(WorkerDevice.resolve("cpu", 4)).isEqualTo(Device.cpu());
    assertThat(WorkerDevice.resolve("gpu:1", 2)).isEqualTo(Device.gpu(1));
    assertThat(WorkerDevice.resolve(" GPU:0 ", 1)).isEqualTo(Device.gpu(0));
  }

  @Test
  void autoTakesTheFirstGpuWhenThereIsOneElseTheCpu() {
    assertThat(WorkerDevice.resolve("auto", 3)).isEqualTo(Device.gpu(0));
    assertThat(WorkerDevice.resolve("auto", 0)).isEqualTo(Device.cpu());
  }

  @Test
  void anythingElseIsRefusedWithTheAcceptedForms() {
    assertThatThrownBy(() -> WorkerDevice.resolve("cuda", 1)).hasMessageContaining("cpu, gpu:N or auto");
  }

  @Test
  void describesDevicesAsTheSettingSpellsThem() {
    assertThat(WorkerDevice.describe(Device.gpu(3))).isEqualTo("gpu:3");
    assertThat(WorkerDevice.describe(Device.cpu())).isEqualTo("cpu");
  }
}
