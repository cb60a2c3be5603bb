import path from 'node:path'
import type { Locator, Page } from 'playwright-core'

/**
 * The app as a person sees it, by the `data-testid`s the components carry. Every step waits for a
 * visible state of the app, never for time to pass.
 */
export class AppPage {
  constructor(readonly page: Page) {}

  id(testId: string): Locator {
    return this.page.getByTestId(testId)
  }

  async host(folder: string, port: number): Promise<void> {
    await this.id('host-folder').fill(folder)
    await this.id('host-port').fill(String(port))
    await this.id('host-toggle').click()
    await this.waitForText(this.id('host-addresses'), `127.0.0.1:${port}`)
  }

  async connect(host: string, port: number): Promise<void> {
    await this.id('connect-host').fill(host)
    await this.id('connect-port').fill(String(port))
    await this.id('connect-toggle').click()
    await this.waitForText(this.id('connection-status'), `Connected to ${host}:${port}`)
  }

  /** Connects to a host that wants an access code, without giving one. */
  async connectWithoutCode(host: string, port: number): Promise<void> {
    await this.id('connect-host').fill(host)
    await this.id('connect-port').fill(String(port))
    await this.id('connect-code').fill('')
    await this.id('connect-toggle').click()
    await this.waitForText(this.id('connection-status'), `Access code needed for ${host}:${port}`)
  }

  /** Types an access code in the prompt the Buckets tab shows. */
  async giveCode(code: string): Promise<void> {
    await this.id('code-prompt-input').fill(code)
    await this.id('code-prompt-submit').click()
  }

  /**
   * Every failure message on screen: the banner, the panels' inline errors, the prompt's. One
   * failure must show up in exactly one of them.
   */
  async messages(): Promise<string[]> {
    const shown = this.page.locator('[role="alert"]:visible, .error-text:visible')
    return (await shown.allTextContents()).map((t) => t.trim()).filter((t) => t !== '')
  }

  async openGui(): Promise<void> {
    await this.id('tab-gui').click()
  }

  async openConsole(): Promise<void> {
    await this.id('tab-console').click()
  }

  bucket(name: string): Locator {
    return this.page.locator(`[data-testid="bucket-item"][data-name="${name}"]`)
  }

  file(name: string): Locator {
    return this.page.locator(`[data-testid="file-row"][data-name="${name}"]`)
  }

  async createBucket(name: string): Promise<void> {
    await this.id('bucket-new-name').fill(name)
    await this.id('bucket-create').click()
    await this.bucket(name).waitFor()
  }

  async upload(files: string[]): Promise<void> {
    await this.id('upload-input').setInputFiles(files)
    for (const file of files) await this.file(path.basename(file)).waitFor()
  }

  /** Types a console line and returns the status text shown for it. */
  async run(line: string): Promise<string> {
    const before = await this.id('console-entry').count()
    await this.id('console-input').fill(line)
    await this.id('console-input').press('Enter')
    const entry = this.id('console-entry').nth(before)
    await entry.waitFor()
    const status = entry.getByTestId('console-status')
    await status.waitFor()
    return (await status.textContent()) ?? ''
  }

  async waitForText(locator: Locator, text: string): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor()
  }
}
