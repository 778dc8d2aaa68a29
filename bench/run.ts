import { runBundleBench } from './bundles.ts'
import { runCollectBench } from './collect.ts'
import { runTagSizeBench } from './tag-size.ts'
import { runWorstCaseBench } from './worst-case.ts'

await runTagSizeBench()
console.log('')
await runCollectBench()
console.log('')
await runWorstCaseBench()
console.log('')
await runBundleBench()
