package io.reachability.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records every buffer leak Netty's detector reports, so a leak fails the build instead of only
 * being logged. Installed once per test JVM by {@link LeakDetectionSessionListener}, before any
 * Netty buffer class is loaded; checked after every test class by {@link LeakDetectionExtension}.
 */
public final class LeakRecorder {

  /** Allocations that make the detector poll its reference queue after a GC. */
  private static final int PROBE_ALLOCATIONS = 64;

  private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
  private static volatile boolean installed;

  private LeakRecorder() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    installed = true;
  }

  /**
   * A leak-tracked copy of {@code bytes}: test input should be allocated this way, since Netty 4.2
   * does not track {@code Unpooled} buffers and a leak of one would go unnoticed.
   */
  public static ByteBuf buffer(byte[] bytes) {
    return ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
  }

  /**
   * Runs a GC and a few allocations so leaks of collected buffers are reported now, then drains
   * them.
   */
  public static List<String> collectLeaks() {
    for (int round = 0; round < 2; round++) {
      System.gc();
      System.runFinalization();
      for (int i = 0; i < PROBE_ALLOCATIONS; i++) {
        // only leak-aware allocations drain the detector's queue (Unpooled.* is untracked in Netty
        // 4.2)
        ByteBufAllocator.DEFAULT.buffer(1).release();
        PooledByteBufAllocator.DEFAULT.buffer(1).release();
      }
    }
    List<String> leaks = new ArrayList<>();
    for (String leak; (leak = LEAKS.poll()) != null; ) {
      leaks.add(leak);
    }
    return leaks;
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      LEAKS.add("LEAK: " + resourceType + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      LEAKS.add("LEAK: " + resourceType + " (untraced)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
