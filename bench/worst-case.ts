import { performance } from 'node:perf_hooks'
import { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from '#shared/events/limits.ts'
import { type BenchHandler, batchRequest, benchCollectHandler, UA } from './collect-setup.ts'

/**
 * What a request of a given size costs the collector, by what it holds: ordinary events, or one
 * 32 KB event after another filled with a shape that made a detector backtrack (the quadratic e-mail
 * check took 8.1 s for one 482 KB batch). Every filler is also checked with an e-mail inside it.
 */

/** Near the 500 KB limit, leaving room for the envelope. */
const REQUEST_BYTES = MAX_REQUEST_BYTES - 20 * 1024
/** Under the 32 KB event limit once the event's other fields and JSON escaping are added. */
const FILLER_CHARS = MAX_EVENT_BYTES - 3 * 1024
const RUNS = 7

const ADVERSARIAL_FILLERS: ReadonlyArray<[string, string]> = [
  ['local-part characters', 'a'],
  ['at-signs before unending domains', 'a@1.'],
  ['encoded at-signs', 'a%40'],
  ['percent-encoded percent signs', '%25'],
  ['percent-encoded letters', '%41'],
  ['JWT header marks', 'eyJ'],
  ['capitals', 'A'],
  ['digits and spaces', '1 '],
  ['digits and dashes', '1-'],
  ['phone numbers', '0301234567 '],
  ['bearer words', 'bearer '],
  ['dotted words', 'a.'],
  ['many e-mail addresses', 'x@ab.cd '],
  ['double-encoded at-signs', 'a%2540'],
  ['plus signs', 'a+'],
  ['base64 runs', 'Ab1+'],
  ['digits in parentheses', '(1) '],
  ['JWT-like words', 'eyJ1.'],
  ['invalid UTF-8 escapes', '%FFa'],
  ['stray percent signs', 'a%2540%'],
]

const PROSE =
  'Spring sale: 20% off all plans until 31 May, order 4711 ships in 2 days. Compare plans, read the FAQ and ask us anything. '

function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length)
}

/** One event carrying `filler` where visitors' text lands: a property value, a key, the title, the URL. */
function eventWith(filler: string, index: number) {
  const quarter = Math.floor(filler.length / 4)
  return {
    type: 'track',
    event: 'Form Submitted',
    anonymousId: 'visitor-0',
    messageId: `worst-${index}`,
    properties: {
      note: filler.slice(0, quarter),
      [`k${filler.slice(0, 200)}`]: 1,
      link: `https://www.example.com/${filler.slice(0, quarter / 2)}`,
    },
    context: {
      userAgent: UA,
      page: {
        url: `https://www.example.com/${filler.slice(0, quarter / 2)}?q=${filler.slice(0, quarter / 2)}`,
        title: filler.slice(0, quarter),
      },
    },
  }
}

/** As many such events as fit the request size. */
function requestBody(filler: string): string {
  const event = JSON.stringify(eventWith(filler, 0))
  const count = Math.max(1, Math.floor(REQUEST_BYTES / (event.length + 1)))
  return JSON.stringify({ batch: Array.from({ length: count }, (_, index) => eventWith(filler, index)) })
}

/** Ordinary traffic of the same size: many small events of prose, numbers and plain URLs. */
function benignBody(): string {
  const batch = []
  let bytes = 0
  for (let index = 0; bytes < REQUEST_BYTES; index++) {
    const event = {
      type: index % 2 === 0 ? 'page' : 'track',
      event: 'Checkout Step Viewed',
      anonymousId: 'visitor-0',
      messageId: `benign-${index}`,
      properties: { step: index % 7, plan: 'pro', coupon: 'SPRING', note: PROSE },
      context: {
        userAgent: UA,
        page: {
          url: `https://www.example.com/pricing/plan-${index % 9}?utm_source=newsletter&step=${index % 4}`,
          title: PROSE.slice(0, 60),
          referrer: 'https://www.google.com/',
        },
      },
    }
    bytes += JSON.stringify(event).length + 1
    batch.push(event)
  }
  return JSON.stringify({ batch })
}

async function medianMs(handle: BenchHandler, body: string): Promise<number> {
  const event = batchRequest(body)
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    const result = await handle(event)
    times.push(performance.now() - started)
    const status = typeof result === 'object' ? result.statusCode : undefined
    if (status !== 200) throw new Error(`bench request was refused (${status}): ${JSON.stringify(result)}`)
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] ?? Number.NaN
}

function row(label: string, bytes: number, ms: number, ratio?: number): string {
  const note = ratio === undefined ? 'benign baseline' : `${ratio.toFixed(2)}× benign`
  return `  ${label.padEnd(36)}${String(bytes).padStart(8)} B${ms.toFixed(1).padStart(10)} ms  ${note}`
}

/** Prints the cost of each adversarial request against a benign one of the same size; returns the worst ratio. */
export async function runWorstCaseBench(): Promise<number> {
  const { handle } = await benchCollectHandler()
  const benign = benignBody()
  await medianMs(handle, benign)
  const benignMs = await medianMs(handle, benign)
  console.log(
    `worst-case input: one request of about ${Math.round(REQUEST_BYTES / 1024)} KB, median of ${RUNS} runs`,
  )
  console.log(row('ordinary events', benign.length, benignMs))
  let worst = { label: '', ratio: 0 }
  for (const [label, unit] of ADVERSARIAL_FILLERS) {
    for (const [variant, filler] of [
      ['', repeatTo(unit, FILLER_CHARS)],
      [
        ' + e-mail',
        `${repeatTo(unit, FILLER_CHARS / 2)} jane@example.com ${repeatTo(unit, FILLER_CHARS / 2)}`,
      ],
    ] as const) {
      const body = requestBody(filler)
      const ms = await medianMs(handle, body)
      const ratio = ms / benignMs
      if (ratio > worst.ratio) worst = { label: `${label}${variant}`, ratio }
      console.log(row(`${label}${variant}`, body.length, ms, ratio))
    }
  }
  console.log(`  worst: ${worst.label}, ${worst.ratio.toFixed(2)}× the ordinary request (target ≤ 3×)`)
  return worst.ratio
}

if (import.meta.url === `file://${process.argv[1]}`) await runWorstCaseBench()
