// Test helpers (imported by *.test.ts only): the global fetch stubbed with a
// mock that answers JSON, as the API client sees a server.
import { afterEach, beforeEach, vi } from 'vitest'
import { resetClient } from '@/api/client'

/** A JSON answer with `status`. */
export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** A fetch mock stubbed as the global fetch around every test of the calling
 *  file: the client and the mock reset before each, the page emptied after. */
export function useFetchMock() {
  const fetchMock = vi.fn<typeof fetch>()
  beforeEach(() => {
    resetClient()
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })
  return fetchMock
}
