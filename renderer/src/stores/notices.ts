import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { BridgeError, Envelope } from '../../../shared/ipc.js'
import { describeError } from '../format.js'

/** The last failure, shown in a banner until dismissed or replaced. */
export const useNoticesStore = defineStore('notices', () => {
  const error = ref<string | null>(null)

  function fail(err: BridgeError): void {
    error.value = describeError(err)
  }

  function dismiss(): void {
    error.value = null
  }

  /** The value of a successful envelope; a failure is shown and gives undefined. */
  function unwrap<T>(envelope: Envelope<T>): T | undefined {
    if (envelope.ok) return envelope.value
    fail(envelope.error)
    return undefined
  }

  return { error, fail, dismiss, unwrap }
})
