import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App, Validations } from 'aws-cdk-lib'
import { Queue } from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { addTagwardenStack } from '../../infra/tagwarden-app.ts'
import { exampleConfig, exampleConfigInput, synthesize } from './synth.ts'

const CERTIFICATE_ARN =
  'arn:aws:acm:eu-central-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666'

const acknowledgementSchema = z.record(z.string(), z.string())

/** Every acknowledged rule in the app as `rule @ construct path`, with its reason. */
function acknowledgements(root: IConstruct): Array<{ rule: string; path: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(acknowledgementSchema.parse(entry.data)).map(([id, reason]) => ({
          rule: id.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  )
}

describe('cdk-nag AWS Solutions checks', () => {
  const example = synthesize(exampleConfig())
  const withDomain = synthesize(
    exampleConfig({ customDomain: { domainName: 't.example.com', certificateArn: CERTIFICATE_ARN } }),
  )
  // No region: the admin policy's acknowledged resource then holds <AWS::Region>, not a region name.
  const { region: _region, ...anywhere } = exampleConfigInput()
  const environmentAgnostic = synthesize(exampleConfig({ ...anywhere, stage: 'anywhere' }))

  it.each([
    ['the example deployment', example.app],
    ['a deployment on a custom domain', withDomain.app],
    ['an environment-agnostic deployment', environmentAgnostic.app],
  ])('find nothing unacknowledged in %s', (_name, app) => {
    const report = new AwsSolutionsChecks().validateScope(app)

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([])
  })

  it('acknowledge only the public routes (no authorizer), the secrets that cannot rotate on a schedule and the IAM resources that cannot be narrower, none on the admin API', () => {
    const acknowledged = acknowledgements(example.app).map(({ rule, path }) => `${rule} @ ${path}`)

    expect(acknowledged.sort()).toEqual(
      [
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--batch',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--track',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--page',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--identify',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--b',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--t',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--p',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--i',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--group',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--g',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--alias',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--a',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--screen',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--s',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--beacon--v1--batch',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--v1--projects--{writeKey}--settings',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--sourceConfig',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--forms--{formId}',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--p.gif',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--webhooks--calendly--{siteId}',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--tag.js',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--tag--{version}--tag.js',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/PUT--v1--consent',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/GET--v1--consent--{anonymousId}',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/DELETE--v1--consent--{anonymousId}',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--consent--{anonymousId}--objection',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--privacy--export',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--privacy--restrict',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--privacy--object',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/PUT--v1--privacy--traits',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--privacy--erase',
        'AwsSolutions-APIG4 @ Tagwarden-example/Ingest/Api/POST--v1--privacy--erase--status',
        'AwsSolutions-SMG4 @ Tagwarden-example/PseudonymKey',
        'AwsSolutions-SMG4 @ Tagwarden-example/CalendlySigningKeys',
        'AwsSolutions-SMG4 @ Tagwarden-example/Ga4Delivery/Credentials',
        'AwsSolutions-SMG4 @ Tagwarden-example/MetaDelivery/Credentials',
        'AwsSolutions-SMG4 @ Tagwarden-example/LinkedinDelivery/Credentials',
        'AwsSolutions-SMG4 @ Tagwarden-example/HubspotDelivery/Credentials',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] @ Tagwarden-example/AWS679f53fac002430cb0da5b7982bd2287/ServiceRole',
        // cloudwatch:GetMetricData has no resource-level permissions; alone in its own policy.
        'AwsSolutions-IAM5[Resource::*] @ Tagwarden-example/Admin/MetricsReader',
        // Any method, any path parameter, under /admin/ of the admin API's stage.
        'AwsSolutions-IAM5[Resource::arn:aws:execute-api:eu-central-1:<AWS::AccountId>:<AdminApiB3376E39>/$default/*/admin/*] @ Tagwarden-example/AdminApi/InvokePolicy',
      ].sort(),
    )
  })

  it('give each acknowledgement a written reason', () => {
    for (const { reason } of acknowledgements(example.app)) expect(reason.length).toBeGreaterThan(80)
  })

  it('stop the synth when a resource breaks a rule', () => {
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'tagwarden-cdk-')),
      context: { 'aws:cdk:bundling-stacks': [] },
    })
    const stack = addTagwardenStack(app, exampleConfig())
    new Queue(stack, 'QueueWithoutDeadLetterQueueOrTls')

    expect(() => app.synth()).toThrow(/SQS queue does not require requests to use SSL. \(AwsSolutions\)/)
  })
})
