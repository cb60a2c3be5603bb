import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Envelope, GrantEdit, GrantView, HostStatus } from '../../../shared/ipc.js'
import { ROLE_NAMES, type Role } from '../../../shared/protocol/index.js'
import { bridge } from '../bridge/index.js'
import { useHostStore } from './host.js'
import { useNoticesStore } from './notices.js'

/** A grant row as the table edits it: buckets typed as "all" or a comma list. */
export interface GrantRow {
  id?: string
  label: string
  role: Role
  buckets: string
}

export function rowOf(grant: GrantView): GrantRow {
  return {
    id: grant.id,
    label: grant.label,
    role: grant.role,
    buckets: grant.buckets === 'all' ? 'all' : grant.buckets.join(', '),
  }
}

export function editOf(row: GrantRow): GrantEdit {
  const names = row.buckets
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '')
  const buckets = names.length === 0 || row.buckets.trim() === 'all' ? 'all' : names
  return { ...(row.id ? { id: row.id } : {}), label: row.label.trim(), role: row.role, buckets }
}

/** The Host panel's grants table and trash view: edits go to the host, which answers its status. */
export const useGrantsStore = defineStore('grants', () => {
  const host = useHostStore()
  const notices = useNoticesStore()
  const busy = ref(false)

  async function apply(result: Promise<Envelope<HostStatus>>): Promise<void> {
    busy.value = true
    try {
      const status = notices.unwrap(await result)
      if (status) host.status = status
    } finally {
      busy.value = false
    }
  }

  const save = (rows: GrantRow[]) =>
    apply(bridge().invoke('host:grants', { grants: rows.map(editOf) }))
  const regenerate = (id: string) => apply(bridge().invoke('host:regenerate', { id }))
  const restore = (id: string) => apply(bridge().invoke('host:restore', { id }))
  const emptyTrash = () => apply(bridge().invoke('host:emptyTrash', {}))

  return { busy, roles: ROLE_NAMES, save, regenerate, restore, emptyTrash }
})
