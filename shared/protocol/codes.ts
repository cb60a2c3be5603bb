/**
 * Response codes of the bucket protocol. The numbers and abbreviations come from the original Python
 * project and are fixed; x00 is success and x50 the matching failure. 550 BLF, 850 FLF and the access codes
 * 1100 AGS / 1150 AGF and the ones after them are ours, in the same pattern.
 */
export const CODES = {
  100: { abbr: 'OK', meaning: 'Ok' },
  200: { abbr: 'BYE', meaning: 'Goodbye' },
  300: { abbr: 'BCS', meaning: 'Bucket Created Successfully' },
  350: { abbr: 'BCF', meaning: 'Bucket Creation Fails' },
  400: { abbr: 'BCMD', meaning: 'Bad Command' },
  500: { abbr: 'BLS', meaning: 'Bucket Listed Successfully' },
  550: { abbr: 'BLF', meaning: 'Bucket Listing Fails' },
  600: { abbr: 'BDS', meaning: 'Bucket Deleted Successfully' },
  650: { abbr: 'BDF', meaning: 'Bucket Deletion Fails' },
  700: { abbr: 'FUTBS', meaning: 'File Uploaded To Bucket Successfully' },
  750: { abbr: 'FUTBF', meaning: 'File Upload To Bucket Fails' },
  800: { abbr: 'FLS', meaning: 'Files Listed Successfully' },
  850: { abbr: 'FLF', meaning: 'Files Listing Fails' },
  900: { abbr: 'FDFBS', meaning: 'File Downloaded From Bucket Successfully' },
  950: { abbr: 'FDFBF', meaning: 'File Download From Bucket Fails' },
  1000: { abbr: 'FDS', meaning: 'File Deleted Successfully' },
  1050: { abbr: 'FDF', meaning: 'File Deletion Fails' },
  1100: { abbr: 'AGS', meaning: 'Access Granted Successfully' },
  1150: { abbr: 'AGF', meaning: 'Access Grant Fails' },
  1200: { abbr: 'FRS', meaning: 'File Renamed Successfully' },
  1250: { abbr: 'FRF', meaning: 'File Rename Fails' },
  1300: { abbr: 'FRES', meaning: 'File Restored Successfully' },
  1350: { abbr: 'FREF', meaning: 'File Restore Fails' },
  1450: { abbr: 'CAF', meaning: 'Connection Acceptance Fails' },
  1500: { abbr: 'RPS', meaning: 'Resume Point Sent' },
  1550: { abbr: 'RPF', meaning: 'Resume Point Fails' },
  1600: { abbr: 'CHS', meaning: 'Changes Reported Successfully' },
  1650: { abbr: 'CHF', meaning: 'Changes Report Fails' },
  1700: { abbr: 'TRLS', meaning: 'Trash Listed Successfully' },
  1750: { abbr: 'TRLF', meaning: 'Trash Listing Fails' },
} as const satisfies Record<number, { abbr: string; meaning: string }>

export type Code = keyof typeof CODES

export function isCode(n: number): n is Code {
  return Object.hasOwn(CODES, n)
}

/** x00 codes report success, x50 codes failure (400 BCMD is a failure too). */
export function isSuccess(code: Code): boolean {
  return code % 100 === 0 && code !== 400
}

/** "300 BCS" */
export function codeLabel(code: Code): string {
  return `${code} ${CODES[code].abbr}`
}

export function codeMeaning(code: Code): string {
  return CODES[code].meaning
}
