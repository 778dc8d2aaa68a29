import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { API_ROUTES, ingestRouteOf, matchRoute, settingsWriteKeyOf } from '#shared/events/routes.ts'

const segment = fc.string({ minLength: 1, maxLength: 40 }).filter((value) => !value.includes('/'))

describe('the route table', () => {
  it('takes every analytics.js path: one letter per call type, batches on /v1/b', () => {
    expect(['b', 't', 'p', 'i', 'g', 'a', 's'].map((letter) => ingestRouteOf(`/v1/${letter}`))).toEqual([
      'batch',
      'track',
      'page',
      'identify',
      'group',
      'alias',
      'screen',
    ])
    expect(ingestRouteOf('/beacon/v1/batch')).toBe('batch')
  })

  it('matches each route with its method only, and names the route key as API Gateway does', () => {
    expect(matchRoute('GET', '/v1/consent/visitor-1')).toEqual({
      route: { method: 'GET', path: '/v1/consent/{anonymousId}', function: 'consent' },
      routeKey: 'GET /v1/consent/{anonymousId}',
      rawPathParameters: { anonymousId: 'visitor-1' },
    })
    expect(matchRoute('PUT', '/v1/batch')).toBeUndefined()
    expect(matchRoute('POST', '/v1/batch/')).toBeUndefined()
    expect(matchRoute('GET', '/v1/consent/')).toBeUndefined()
    expect(matchRoute('POST', '/v1/consent/visitor-1/objection')?.routeKey).toBe(
      'POST /v1/consent/{anonymousId}/objection',
    )
  })

  it('sends the visitors’ rights to the consent function: traits by PUT, every other right by POST', () => {
    expect(API_ROUTES.filter((route) => route.path.startsWith('/v1/privacy/'))).toEqual([
      { method: 'POST', path: '/v1/privacy/export', function: 'consent' },
      { method: 'POST', path: '/v1/privacy/restrict', function: 'consent' },
      { method: 'POST', path: '/v1/privacy/object', function: 'consent' },
      { method: 'PUT', path: '/v1/privacy/traits', function: 'consent' },
      { method: 'POST', path: '/v1/privacy/erase', function: 'consent' },
      { method: 'POST', path: '/v1/privacy/erase/status', function: 'consent' },
    ])
  })

  it('finds every declared route from a request on it, with the segment as sent', () => {
    fc.assert(
      fc.property(fc.constantFrom(...API_ROUTES), segment, (route, value) => {
        const path = route.path.replace(/\{\w+\}/, () => value)
        const matched = matchRoute(route.method, path)
        expect(matched?.route).toEqual(route)
        if (route.path.includes('{')) expect(Object.values(matched?.rawPathParameters ?? {})).toEqual([value])
      }),
    )
  })

  it('never throws on any path, and reads the settings write key only from a settings path', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), (path, method) => {
        matchRoute(method, path)
        const key = settingsWriteKeyOf(path)
        if (key !== undefined) expect(path).toBe(`/v1/projects/${key}/settings`)
      }),
    )
  })
})
