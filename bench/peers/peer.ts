import type { Cpu } from '../cpu.js'

/** One transfer to time: what it writes (checked and removed afterwards) and how to run it. */
export interface PeerStep {
  written: string
  /** Runs the transfer to its end; resolves with the client side's CPU. */
  run(): Promise<Cpu>
}

/**
 * Another way to move the large file, run side by side with ours: a server and its client, as
 * people run them. Each peer holds a copy of the file to download from its own server.
 */
export interface Peer {
  /** As the table shows it, e.g. `vsftpd + curl`. */
  label: string
  /** What the pair does per byte besides moving it, for the table's footnote. */
  note: string
  upload(source: string, name: string): PeerStep
  download(name: string): PeerStep
  /** The server's CPU so far (its reaped children included). */
  serverCpu(): Promise<Cpu>
  stop(): Promise<void>
}
