import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { DEFAULT_PORT, isPort, MAX_PORT, MIN_PORT } from '../../../shared/address.js'
import { STOPPED_HOST, type Exposure, type HostStatus, type LogLine } from '../../../shared/ipc.js'
import { bridge } from '../bridge/index.js'
import { describeError } from '../format.js'
import { useNoticesStore } from './notices.js'

/** Log lines kept for the host panel. */
export const MAX_LOG_LINES = 500

/** Hosting a folder from this app. */
export const useHostStore = defineStore('host', () => {
  const notices = useNoticesStore()
  const status = ref<HostStatus>(STOPPED_HOST)
  const folder = ref('')
  const port = ref(DEFAULT_PORT)
  const exposure = ref<Exposure>('loopback')
  const encrypted = ref(true)
  /** Null: the default, which is to require a code on the network only. */
  const requireCode = ref<boolean | null>(null)
  /** A code typed for the next start; empty: the one kept from before, or a new one. */
  const accessCode = ref('')
  /** The host keeps a code from an earlier start (hashed), used when none is typed. */
  const codeKept = ref(false)
  const readOnly = ref(false)
  /** How people nearby see this host. */
  const displayName = ref('')
  /** Where the buckets rest: a folder of this computer, or an S3-compatible object store. */
  const storage = ref<'folder' | 's3'>('folder')
  /** The object store to share; empty fields are left to their defaults. */
  const s3 = ref({
    endpoint: '',
    bucket: '',
    prefix: '',
    region: '',
    pathStyle: true,
    accessKeyId: '',
    secretAccessKey: '',
  })
  /** Whether keys typed here can be kept sealed (the desktop app); else the environment's are used. */
  const sealedKeys = ref(false)
  /** Ids keep each line's element in place as old lines drop off the top. */
  const log = shallowRef<(LogLine & { id: number })[]>([])
  const nativeDialogs = ref(false)
  const starting = ref(false)

  /** Why the last start failed; cleared by the next attempt and by changing the form. */
  const error = ref<string | null>(null)

  const running = computed(() => status.value.running)
  /** What keeps the form from starting, said to the person (null when it can start). */
  const problem = computed(() => {
    if (storage.value === 's3') {
      const { bucket, endpoint, accessKeyId, secretAccessKey } = s3.value
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket.trim()))
        return 'Name the S3 bucket: 3 to 63 of a-z, 0-9, dots and hyphens.'
      if (endpoint.trim() && !/^https?:\/\/\S+$/.test(endpoint.trim()))
        return 'The endpoint is an address such as http://192.168.1.10:3900.'
      if (Boolean(accessKeyId.trim()) !== Boolean(secretAccessKey.trim()))
        return 'Give both keys, or neither.'
    } else if (folder.value.trim() === '') return 'Choose the folder to share.'
    if (!isPort(port.value))
      return `The port must be a whole number from ${MIN_PORT} to ${MAX_PORT}.`
    return null
  })
  const canStart = computed(() => problem.value === null)
  watch([folder, port, storage, s3], () => (error.value = null), { deep: true })

  /** The object store as host:start takes it: fields left empty are left out. */
  function objectStore() {
    const given = Object.fromEntries(
      Object.entries(s3.value).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]),
    )
    const { endpoint, bucket, prefix, region, pathStyle, accessKeyId, secretAccessKey } =
      given as typeof s3.value
    return {
      bucket,
      prefix,
      pathStyle,
      ...(endpoint ? { endpoint } : {}),
      ...(region ? { region } : {}),
      ...(accessKeyId ? { accessKeyId, secretAccessKey } : {}),
    }
  }

  async function start(): Promise<void> {
    if (!canStart.value) return
    starting.value = true
    error.value = null
    notices.dismiss()
    try {
      const store = storage.value === 's3' ? objectStore() : undefined
      const result = await bridge().invoke('host:start', {
        root: store
          ? `s3://${store.bucket}${store.prefix ? `/${store.prefix}` : ''}`
          : folder.value.trim(),
        ...(store ? { s3: store } : {}),
        port: port.value,
        exposure: exposure.value,
        encrypted: encrypted.value,
        readOnly: readOnly.value,
        ...(displayName.value.trim() ? { displayName: displayName.value.trim() } : {}),
        ...(requireCode.value === null ? {} : { requireCode: requireCode.value }),
        ...(accessCode.value.trim().length >= 4 ? { accessCode: accessCode.value.trim() } : {}),
      })
      if (result.ok) {
        status.value = result.value
        // Sealed and kept by the Node side: not kept in this page.
        s3.value.accessKeyId = ''
        s3.value.secretAccessKey = ''
        if (result.value.codeRequired) codeKept.value = true
      } else error.value = describeError(result.error)
    } finally {
      starting.value = false
    }
  }

  async function stop(): Promise<void> {
    const result = notices.unwrap(await bridge().invoke('host:stop'))
    if (result) status.value = result
  }

  async function browse(): Promise<void> {
    const chosen = notices.unwrap(
      await bridge().invoke('dialog:chooseFolder', { purpose: 'share' }),
    )
    if (chosen) folder.value = chosen
  }

  function addLog(line: LogLine): void {
    const next = [...log.value, { ...line, id: (log.value.at(-1)?.id ?? 0) + 1 }]
    log.value = next.length > MAX_LOG_LINES ? next.slice(-MAX_LOG_LINES) : next
  }

  return {
    status,
    error,
    problem,
    folder,
    port,
    exposure,
    encrypted,
    requireCode,
    accessCode,
    codeKept,
    readOnly,
    displayName,
    storage,
    s3,
    sealedKeys,
    log,
    nativeDialogs,
    starting,
    running,
    canStart,
    start,
    stop,
    browse,
    addLog,
  }
})
