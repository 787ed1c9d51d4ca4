package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The {@code Noise_XX_25519_ChaChaPoly_SHA256} vector of the cacophony test suite, run through our
 * HandshakeState with its fixed static and ephemeral keys and its prologue ("John Galt").
 *
 * <p>Source: haskell-cryptography/cacophony, {@code vectors/cacophony.txt} (commit 36c1e5c3), the
 * first entry with {@code "protocol_name": "Noise_XX_25519_ChaChaPoly_SHA256"}. Messages alternate
 * between initiator and responder, also after the handshake: message 4 and 6 go responder to
 * initiator, 5 the other way.
 */
class NoiseXxVectorTest {

  private static final HexFormat HEX = HexFormat.of();

  private static final String PROLOGUE = "4a6f686e2047616c74";
  private static final String INIT_STATIC =
      "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
  private static final String INIT_EPHEMERAL =
      "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
  private static final String RESP_STATIC =
      "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
  private static final String RESP_EPHEMERAL =
      "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
  private static final String HANDSHAKE_HASH =
      "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e";

  /** {payload, ciphertext} in sending order. */
  private static final String[][] MESSAGES = {
    {
      "4c756477696720766f6e204d69736573",
      "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
          + "4c756477696720766f6e204d69736573"
    },
    {
      "4d757272617920526f746862617264",
      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285"
          + "e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db5"
          + "0f8814c7194e83f23dbd8d162c9326ad"
    },
    {
      "462e20412e20486179656b",
      "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f"
          + "58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"
    },
    {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
    {
      "4a65616e2d426170746973746520536179",
      "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"
    },
    {
      "457567656e2042f6686d20766f6e2042617765726b",
      "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"
    },
  };

  @Test
  void handshakeAndTransportMatchTheCacophonyVector() {
    SecureRandom unused = new SecureRandom();
    HandshakeState initiator =
        new HandshakeState(
            true,
            HEX.parseHex(PROLOGUE),
            X25519KeyPair.fromPrivateKey(HEX.parseHex(INIT_STATIC)),
            X25519KeyPair.fromPrivateKey(HEX.parseHex(INIT_EPHEMERAL)),
            unused);
    HandshakeState responder =
        new HandshakeState(
            false,
            HEX.parseHex(PROLOGUE),
            X25519KeyPair.fromPrivateKey(HEX.parseHex(RESP_STATIC)),
            X25519KeyPair.fromPrivateKey(HEX.parseHex(RESP_EPHEMERAL)),
            unused);

    for (int i = 0; i < 3; i++) {
      HandshakeState sender = i % 2 == 0 ? initiator : responder;
      HandshakeState receiver = i % 2 == 0 ? responder : initiator;
      byte[] message = sender.writeMessage(HEX.parseHex(MESSAGES[i][0]));
      assertThat(HEX.formatHex(message))
          .as("handshake message %d", i + 1)
          .isEqualTo(MESSAGES[i][1]);
      assertThat(HEX.formatHex(receiver.readMessage(message))).isEqualTo(MESSAGES[i][0]);
    }
    assertThat(initiator.isComplete()).isTrue();
    assertThat(responder.isComplete()).isTrue();
    assertThat(HEX.formatHex(initiator.handshakeHash())).isEqualTo(HANDSHAKE_HASH);
    assertThat(HEX.formatHex(responder.handshakeHash())).isEqualTo(HANDSHAKE_HASH);
    assertThat(initiator.remoteStaticKey())
        .isEqualTo(X25519KeyPair.fromPrivateKey(HEX.parseHex(RESP_STATIC)).publicKey());
    assertThat(responder.remoteStaticKey())
        .isEqualTo(X25519KeyPair.fromPrivateKey(HEX.parseHex(INIT_STATIC)).publicKey());

    CipherState[] i = initiator.split(); // [send, receive]
    CipherState[] r = responder.split();
    for (int m = 3; m < MESSAGES.length; m++) {
      boolean fromResponder = m % 2 == 1;
      CipherState send = fromResponder ? r[0] : i[0];
      CipherState receive = fromResponder ? i[1] : r[1];
      byte[] ciphertext = send.encryptWithAd(new byte[0], HEX.parseHex(MESSAGES[m][0]));
      assertThat(HEX.formatHex(ciphertext))
          .as("transport message %d", m + 1)
          .isEqualTo(MESSAGES[m][1]);
      assertThat(HEX.formatHex(receive.decryptWithAd(new byte[0], ciphertext)))
          .isEqualTo(MESSAGES[m][0]);
    }
  }
}
