// Decrypts a Web Push message body as the receiving browser does: RFC 8291 key agreement over RFC 8188 aes128gcm records.
//
// Body layout (RFC 8188 §2.1): salt (16) | record size rs (uint32 BE) | idlen (1) | keyid,
// then records of rs bytes (the last may be shorter), each AES-128-GCM ciphertext + 16-byte
// tag. For Web Push the keyid is the sender's ephemeral P-256 public key (65 bytes).
//
// Keys (RFC 8291 §3.4):
//   ecdh_secret = ECDH(browser private key, sender public key)
//   IKM   = HKDF(salt = auth secret, ikm = ecdh_secret,
//                info = "WebPush: info" 0x00 | browser public | sender public, 32 bytes)
//   CEK   = HKDF(salt, IKM, "Content-Encoding: aes128gcm" 0x00, 16 bytes)
//   NONCE = HKDF(salt, IKM, "Content-Encoding: nonce" 0x00, 12 bytes), XOR the record number
// Each plaintext record ends with a delimiter (0x02 on the last record, 0x01 before) and
// optional zero padding, which is stripped.
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
    throw new Error('aes128gcm: keyid must be the sender\'s uncompressed P-256 public key (65 bytes)');
  }
  if (recordSize < TAG_BYTES + 2) throw new Error(`aes128gcm: record size ${recordSize} is below the minimum of 18`);

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(keys.privateKey);
  const ecdhSecret = ecdh.computeSecret(senderPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0', 'ascii'), keys.publicKey, senderPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, keys.authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0', 'ascii'), 16));
  const baseNonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0', 'ascii'), 12));

  const records = body.subarray(HEADER_FIXED_BYTES + idLength);
  if (records.length === 0) throw new Error('aes128gcm: no records after the header');
  const plaintext: Buffer[] = [];
  for (let offset = 0, seq = 0; offset < records.length; offset += recordSize, seq += 1) {
    const record = records.subarray(offset, offset + recordSize);
    const isLast = offset + recordSize >= records.length;
    plaintext.push(unpad(decryptRecord(record, cek, nonceFor(baseNonce, seq)), isLast, seq));
  }
  return Buffer.concat(plaintext);
}

function decryptRecord(record: Buffer, cek: Buffer, nonce: Buffer): Buffer {
  if (record.length <= TAG_BYTES) throw new Error('aes128gcm: record is too short to hold a tag and a delimiter');
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error('aes128gcm: authentication tag does not match (wrong keys or corrupted body)');
  }
}

/** The record number is XORed into the nonce big-endian; it fits the last 4 bytes for any body a push can carry. */
function nonceFor(baseNonce: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(baseNonce);
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ seq) >>> 0, 8);
  return nonce;
}

function unpad(padded: Buffer, isLast: boolean, seq: number): Buffer {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  const expected = isLast ? 0x02 : 0x01;
  if (end < 0 || padded[end] !== expected) {
    throw new Error(`aes128gcm: record ${seq} lacks the padding delimiter 0x0${expected}`);
  }
  return padded.subarray(0, end);
}
