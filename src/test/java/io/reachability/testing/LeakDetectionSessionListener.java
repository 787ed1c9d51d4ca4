package io.reachability.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs once per test JVM, before any test: installs the recording leak detector (before any Netty
 * buffer class is loaded) and, outside real fuzzing, switches off Jazzer's bug-detector hooks.
 */
public final class LeakDetectionSessionListener implements LauncherSessionListener {

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    LeakRecorder.install();
    // the hooks cost ~10 s of start-up and find nothing a decoder of bytes could trigger; only real
    // fuzzing (JAZZER_FUZZ, fuzz/run.sh) keeps them, for their comparison guidance
    if (System.getenv("JAZZER_FUZZ") == null) {
      System.setProperty("jazzer.hooks", "false");
    }
  }
}
