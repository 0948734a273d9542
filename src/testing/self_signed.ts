/**
 * A throwaway self-signed TLS certificate for tests, made with WebCrypto alone (no openssl):
 * an ECDSA P-256 key and an X.509 v3 certificate for `localhost`, 127.0.0.1 and ::1, valid
 * from a day ago for a week. The certificate is its own trust root: give it to a client as
 * its CA.
 *
 * @module
 */

/**
 * A PEM certificate and its PEM (PKCS #8) private key.
 *
 * @example
 * ```ts
 * import { makeSelfSignedCertificate, type SelfSignedCertificate } from "rediserver/testing";
 *
 * const pair: SelfSignedCertificate = await makeSelfSignedCertificate();
 * ```
 */
export interface SelfSignedCertificate {
  /** The certificate, PEM: also what a client trusts as its CA. */
  readonly cert: string;
  /** The private key, PEM PKCS #8. */
  readonly key: string;
}

/** DER: one tag-length-value. */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const length = size < 0x80
    ? [size]
    : size < 0x100
    ? [0x81, size]
    : [0x82, size >> 8, size & 0xff];
  const out = new Uint8Array(1 + length.length + size);
  out[0] = tag;
  out.set(length, 1);
  let at = 1 + length.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(bytes));
}

/** A DER INTEGER from unsigned big-endian bytes (leading zeros dropped, sign byte added). */
function unsigned(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  return body[0] & 0x80 ? tlv(0x02, new Uint8Array([0]), body) : tlv(0x02, body);
}

function utcTime(ms: number): Uint8Array {
  const iso = new Date(ms).toISOString(); // 2030-01-02T03:04:05.000Z
  const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) +
    iso.slice(14, 16) + iso.slice(17, 19) + "Z";
  return tlv(0x17, new TextEncoder().encode(text));
}

function pem(label: string, der: Uint8Array): string {
  let binary = "";
  for (const byte of der) binary += String.fromCharCode(byte);
  const base64 = btoa(binary).replace(/.{64}/g, "$&\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/**
 * Makes a new key and a self-signed certificate for localhost, 127.0.0.1 and ::1.
 *
 * @example
 * ```ts
 * import { makeSelfSignedCertificate } from "rediserver/testing";
 *
 * const { cert, key } = await makeSelfSignedCertificate();
 * console.log(cert.startsWith("-----BEGIN CERTIFICATE-----"), key.length > 0); // true true
 * ```
 */
export async function makeSelfSignedCertificate(): Promise<SelfSignedCertificate> {
  const subtle = globalThis.crypto.subtle;
  const keys = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const spki = new Uint8Array(await subtle.exportKey("spki", keys.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey("pkcs8", keys.privateKey));
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(
    tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, new TextEncoder().encode("localhost")))),
  );
  const now = Date.now();
  const altNames = seq(
    tlv(0x82, new TextEncoder().encode("localhost")),
    tlv(0x87, new Uint8Array([127, 0, 0, 1])),
    tlv(0x87, new Uint8Array([...new Array(15).fill(0), 1])),
  );
  const serial = globalThis.crypto.getRandomValues(new Uint8Array(16));
  serial[0] &= 0x7f;
  const tbs = seq(
    tlv(0xa0, tlv(0x02, new Uint8Array([2]))), // v3
    unsigned(serial),
    ecdsaSha256,
    name,
    seq(utcTime(now - 86_400_000), utcTime(now + 7 * 86_400_000)),
    name,
    spki,
    tlv(0xa3, seq(seq(oid("2.5.29.17"), tlv(0x04, altNames)))),
  );
  // WebCrypto signs as r || s (32 bytes each); X.509 wants SEQUENCE { INTEGER r, INTEGER s }.
  const raw = new Uint8Array(
    await subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      keys.privateKey,
      tbs.buffer as ArrayBuffer,
    ),
  );
  const signature = seq(unsigned(raw.subarray(0, 32)), unsigned(raw.subarray(32)));
  const certificate = seq(tbs, ecdsaSha256, tlv(0x03, new Uint8Array([0]), signature));
  return { cert: pem("CERTIFICATE", certificate), key: pem("PRIVATE KEY", pkcs8) };
}
