#!/usr/bin/env node
// The CLI is TypeScript like the rest of the project; tsx runs it without a build step.
import { register } from 'tsx/esm/api'

register()
await import('../cli/main.ts')
