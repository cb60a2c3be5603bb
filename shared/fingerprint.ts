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

/**
 * The string both sides show on a first contact without an invite: twenty digits in groups of
 * four, read from the first 72 bits of the fingerprint (about 66 bits survive the reduction, too
 * many to forge a certificate for). Digits are easier to read aloud than hex.
 */
export function verificationString(fingerprint: string): string {
  const hex = normalizeFingerprint(fingerprint).slice(0, 18).padEnd(18, '0')
  const digits = (BigInt(`0x${hex}`) % 10n ** 20n).toString().padStart(20, '0')
  return digits.match(/.{4}/g)?.join(' ') ?? ''
}
