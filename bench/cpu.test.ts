import { describe, expect, it } from 'vitest'
import { cpuSince, processCpu, runMeasured } from './cpu.js'

describe('runMeasured', () => {
  it("reports the command's own CPU time, start-up included, and its output", async () => {
    // Busy for about 100 ms of CPU, then prints: the figure must reflect that work.
    const { cpu, stdout } = await runMeasured(
      `node -e "const end = process.cpuUsage().user + 100e3; while (process.cpuUsage().user < end); console.log('done')"`,
    )
    expect(stdout.trim()).toBe('done')
    expect(cpu.user + cpu.system).toBeGreaterThanOrEqual(100)
  })

  it('feeds the input to the command', async () => {
    expect((await runMeasured('cat', { input: 'upload a b c\n' })).stdout).toBe('upload a b c\n')
  })

  it('rejects with what the command said when it fails', async () => {
    await expect(runMeasured('echo nope >&2; exit 3')).rejects.toThrow(/exited with 3: nope/)
  })
})

describe('processCpu', () => {
  it("grows with this process's work", async () => {
    const before = await processCpu(process.pid)
    const end = process.cpuUsage().user + 100e3
    while (process.cpuUsage().user < end);
    const used = cpuSince(before, await processCpu(process.pid))
    expect(used.user + used.system).toBeGreaterThanOrEqual(50)
  })
})
