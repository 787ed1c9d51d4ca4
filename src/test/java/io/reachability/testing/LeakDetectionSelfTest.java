package io.reachability.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Proves that the leak gate can fail: a deliberately dropped buffer is reported. */
class LeakDetectionSelfTest {

  @Test
  void droppedBufferIsReported() {
    leakOne();
    List<String> leaks = LeakRecorder.collectLeaks();
    assertThat(leaks).anySatisfy(leak -> assertThat(leak).startsWith("LEAK:"));
  }

  private static void leakOne() {
    ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
    leaked.writeLong(42);
    // deliberately never released
  }
}
