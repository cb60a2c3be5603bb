/** What a running host reports about itself: the server emits these, the app shows them. */

export interface ConnectedClient {
  id: number
  /** "ip:port" of the remote end. */
  remote: string
  connectedAt: number
}

/** One line of the host's log. */
export interface LogLine {
  time: number
  text: string
}
