import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  beginUpload,
  createBucket,
  openForDownload,
  openRoot,
  type Root,
} from '../../../electron/storage/index.js'
import { DIGEST_MIN_BYTES } from '../../../electron/storage/digests.js'

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex')

let dir: string
let root: Root
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bucketshare-digests-'))
  root = await openRoot(dir)
  await createBucket(root, 'b')
})
afterEach(() => fs.rm(dir, { recursive: true, force: true }))

async function uploadBytes(name: string, content: Uint8Array): Promise<string> {
  const staged = await beginUpload(root, 'b', name, content.length, {
    by: { label: 'test', address: '127.0.0.1' },
    replace: true,
  })
  staged.write(content)
  return (await staged.complete()).sha256
}

/** What a download of the file would send as its sha256 without hashing. */
async function known(name: string): Promise<string | undefined> {
  const download = await openForDownload(root, 'b', name)
  await download.close()
  return download.sha256
}

/** Opens the file for download, reads it whole and reports it sent, as the server does. */
async function sendWhole(name: string): Promise<{ known?: string; bytes: Buffer }> {
  const download = await openForDownload(root, 'b', name)
  try {
    const parts: Buffer[] = []
    for await (const chunk of download.chunks) parts.push(Buffer.from(chunk))
    const bytes = Buffer.concat(parts)
    await download.sent(download.sha256 ?? sha256(bytes))
    return { ...(download.sha256 ? { known: download.sha256 } : {}), bytes }
  } finally {
    await download.close()
  }
}

describe('the sha256 of large files is known without hashing them again', () => {
  it('after the file was uploaded', async () => {
    const content = randomBytes(DIGEST_MIN_BYTES + 1)
    const digest = await uploadBytes('big.bin', content)
    expect(digest).toBe(sha256(content))
    expect(await known('big.bin')).toBe(digest)
  })

  it('after the file was sent whole once', async () => {
    const content = randomBytes(DIGEST_MIN_BYTES)
    await fs.writeFile(path.join(dir, 'b', 'placed.bin'), content)
    expect((await sendWhole('placed.bin')).known).toBeUndefined()
    expect((await sendWhole('placed.bin')).known).toBe(sha256(content))
  })

  it('but not once the file changed on disk, even to the same size', async () => {
    const file = path.join(dir, 'b', 'big.bin')
    await uploadBytes('big.bin', randomBytes(DIGEST_MIN_BYTES))
    const changed = randomBytes(DIGEST_MIN_BYTES)
    await fs.writeFile(file, changed)
    const again = await sendWhole('big.bin')
    expect(again.known).toBeUndefined()
    expect(again.bytes.equals(changed)).toBe(true)
    // Hashed on the way this time, and known from then on.
    expect((await sendWhole('big.bin')).known).toBe(sha256(changed))
  })

  it('nor once another upload replaced it', async () => {
    await uploadBytes('big.bin', randomBytes(DIGEST_MIN_BYTES))
    const second = randomBytes(DIGEST_MIN_BYTES)
    await uploadBytes('big.bin', second)
    expect(await known('big.bin')).toBe(sha256(second))
  })

  it('nor for small files, which cost little to hash', async () => {
    await uploadBytes('small.bin', randomBytes(DIGEST_MIN_BYTES - 1))
    await sendWhole('small.bin')
    expect(await known('small.bin')).toBeUndefined()
  })
})
