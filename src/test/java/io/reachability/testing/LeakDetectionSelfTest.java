package io.reachability.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Proves that the leak gate can fail: a deliberately dropped buffer is reported. */
class LeakDetectionSelfTest {

  /** How long the dropped buffer may take to be collected and reported. */
  private static final Duration REPORT_WITHIN = Duration.ofSeconds(30);

  @Test
  void droppedBufferIsReported() {
    leakOne();
    // a GC is only asked for: under load the collected buffer may be enqueued after a first look
    List<String> leaks = new CopyOnWriteArrayList<>();
    Waiting.within(REPORT_WITHIN)
        .until(
            () -> {
              leaks.addAll(LeakRecorder.collectLeaks());
              return !leaks.isEmpty();
            });
    assertThat(leaks).anySatisfy(leak -> assertThat(leak).startsWith("LEAK:"));
  }

  private static void leakOne() {
    ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(16);
    leaked.writeLong(42);
    // deliberately never released
  }
}
