import { runBundleBench } from './bundles.ts'
import { runCollectBench } from './collect.ts'
import { runWorstCaseBench } from './worst-case.ts'

await runCollectBench()
console.log('')
await runWorstCaseBench()
console.log('')
await runBundleBench()
