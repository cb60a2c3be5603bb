/**
 * Text from a client made safe to show: in a log line (a terminal would obey escape sequences) or
 * in an answer (a CR or LF would break the framing). Control characters become `\xNN`; long text is
 * cut with an ellipsis.
 */
export function printable(text: string, max = 200): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text
  return cut.replace(
    /\p{Cc}/gu,
    (c) => `\\x${c.codePointAt(0)!.toString(16).toUpperCase().padStart(2, '0')}`,
  )
}
