import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchSender, MAX_RESPONSE_BODY_BYTES } from '#shared/adapters/fetch-sender.ts'
import type { VendorRequest } from '#shared/delivery/http.ts'
import { type CaptureResponse, type CaptureServer, startCaptureServer } from '../support/capture-server.ts'

let vendor: CaptureServer | undefined

afterEach(async () => {
  await vendor?.close()
  vendor = undefined
})

const requestTo = (url: string): VendorRequest => ({
  vendor: 'ga4',
  method: 'POST',
  url: `${url}/mp/collect?measurement_id=G-X&api_secret=s`,
  headers: { 'content-type': 'application/json' },
  body: '{"client_id":"1.2","events":[]}',
  messageIds: ['m1'],
})

describe('fetchSender', () => {
  it('sends method, headers and body, and returns the status, headers and answer', async () => {
    vendor = await startCaptureServer({
      respond: () => ({ status: 202, body: 'ok', headers: { 'Retry-After': '7' } }),
    })

    const response = await fetchSender().send(requestTo(vendor.url), { timeoutMs: 2_000 })

    expect(response).toMatchObject({ status: 202, body: 'ok', headers: { 'retry-after': '7' } })
    const [received] = vendor.requests
    expect(received).toMatchObject({
      method: 'POST',
      path: '/mp/collect',
      body: '{"client_id":"1.2","events":[]}',
    })
    expect(received?.headers['content-type']).toBe('application/json')
  })

  it('reads no more than a few KB of the answer', async () => {
    vendor = await startCaptureServer({ respond: () => ({ status: 400, body: 'e'.repeat(100_000) }) })

    const response = await fetchSender().send(requestTo(vendor.url), { timeoutMs: 2_000 })

    expect(response.status).toBe(400)
    expect(response.body).toHaveLength(MAX_RESPONSE_BODY_BYTES)
  })

  it('rejects when the vendor does not answer in time', async () => {
    vendor = await startCaptureServer({ respond: () => new Promise<CaptureResponse>(() => {}) })

    await expect(fetchSender().send(requestTo(vendor.url), { timeoutMs: 200 })).rejects.toThrow(
      /timeout|aborted/i,
    )
  })

  it('rejects when nothing listens', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await new Promise((resolve) => closed.once('listening', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))

    await expect(
      fetchSender().send(requestTo(`http://127.0.0.1:${port}`), { timeoutMs: 2_000 }),
    ).rejects.toThrow()
  })

  it('returns a redirect as it is instead of following it', async () => {
    vendor = await startCaptureServer({ respond: () => ({ status: 302 }) })

    const response = await fetchSender().send(requestTo(vendor.url), { timeoutMs: 2_000 })

    expect(response.status).toBe(302)
  })
})
