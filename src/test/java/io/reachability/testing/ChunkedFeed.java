package io.reachability.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A fuzz input fed to a decoder the way a peer's bytes arrive: in chunks of a size the fuzzer
 * chooses (one header byte), each a leak-recorded buffer, all of which must be released in the end.
 *
 * <pre>{@code
 * ChunkedFeed feed = ChunkedFeed.of(data);         // first byte: chunk size (0 = all at once)
 * feed.feed(channel::isOpen, channel::writeInbound);
 * feed.assertAllReleased();
 * }</pre>
 */
public final class ChunkedFeed {

  /** A chunk size of 0 in the header means the whole stream in one buffer. */
  private static final int ALL_AT_ONCE = Integer.MAX_VALUE;

  private final int chunkSize;
  private final byte[] stream;
  private final List<ByteBuf> fed = new ArrayList<>();

  /**
   * @param chunkSize bytes per buffer; 0 means all at once
   */
  public ChunkedFeed(int chunkSize, byte[] stream) {
    if (chunkSize < 0) {
      throw new IllegalArgumentException("chunk size must not be negative, was " + chunkSize);
    }
    this.chunkSize = chunkSize == 0 ? ALL_AT_ONCE : chunkSize;
    this.stream = stream.clone();
  }

  /**
   * The first byte of {@code data} (unsigned) is the chunk size, the rest the stream; {@code data}
   * must not be empty.
   */
  public static ChunkedFeed of(byte[] data) {
    return new ChunkedFeed(data[0] & 0xFF, Arrays.copyOfRange(data, 1, data.length));
  }

  public byte[] stream() {
    return stream.clone();
  }

  /**
   * Hands the stream to {@code sink} chunk by chunk, each a new leak-recorded buffer, while {@code
   * more} says so (checked before every chunk). {@code sink} owns each buffer it gets.
   */
  public void feed(BooleanSupplier more, Consumer<ByteBuf> sink) {
    for (int pos = 0; pos < stream.length && more.getAsBoolean(); pos += chunkSize) {
      ByteBuf chunk =
          LeakRecorder.buffer(
              Arrays.copyOfRange(
                  stream, pos, (int) Math.min(stream.length, (long) pos + chunkSize)));
      fed.add(chunk);
      sink.accept(chunk);
    }
  }

  /** Like {@link #feed(BooleanSupplier, Consumer)}, every chunk. */
  public void feed(Consumer<ByteBuf> sink) {
    feed(() -> true, sink);
  }

  /** Every buffer fed has been released, whatever the decoder made of it. */
  public void assertAllReleased() {
    for (ByteBuf in : fed) {
      assertThat(in.refCnt()).as("input buffer released").isZero();
    }
  }
}
