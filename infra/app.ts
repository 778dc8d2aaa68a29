import { App } from 'aws-cdk-lib'
import { InfraConfigError, infraConfigFromContext } from './config.ts'
import { addTagwardenStack } from './tagwarden-app.ts'

const app = new App()
try {
  addTagwardenStack(app, infraConfigFromContext(app.node))
} catch (error) {
  if (!(error instanceof InfraConfigError)) throw error
  // A configuration mistake is the operator's to fix: the message names it, a stack trace would bury it.
  console.error(error.message)
  process.exit(1)
}
