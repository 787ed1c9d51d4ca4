package io.reachability.libp2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ErrorsTest {

  @Test
  void describeLooksThroughFutureWrappers() {
    Throwable error =
        new CompletionException(new ExecutionException(new ConnectException("Connection refused")));
    assertThat(Errors.describe(error)).isEqualTo("Connection refused");
  }

  @Test
  void describeKeepsTheOutermostMeaningfulMessage() {
    Throwable error =
        new IllegalStateException(
            "listen on /ip4/127.0.0.1/tcp/1 failed", new IOException("in use"));
    assertThat(Errors.describe(error)).isEqualTo("listen on /ip4/127.0.0.1/tcp/1 failed");
  }

  @Test
  void rootCauseIsTheInnermostMessage() {
    Throwable error = new IllegalStateException("outer", new IOException("Address already in use"));
    assertThat(Errors.rootCause(error)).isEqualTo("Address already in use");
  }

  @Test
  void aMissingOrBlankMessageIsTheClassNameNeverNull() {
    assertThat(Errors.describe(new CompletionException(new NullPointerException())))
        .isEqualTo("NullPointerException");
    assertThat(Errors.rootCause(new IllegalStateException("outer", new IOException(" "))))
        .isEqualTo("IOException");
    assertThat(Errors.describe(new CompletionException(null))).isEqualTo("CompletionException");
  }
}
