package io.reachability.libp2p.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * The node's identity key on disk: the raw bytes of the protobuf {@code PrivateKey} envelope, the
 * format go-libp2p's {@code crypto.MarshalPrivateKey} produces and other tools write to identity
 * files.
 *
 * <ul>
 *   <li>Writes go to a temporary file in the same directory (owner-only permissions where the file
 *       system has POSIX permissions), are flushed to disk, then moved into place atomically, so a
 *       crash never leaves a half-written key.
 *   <li>A file that cannot be read as a key is an error naming the file and the problem; it is
 *       never replaced, because it may be the only copy of a user's identity.
 * </ul>
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids
 *     spec: keys</a>
 */
public final class KeyFile {

  private static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final String TEMP_SUFFIX = ".tmp";

  private KeyFile() {}

  /**
   * Reads the key at {@code path}, or makes a fresh Ed25519 key and stores it there (creating the
   * parent directories) when there is no file.
   *
   * @throws CryptoException when the file exists but is not a readable key, or cannot be created
   */
  public static PrivateKey loadOrCreate(Path path) {
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return load(path);
    }
    PrivateKey key = Keys.generateEd25519();
    try {
      createDirectories(path);
      if (!write(key, path, false)) {
        // another process created it between our check and our write: theirs wins, as it may be in
        // use
        return load(path);
      }
    } catch (IOException e) {
      throw new CryptoException("cannot create identity key file " + path + ": " + describe(e), e);
    }
    return key;
  }

  /**
   * Reads the key at {@code path}.
   *
   * @throws CryptoException naming the file when it is missing, unreadable, too large or not a key
   */
  public static PrivateKey load(Path path) {
    byte[] bytes;
    try {
      // the size check comes first: a wrong path (a log, a disk image) must not be read into memory
      long size = Files.size(path);
      if (size > Keys.MAX_PRIVATE_KEY_BYTES) {
        throw new CryptoException(
            "identity key file "
                + path
                + " is "
                + size
                + " bytes, over the limit of "
                + Keys.MAX_PRIVATE_KEY_BYTES
                + " bytes for a key");
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new CryptoException("cannot read identity key file " + path + ": " + describe(e), e);
    }
    try {
      return Keys.unmarshalPrivateKey(bytes);
    } catch (CryptoException e) {
      throw new CryptoException(
          "identity key file "
              + path
              + " is not a valid libp2p private key: "
              + e.getMessage()
              + " (the file was left untouched)",
          e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Stores {@code key} at {@code path}, replacing any file there atomically; creates the parent
   * directories.
   *
   * @throws CryptoException naming the file when it cannot be written
   */
  public static void save(PrivateKey key, Path path) {
    try {
      createDirectories(path);
      write(key, path, true);
    } catch (IOException e) {
      throw new CryptoException("cannot write identity key file " + path + ": " + describe(e), e);
    }
  }

  /**
   * Writes through a temporary file; returns false when {@code replace} is off and the file exists.
   */
  private static boolean write(PrivateKey key, Path path, boolean replace) throws IOException {
    Path target = path.toAbsolutePath();
    Path directory =
        Objects.requireNonNull(target.getParent(), "an absolute file path has a parent");
    boolean posix = supportsPosix(directory);
    Path temp =
        posix
            ? Files.createTempFile(
                directory,
                "." + target.getFileName(),
                TEMP_SUFFIX,
                PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE))
            : Files.createTempFile(directory, "." + target.getFileName(), TEMP_SUFFIX);
    byte[] bytes = key.marshal();
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      if (replace) {
        moveReplacing(temp, target);
      } else if (!moveIfAbsent(temp, target)) {
        return false;
      }
      return true;
    } finally {
      Arrays.fill(bytes, (byte) 0);
      Files.deleteIfExists(temp);
    }
  }

  private static void moveReplacing(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Puts the file in place only if nothing is there; a hard link is the atomic "create if absent".
   */
  private static boolean moveIfAbsent(Path temp, Path target) throws IOException {
    try {
      Files.createLink(target, temp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | IOException e) {
      // no hard links here (some network or FAT file systems): a plain move without replacing
      try {
        Files.move(temp, target);
        return true;
      } catch (FileAlreadyExistsException exists) {
        return false;
      }
    }
  }

  private static void createDirectories(Path path) throws IOException {
    Path directory = path.toAbsolutePath().getParent();
    if (directory == null || Files.isDirectory(directory)) {
      return;
    }
    // a directory made for the key is private too; an existing one is left as the user set it
    Path existing = directory;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && supportsPosix(existing)) {
      FileAttribute<Set<PosixFilePermission>> attribute =
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY);
      Files.createDirectories(directory, attribute);
    } else {
      Files.createDirectories(directory);
    }
  }

  private static boolean supportsPosix(Path existing) throws IOException {
    return Files.getFileStore(existing).supportsFileAttributeView("posix");
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return e.getMessage() == null ? kind : kind + " " + e.getMessage();
  }
}
