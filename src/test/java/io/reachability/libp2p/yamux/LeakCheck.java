package io.reachability.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a ByteBuf that was garbage collected without being released.
 * Hooks a listener into the ByteBuf leak detector, forces GC after the test and allocates a few buffers so the
 * detector drains its reference queue. (Until the lead's global extension exists.) Note: in Netty 4.2 only buffers
 * from leak-aware allocators ({@code ByteBufAllocator.DEFAULT}, a channel's {@code alloc()}) are tracked, so tests
 * allocate their input with {@link #buffer(byte[])}.
 */
final class LeakCheck implements BeforeEachCallback, AfterEachCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static final boolean INSTALLED = install();

  private static boolean install() {
    try {
      Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
      field.setAccessible(true);
      ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
      detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  static void collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int j = 0; j < 8; j++) {
        // Only tracked allocations drain the detector's queue (Unpooled.* is not tracked in Netty 4.2).
        ByteBuf a = ByteBufAllocator.DEFAULT.buffer(1);
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(1);
        a.release();
        b.release();
      }
    }
  }

  /** A tracked copy of {@code bytes}. */
  static ByteBuf buffer(byte[] bytes) {
    return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    assertThat(INSTALLED).as("leak listener installed").isTrue();
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    collect();
    LEAKS.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    collect();
    List<String> leaks = List.copyOf(LEAKS);
    LEAKS.clear();
    assertThat(leaks).as("ByteBuf leaks").isEmpty();
  }
}
