import { runBundleBench } from './bundles.ts'
import { runCollectBench } from './collect.ts'

await runCollectBench()
console.log('')
await runBundleBench()
