import { ref } from 'vue'

export interface ConfirmRequest {
  title: string
  message: string
  action: string
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
