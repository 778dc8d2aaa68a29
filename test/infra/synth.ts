import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App, CfnResource, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import type { IConstruct } from 'constructs'
import { z } from 'zod'
import { REPO_ROOT } from '../../infra/bundling.ts'
import { CONFIG_FILE_CONTEXT_KEY, type InfraConfig, parseInfraConfig } from '../../infra/config.ts'
import { addTagwardenStack } from '../../infra/tagwarden-app.ts'
import type { TagwardenStack } from '../../infra/tagwarden-stack.ts'

export const EXAMPLE_CONFIG_FILE = join(REPO_ROOT, 'infra/config.example.json')

const cdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) })

/** The feature flags and settings cdk.json gives `npx cdk synth`, minus the configuration file it names. */
function cdkJsonContext(): Record<string, unknown> {
  const { context } = cdkJsonSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')))
  const { [CONFIG_FILE_CONTEXT_KEY]: _configFile, ...settings } = context
  return settings
}

/** The example configuration as raw JSON, for tests that change one field. */
export function exampleConfigInput(): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')))
}

/** The example configuration with top-level fields replaced. */
export function exampleConfig(overrides: Record<string, unknown> = {}): InfraConfig {
  return parseInfraConfig({ ...exampleConfigInput(), ...overrides })
}

export interface Synthesized {
  app: App
  stack: TagwardenStack
  template: Template
  outdir: string
}

/**
 * Synthesises the deployment as `npx cdk synth` would (same feature flags, cdk-nag registered) into
 * a temporary directory. Bundling is skipped unless asked for: assertions on the template do not
 * need the code, and esbuild is then the slowest part.
 */
export function synthesize(config: InfraConfig, options: { bundle?: boolean } = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'tagwarden-cdk-'))
  const context = options.bundle ? cdkJsonContext() : { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }
  const app = new App({ outdir, context })
  const stack = addTagwardenStack(app, config)
  return { app, stack, template: Template.fromStack(stack), outdir }
}

/** The CloudFormation logical id of a construct's underlying resource. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct
  if (!CfnResource.isCfnResource(resource))
    throw new Error(`${construct.node.path} has no CloudFormation resource`)
  return Stack.of(resource).getLogicalId(resource)
}

/** `{ Ref: id }` as it appears in a template. */
export function ref(construct: IConstruct): { Ref: string } {
  return { Ref: logicalId(construct) }
}

/** `{ 'Fn::GetAtt': [id, attribute] }` as it appears in a template. */
export function getAtt(construct: IConstruct, attribute: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId(construct), attribute] }
}

const policySchema = z.object({
  Properties: z.object({
    PolicyDocument: z.object({ Statement: z.array(z.unknown()) }),
    Roles: z.array(z.unknown()),
  }),
})

/** The roles (as `{ Ref }` JSON) whose inline policies mention the given resource at all. */
export function rolesWithPolicyMentioning(template: Template, resource: IConstruct): string[] {
  const mention = JSON.stringify(ref(resource))
  const mentionAttribute = `"Fn::GetAtt":["${logicalId(resource)}"`
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((raw) => {
    const policy = policySchema.parse(raw)
    const statements = JSON.stringify(policy.Properties.PolicyDocument.Statement)
    if (!statements.includes(mention) && !statements.includes(mentionAttribute)) return []
    return policy.Properties.Roles.map((role) => JSON.stringify(role))
  })
}

/** A construct's resource in the template (type, properties, policies), to match with `toMatchObject`. */
export function resourceOf(template: Template, construct: IConstruct): unknown {
  const resources: Record<string, unknown> = template.toJSON().Resources
  return resources[logicalId(construct)]
}

/** The example's runtime section as raw JSON. */
export function exampleRuntimeInput(): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(exampleConfigInput().runtime)
}
