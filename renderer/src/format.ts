export { describeError, humanRate, humanSize } from '../../shared/format.js'

/** Seconds left at the current rate, as "2 min 5 s"; empty when unknown. */
export function timeLeft(bytes: number, total: number, rate: number): string {
  if (rate <= 0 || total <= bytes) return ''
  const seconds = Math.ceil((total - bytes) / rate)
  if (seconds < 60) return `${seconds} s left`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s left`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min left`
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}
