import { ref } from 'vue'

export interface ConfirmRequest {
  title: string
  message: string
  action: string
  /** For a question answered with text (a new name): the text typed so far. */
  text?: string
  resolve: (ok: boolean) => void
}

/** The question on screen, if any; ConfirmDialog shows it. */
export const pendingConfirm = ref<ConfirmRequest | null>(null)

/** Asks the person; resolves true when they confirm. */
export function confirm(title: string, message: string, action = 'Delete'): Promise<boolean> {
  pendingConfirm.value?.resolve(false)
  return new Promise((resolve) => {
    pendingConfirm.value = {
      title,
      message,
      action,
      resolve: (ok) => {
        pendingConfirm.value = null
        resolve(ok)
      },
    }
  })
}

/** Asks for a line of text (a new name); resolves it, or null when cancelled or left empty. */
export function askText(
  title: string,
  message: string,
  action: string,
  initial = '',
): Promise<string | null> {
  pendingConfirm.value?.resolve(false)
  return new Promise((resolve) => {
    pendingConfirm.value = {
      title,
      message,
      action,
      text: initial,
      resolve: (ok) => {
        const text = pendingConfirm.value?.text?.trim() ?? ''
        pendingConfirm.value = null
        resolve(ok && text !== '' ? text : null)
      },
    }
  })
}
