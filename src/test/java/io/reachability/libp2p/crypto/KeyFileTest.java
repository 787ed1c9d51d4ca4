package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {

  @TempDir Path directory;

  @Test
  void createsAKeyWhenAbsentAndReadsTheSameKeyBack() throws IOException {
    Path file = directory.resolve("a/b/identity.key");

    PrivateKey created = KeyFile.loadOrCreate(file);
    PrivateKey loaded = KeyFile.loadOrCreate(file);

    assertThat(created.type()).isEqualTo(KeyType.ED25519);
    assertThat(loaded).isEqualTo(created);
    assertThat(Files.readAllBytes(file)).isEqualTo(created.marshal());
    try (var entries = Files.list(file.getParent())) {
      assertThat(entries).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void fileIsTheRawProtobufWithOwnerOnlyPermissions() throws IOException {
    assumeThat(Files.getFileStore(directory).supportsFileAttributeView("posix")).isTrue();
    Path file = directory.resolve("keys/identity.key");

    PrivateKey key = KeyFile.loadOrCreate(file);

    byte[] bytes = Files.readAllBytes(file);
    assertThat(bytes).hasSize(68);
    assertThat(bytes[0]).isEqualTo((byte) 0x08); // field 1 (Type), varint
    assertThat(bytes[1]).isEqualTo((byte) 0x01); // Ed25519
    assertThat(bytes[2]).isEqualTo((byte) 0x12); // field 2 (Data), length-delimited
    assertThat(bytes[3]).isEqualTo((byte) 0x40); // 64 bytes: seed ‖ public key
    assertThat(Keys.unmarshalPrivateKey(bytes)).isEqualTo(key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void saveReplacesAtomicallyAndLoadReadsIt() {
    Path file = directory.resolve("identity.key");
    KeyFile.save(Keys.generateEd25519(), file);
    PrivateKey second = Keys.generateEd25519();

    KeyFile.save(second, file);

    assertThat(KeyFile.load(file)).isEqualTo(second);
  }

  @Test
  void readsAKeyWrittenByAnotherImplementation() throws IOException {
    // the Ed25519 private key of the libp2p peer-ids spec test vectors
    byte[] specKey =
        HexFormat.of()
            .parseHex(
                "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e1"
                    + "48ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
    Path file = Files.write(directory.resolve("identity.key"), specKey);

    assertThat(KeyFile.loadOrCreate(file).marshal()).isEqualTo(specKey);
  }

  @Test
  void corruptFileIsAnErrorNamingTheFileAndIsNeverReplaced() throws IOException {
    Path file = directory.resolve("identity.key");
    byte[] corrupt = {0x08, 0x01, 0x12, 0x40, 0x01, 0x02}; // Data says 64 bytes, 2 follow
    Files.write(file, corrupt);

    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("malformed private key protobuf");
    assertThat(Files.readAllBytes(file)).isEqualTo(corrupt);
  }

  @Test
  void emptyFileIsAnError() throws IOException {
    Path file = Files.createFile(directory.resolve("identity.key"));

    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("empty");
    assertThat(Files.size(file)).isZero();
  }

  @Test
  void oversizedFileIsRejectedBeforeReading() throws IOException {
    Path file =
        Files.write(directory.resolve("identity.key"), new byte[Keys.MAX_PRIVATE_KEY_BYTES + 1]);

    assertThatThrownBy(() -> KeyFile.load(file))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("over the limit");
  }

  @Test
  void missingFileIsAnErrorForLoad() {
    Path file = directory.resolve("nothing-here.key");

    assertThatThrownBy(() -> KeyFile.load(file))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("NoSuchFileException");
  }

  @Test
  void aDirectoryInTheWayIsAnErrorNotReplaced() throws IOException {
    Path file = Files.createDirectory(directory.resolve("identity.key"));

    assertThatThrownBy(() -> KeyFile.loadOrCreate(file))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(file.toString());
    assertThat(Files.isDirectory(file)).isTrue();
  }
}
