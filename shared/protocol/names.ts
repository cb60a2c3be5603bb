/**
 * Bucket and file names. A name is one path segment that is valid on Linux, macOS and Windows alike,
 * so a bucket made on one computer can be copied to any other and no name can ever reach outside
 * its folder. Names are compared and stored in Unicode NFC (macOS would otherwise store NFD).
 */
export const MAX_NAME_BYTES = 255

/** Reserved for the server's own bookkeeping (staging of uploads) inside the shared folder. */
export const RESERVED_NAME = '.bucketshare'

// CONIN$ and CONOUT$ open the console on Windows, like CON.
const WINDOWS_RESERVED = /^(con|conin\$|conout\$|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/iu
// Separators, Windows' forbidden punctuation, C0 and C1 control characters, DEL.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[/\\<>:"|?*\u0000-\u001f\u007f-\u009f]/u

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string }

const encoder = new TextEncoder()

/** Checks a bucket or file name; on success returns it normalised to NFC. */
/** What a name names, for the reasons it is refused with. */
export type NameKind = 'bucket' | 'file' | 'folder'

export function checkName(raw: string, kind: NameKind = 'file'): NameCheck {
  const name = raw.normalize('NFC')
  if (name.length === 0) return { ok: false, reason: `${kind} name is empty` }
  if (name === '.' || name === '..') return { ok: false, reason: `"${name}" is not a ${kind} name` }
  const bad = FORBIDDEN_CHARS.exec(name)
  if (bad) {
    const ch = bad[0]
    const shown = /[\p{Cc}]/u.test(ch)
      ? `control character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
      : `"${ch}"`
    return { ok: false, reason: `${kind} name may not contain ${shown}` }
  }
  if (/^\s|[\s.]$/u.test(name))
    return {
      ok: false,
      reason: `${kind} name may not start with a space or end with a space or dot`,
    }
  if (WINDOWS_RESERVED.test(name))
    // The name may be long, and a reason must fit in a status line.
    return { ok: false, reason: `"${shortened(name)}" is a reserved device name on Windows` }
  if (name.toLowerCase() === RESERVED_NAME)
    return { ok: false, reason: `"${name}" is reserved by BucketShare` }
  if (encoder.encode(name).length > MAX_NAME_BYTES)
    return { ok: false, reason: `${kind} name is longer than ${MAX_NAME_BYTES} bytes` }
  return { ok: true, name }
}

/** A name as quoted in a reason: whole when short, else its start and an ellipsis. */
function shortened(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name
}

/**
 * File paths inside a bucket: one or more names joined by `/` (`2024/july/beach.jpg`). Every part
 * obeys the name rules, so `.`, `..`, empty parts and backslashes are refused with the rest; the
 * limits keep every path storable on Windows, macOS and Linux alike.
 */
export const PATH_SEPARATOR = '/'
/** Most parts in a path: 32 names, so at most 31 folders deep. */
export const MAX_PATH_DEPTH = 32
/** Longest path in UTF-8 bytes after NFC, separators included. */
export const MAX_PATH_BYTES = 1024

export type PathCheck = { ok: true; path: string; parts: string[] } | { ok: false; reason: string }

/** Checks a file or folder path inside a bucket; on success returns it in NFC with its parts. */
export function checkPath(raw: string, kind: 'file' | 'folder' = 'file'): PathCheck {
  const full = raw.normalize('NFC')
  if (full === '') return { ok: false, reason: `${kind} name is empty` }
  if (full.startsWith(PATH_SEPARATOR) || full.endsWith(PATH_SEPARATOR))
    return { ok: false, reason: `${kind} path may not start or end with "/"` }
  const raws = full.split(PATH_SEPARATOR)
  if (raws.some((p) => p === '')) return { ok: false, reason: `${kind} path has an empty part` }
  if (raws.length > MAX_PATH_DEPTH)
    return { ok: false, reason: `${kind} path has more than ${MAX_PATH_DEPTH} parts` }
  const parts: string[] = []
  for (const part of raws) {
    const check = checkName(part, kind)
    if (!check.ok) return check
    parts.push(check.name)
  }
  if (encoder.encode(full).length > MAX_PATH_BYTES)
    return { ok: false, reason: `${kind} path is longer than ${MAX_PATH_BYTES} bytes` }
  return { ok: true, path: parts.join(PATH_SEPARATOR), parts }
}
