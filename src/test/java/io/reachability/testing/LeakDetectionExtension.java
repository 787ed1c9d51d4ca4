package io.reachability.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while (or shortly before) it ran.
 * Registered for every test class through JUnit's extension auto-detection.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = LeakRecorder.collectLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size() + " Netty buffer leak(s) detected:\n" + String.join("\n", leaks));
    }
  }
}
