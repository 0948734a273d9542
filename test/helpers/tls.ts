/**
 * Makes a self-signed certificate for `localhost`, 127.0.0.1 and ::1 at test time with the
 * `openssl` command, in a temporary directory that is removed again. Runs on Node, Deno and Bun.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A PEM certificate and its private key; the certificate is its own CA. */
export interface TestCertificate {
  cert: string;
  key: string;
}

let cached: TestCertificate | undefined;

/** Returns a self-signed certificate (made once per process) for localhost/127.0.0.1/::1. */
export function makeCertificate(): TestCertificate {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "rediserver-tls-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    ], { stdio: ["ignore", "ignore", "pipe"], timeout: 20_000 });
    cached = { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
