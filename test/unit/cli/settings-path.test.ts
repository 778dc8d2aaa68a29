import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyAssignments, parseAssignment, parseValue } from '../../../cli/settings-path.ts'

describe('vendors set: key=value', () => {
  it('reads a value as JSON when it parses, else as the string typed', () => {
    expect(parseValue('true')).toBe(true)
    expect(parseValue('42')).toBe(42)
    expect(parseValue('null')).toBeNull()
    expect(parseValue('["a",1]')).toEqual(['a', 1])
    expect(parseValue('{"x":1}')).toEqual({ x: 1 })
    expect(parseValue('G-ABC123')).toBe('G-ABC123')
    expect(parseValue('"42"')).toBe('42')
    expect(parseValue('')).toBe('')
  })

  it('keeps everything after the first = as the value', () => {
    expect(parseAssignment('endpoint=https://x.example/?a=b')).toEqual({
      path: ['endpoint'],
      value: 'https://x.example/?a=b',
    })
  })

  it('sets a dot path, creating objects on the way and leaving the rest alone', () => {
    const before = { measurementId: 'G-1', debug: { enabled: false, level: 1 }, list: [1] }
    const after = applyAssignments(before, [
      { path: ['debug', 'enabled'], value: true },
      { path: ['forms', 'contact', 'formGuid'], value: 'abc' },
      { path: ['list'], value: 'replaced' },
    ])
    expect(after).toEqual({
      measurementId: 'G-1',
      debug: { enabled: true, level: 1 },
      forms: { contact: { formGuid: 'abc' } },
      list: 'replaced',
    })
    expect(before.debug.enabled).toBe(false)
  })

  it('starts from an empty object when a vendor has no settings yet', () => {
    expect(applyAssignments(null, [{ path: ['pixelId'], value: '123' }])).toEqual({ pixelId: '123' })
  })

  it('refuses keys that would reach the prototype', () => {
    expect(parseAssignment('__proto__.polluted=1')).toEqual({ error: '"__proto__" cannot be a settings key' })
    expect(parseAssignment('a.constructor.prototype=1')).toMatchObject({
      error: expect.stringMatching(/constructor/),
    })
  })

  it('replaces a scalar standing in the way of a deeper path', () => {
    expect(applyAssignments({ a: 1 }, [{ path: ['a', 'b'], value: 2 }])).toEqual({ a: { b: 2 } })
  })

  it('reads back exactly what any JSON value and any dotted key path say', () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter(
        (text) =>
          !text.includes('.') &&
          !text.includes('=') &&
          !['__proto__', 'constructor', 'prototype'].includes(text),
      )
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.jsonValue(), (path, value) => {
        const parsed = parseAssignment(`${path.join('.')}=${JSON.stringify(value)}`)
        if ('error' in parsed) return false
        expect(parsed.path).toEqual(path)
        expect(parsed.value).toEqual(JSON.parse(JSON.stringify(value)))
        let node: unknown = applyAssignments({}, [parsed])
        for (const key of path) node = (node as Record<string, unknown>)[key]
        expect(node).toEqual(parsed.value)
        return true
      }),
    )
  })
})
