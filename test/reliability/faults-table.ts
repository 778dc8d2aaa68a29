import { type FaultFigures, type FaultRunOptions, faultModes, runFaultMode } from './fault-run.ts'

/**
 * `npm run faults`: the fault suite's figures per mode, at a larger scale than the test and with the
 * issue's 60 s outage. Backoff and Retry-After seconds last 50 ms here, so the 12 receives span about
 * as long as the outage. The GA4 timeout is 2 s (deployed: 5 s): the system, dynalite and the stand-in
 * share one process, and under the burst a shorter timeout gives up on answers the stand-in did send,
 * which counts as a duplicate. Figures, not assertions: the test (faults.test.ts) asserts.
 */
const OUTAGE_MS = 60_000
const options: FaultRunOptions = {
  events: Number(process.env.FAULT_EVENTS ?? 2_000),
  batchSize: 50,
  visitors: 40,
  vendorTimeoutMs: 2_000,
  redeliverySecondMs: 50,
  settleTimeoutMs: 10 * 60_000,
}

const rows: FaultFigures[] = []
for (const mode of faultModes(OUTAGE_MS)) {
  const started = Date.now()
  const figures = await runFaultMode(mode, options)
  rows.push(figures)
  console.error(`${mode.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

const header = [
  'mode',
  'accepted',
  'delivered',
  'dead-lettered',
  'lost',
  'duplicates',
  'dup %',
  'vendor requests',
  'invalid requests',
  'collect+consent answered while vendor hung',
]
const table = rows.map((row) => [
  row.mode,
  String(row.accepted),
  String(row.delivered),
  String(row.deadLettered),
  String(row.lost),
  String(row.duplicates),
  ((100 * row.duplicates) / Math.max(1, row.accepted)).toFixed(2),
  String(row.vendorRequests),
  String(row.invalidRequests),
  row.answeredWhileVendorHung ? 'yes' : 'NO',
])
const widths = header.map((title, column) =>
  Math.max(title.length, ...table.map((row) => row[column]?.length ?? 0)),
)
const line = (cells: ReadonlyArray<string>) =>
  `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
console.log(line(header))
console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`)
for (const row of table) console.log(line(row))
console.log(
  `\n${options.events} events per mode, ${options.batchSize} per request, GA4 timeout ${options.vendorTimeoutMs} ms, 1 s of backoff = ${options.redeliverySecondMs} ms, maxReceiveCount 12`,
)
