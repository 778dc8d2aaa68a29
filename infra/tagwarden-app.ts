import { type App, Tags, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { InfraConfig } from './config.ts'
import { TagwardenStack } from './tagwarden-stack.ts'

/**
 * Adds the deployment to an app and makes every synth run the AWS Solutions checks: any finding
 * that is not acknowledged, with its reason, on the resource it concerns stops the synth.
 */
export function addTagwardenStack(app: App, config: InfraConfig): TagwardenStack {
  const stack = new TagwardenStack(app, `Tagwarden-${config.stage}`, {
    config,
    description: `tagwarden consent-enforcing server-side tag manager (${config.stage})`,
    ...(config.account || config.region ? { env: { account: config.account, region: config.region } } : {}),
  })
  Tags.of(stack).add('project', 'tagwarden')
  Tags.of(stack).add('stage', config.stage)
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return stack
}
