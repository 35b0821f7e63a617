// Decrypts a Web Push message body as the receiving browser does: RFC 8291 key agreement over RFC 8188 aes128gcm.
//
// Body layout (RFC 8188 §2.1): salt (16) | record size rs (uint32 BE) | idlen (1) | keyid,
// then one record: AES-128-GCM ciphertext + 16-byte tag. For Web Push the keyid is the
// sender's ephemeral P-256 public key (65 bytes).
//
// Keys (RFC 8291 §3.4):
//   ecdh_secret = ECDH(browser private key, sender public key)
//   IKM   = HKDF(salt = auth secret, ikm = ecdh_secret,
//                info = "WebPush: info" 0x00 | browser public | sender public, 32 bytes)
//   CEK   = HKDF(salt, IKM, "Content-Encoding: aes128gcm" 0x00, 16 bytes)
//   NONCE = HKDF(salt, IKM, "Content-Encoding: nonce" 0x00, 12 bytes)
// RFC 8291 allows only one record, so the nonce is used as is (record number 0). The
// plaintext ends with the last-record delimiter 0x02 and optional zero padding.
import { createDecipheriv, createECDH, hkdfSync } from 'node:crypto';

export type BrowserKeys = {
  /** Uncompressed P-256 public key, 65 bytes: the subscription's p256dh. */
  publicKey: Buffer;
  /** The matching 32-byte private key, which never leaves the browser. */
  privateKey: Buffer;
  /** 16 random bytes shared with the application server: the subscription's auth. */
  authSecret: Buffer;
};

const TAG_BYTES = 16;
const HEADER_FIXED_BYTES = 16 + 4 + 1;

/** Throws an Error saying which check failed; the push service turns it into a 400. */
export function decryptPushBody(body: Buffer, keys: BrowserKeys): Buffer {
  if (body.length < HEADER_FIXED_BYTES) throw new Error('aes128gcm: body is shorter than the 21-byte header');
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublicKey = body.subarray(HEADER_FIXED_BYTES, HEADER_FIXED_BYTES + idLength);
  if (idLength !== 65 || senderPublicKey.length !== 65 || senderPublicKey[0] !== 0x04) {
    throw new Error("aes128gcm: keyid must be the sender's uncompressed P-256 public key (65 bytes)");
  }
  if (recordSize < TAG_BYTES + 2) throw new Error(`aes128gcm: record size ${recordSize} is below the minimum of 18`);

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(keys.privateKey);
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = ecdh.computeSecret(senderPublicKey);
  } catch {
    throw new Error('aes128gcm: keyid is not a point on the P-256 curve');
  }
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0', 'ascii'), keys.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, keys.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0', 'ascii'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0', 'ascii'), 12));

  // RFC 8291 §4: a push message is a single record, and rs must exceed its length.
  const record = body.subarray(HEADER_FIXED_BYTES + idLength);
  if (record.length <= TAG_BYTES) throw new Error('aes128gcm: the record is too short to hold a tag and a delimiter');
  if (record.length >= recordSize) {
    throw new Error(
      `aes128gcm: a push message must be one record, but ${record.length} bytes do not fit rs ${recordSize}`,
    );
  }
  return unpad(decryptRecord(record, cek, nonce));
}

function decryptRecord(record: Buffer, cek: Buffer, nonce: Buffer): Buffer {
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error('aes128gcm: authentication tag does not match (wrong keys or corrupted body)');
  }
}

/** Strips zero padding and the 0x02 delimiter that marks the last (here: only) record. */
function unpad(padded: Buffer): Buffer {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== 0x02) throw new Error('aes128gcm: the record lacks the final padding delimiter 0x02');
  return padded.subarray(0, end);
}
