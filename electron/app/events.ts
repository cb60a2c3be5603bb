import { EventEmitter } from 'node:events'
import type { EventName, Events } from '../../shared/ipc.js'

/** The contract's events, as a typed emitter the services publish on and the transports forward. */
export class AppEvents extends EventEmitter<{ [E in EventName]: [Events[E]] }> {}

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void
