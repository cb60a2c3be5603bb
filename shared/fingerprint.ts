/**
 * Certificate fingerprints: SHA-256 of the certificate, compared in full, shown short. Two people
 * compare the short form by reading it aloud: eight groups of four hex digits (128 bits).
 */

/** "AB:CD:…" or "abcd…" → "abcd…" (64 lowercase hex digits). */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toLowerCase()
}

/** "3f2a9c1b…" → "3F2A 9C1B 77D0 …" (the first 128 bits). */
export function shortFingerprint(fingerprint: string): string {
  const hex = normalizeFingerprint(fingerprint).slice(0, 32).toUpperCase()
  return hex.match(/.{1,4}/g)?.join(' ') ?? ''
}
