package io.upbot.wecom;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * WeCom's callback crypto, as its developer documentation describes it ("加解密方案说明", document path
 * 91144): the signature check, the URL verification, and decrypting and encrypting messages.
 *
 * <ul>
 *   <li>{@code msg_signature} = lower-case hex SHA-1 of token, timestamp, nonce and the encrypted
 *       text, sorted bytewise and joined.
 *   <li>AESKey = Base64-decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = the first 16
 *       bytes of the key; PKCS#7 padding to a multiple of 32 bytes (so 1 to 32 bytes of padding).
 *   <li>Plaintext = 16 random bytes + the message's length in bytes (4 bytes, big-endian) + the
 *       message + the receiveid (the corp id for a corp's own app).
 * </ul>
 *
 * <p>Known answers made by an independent implementation (OpenSSL and coreutils) are in {@code
 * src/test/resources/vectors/}. Instances are immutable and thread-safe.
 */
public final class WeComCrypto {

  /** Why a callback was refused. */
  public enum Failure {
    /** {@code msg_signature} does not match. */
    BAD_SIGNATURE,
    /** The encrypted text is not Base64, not whole AES blocks, badly padded or badly framed. */
    BAD_CIPHERTEXT,
    /** Decrypted correctly, but for another receiveid (another corp). */
    WRONG_RECEIVEID
  }

  /** A refused callback; {@link #failure()} says why. */
  public static final class CryptoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Failure failure;

    public CryptoException(Failure failure, String message) {
      super(message);
      this.failure = failure;
    }

    public Failure failure() {
      return failure;
    }
  }

  private static final int RANDOM_BYTES = 16;
  private static final int BLOCK = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String token;
  private final byte[] key;
  private final byte[] receiveId;

  /**
   * @throws IllegalArgumentException when {@code encodingAesKey} is not 43 Base64 characters
   *     decoding to 32 bytes, or token or receiveId is empty
   */
  public WeComCrypto(String token, String encodingAesKey, String receiveId) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the Token must not be empty");
    }
    if (receiveId == null || receiveId.isEmpty()) {
      throw new IllegalArgumentException("the receiveid (corp id) must not be empty");
    }
    if (encodingAesKey == null || !encodingAesKey.matches("[A-Za-z0-9+/]{43}")) {
      throw new IllegalArgumentException("the EncodingAESKey must be 43 letters and digits");
    }
    this.token = token;
    this.key = Base64.getDecoder().decode(encodingAesKey + "=");
    this.receiveId = receiveId.getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code msg_signature} of a callback. */
  public String signature(String timestamp, String nonce, String encrypted) {
    String[] parts = {token, timestamp, nonce, encrypted};
    // "Sorted in dictionary order": every part is ASCII, so String order is byte order.
    Arrays.sort(parts);
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
    for (String p : parts) {
      sha1.update(p.getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha1.digest());
  }

  /** Whether {@code msgSignature} signs these values; compared in constant time. */
  public boolean verifySignature(
      String msgSignature, String timestamp, String nonce, String encrypted) {
    if (msgSignature == null || timestamp == null || nonce == null || encrypted == null) {
      return false;
    }
    return MessageDigest.isEqual(
        signature(timestamp, nonce, encrypted).getBytes(StandardCharsets.US_ASCII),
        msgSignature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The URL verification (WeCom's GET when the callback URL is saved): checks the signature over
   * {@code echostr} (already URL-decoded) and returns the decrypted echostr to answer with.
   */
  public String verifyUrl(String msgSignature, String timestamp, String nonce, String echostr)
      throws CryptoException {
    return decryptSigned(msgSignature, timestamp, nonce, echostr);
  }

  /** Checks the signature, then decrypts; the signature is checked first, as it is cheap. */
  public String decryptSigned(String msgSignature, String timestamp, String nonce, String encrypted)
      throws CryptoException {
    if (!verifySignature(msgSignature, timestamp, nonce, encrypted)) {
      throw new CryptoException(Failure.BAD_SIGNATURE, "msg_signature does not match");
    }
    return decrypt(encrypted);
  }

  /** Decrypts an {@code Encrypt} value and checks that it is for this receiveid. */
  public String decrypt(String encrypted) throws CryptoException {
    byte[] cipherText;
    try {
      cipherText = Base64.getDecoder().decode(encrypted);
    } catch (IllegalArgumentException e) {
      throw new CryptoException(Failure.BAD_CIPHERTEXT, "Encrypt is not Base64");
    }
    if (cipherText.length == 0 || cipherText.length % BLOCK != 0) {
      throw new CryptoException(
          Failure.BAD_CIPHERTEXT, "Encrypt is not a whole number of 32-byte blocks");
    }
    byte[] plain;
    try {
      plain = cipher(Cipher.DECRYPT_MODE).doFinal(cipherText);
    } catch (GeneralSecurityException e) {
      throw new CryptoException(Failure.BAD_CIPHERTEXT, "cannot decrypt: " + e.getMessage());
    }
    int pad = plain[plain.length - 1] & 0xff;
    if (pad < 1 || pad > BLOCK) {
      throw new CryptoException(Failure.BAD_CIPHERTEXT, "bad padding");
    }
    for (int i = plain.length - pad; i < plain.length; i++) {
      if ((plain[i] & 0xff) != pad) {
        throw new CryptoException(Failure.BAD_CIPHERTEXT, "bad padding");
      }
    }
    int end = plain.length - pad;
    if (end < RANDOM_BYTES + 4) {
      throw new CryptoException(Failure.BAD_CIPHERTEXT, "too short");
    }
    long msgLength = ByteBuffer.wrap(plain, RANDOM_BYTES, 4).getInt() & 0xffffffffL;
    int msgStart = RANDOM_BYTES + 4;
    if (msgLength > end - msgStart) {
      throw new CryptoException(Failure.BAD_CIPHERTEXT, "message length beyond the plaintext");
    }
    int msgEnd = msgStart + (int) msgLength;
    byte[] got = Arrays.copyOfRange(plain, msgEnd, end);
    if (!MessageDigest.isEqual(got, receiveId)) {
      throw new CryptoException(Failure.WRONG_RECEIVEID, "the message is for another receiveid");
    }
    return new String(plain, msgStart, (int) msgLength, StandardCharsets.UTF_8);
  }

  /** Encrypts {@code msg} with fresh random bytes (for passive replies and tests). */
  public String encrypt(String msg) {
    byte[] random = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(random);
    return encrypt(msg, random);
  }

  /** Encrypts {@code msg} with the given 16 "random" bytes, so that the result is reproducible. */
  public String encrypt(String msg, byte[] random) {
    if (random.length != RANDOM_BYTES) {
      throw new IllegalArgumentException("16 random bytes expected");
    }
    byte[] m = msg.getBytes(StandardCharsets.UTF_8);
    int length = RANDOM_BYTES + 4 + m.length + receiveId.length;
    int pad = BLOCK - length % BLOCK;
    ByteBuffer b = ByteBuffer.allocate(length + pad);
    b.put(random).putInt(m.length).put(m).put(receiveId);
    for (int i = 0; i < pad; i++) {
      b.put((byte) pad);
    }
    try {
      return Base64.getEncoder().encodeToString(cipher(Cipher.ENCRYPT_MODE).doFinal(b.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-256-CBC is in every JVM", e);
    }
  }

  private Cipher cipher(int mode) throws GeneralSecurityException {
    // NoPadding: WeCom pads to 32 bytes, JCE's PKCS5Padding to 16, so padding is done here.
    Cipher c = Cipher.getInstance("AES/CBC/NoPadding");
    c.init(
        mode,
        new SecretKeySpec(key, "AES"),
        new IvParameterSpec(Arrays.copyOfRange(key, 0, RANDOM_BYTES)));
    return c;
  }
}
