import type { Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  CORS_ALLOWED_HEADERS,
  CORS_ALLOWED_METHODS,
  CORS_EXPOSED_HEADERS,
  PREFLIGHT_MAX_AGE_SECONDS,
} from '#shared/http/cors.ts'
import { tagScript, versionedTagPath } from '#shared/tag/script.ts'
import { buildTag } from '../../tag/build.ts'
import {
  exampleConfig,
  exampleRuntimeInput,
  getAtt,
  logicalId,
  ref,
  resourceOf,
  synthesize,
} from './synth.ts'

const CERTIFICATE_ARN =
  'arn:aws:acm:eu-central-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666'

const config = exampleConfig({
  throttling: { rateLimit: 150, burstLimit: 300 },
  runtime: {
    ...exampleRuntimeInput(),
    sites: [
      {
        id: 'www',
        writeKeys: ['write-key-www'],
        allowedOrigins: ['https://www.example.com', 'https://example.com'],
      },
      {
        id: 'shop',
        writeKeys: ['write-key-shop'],
        allowedOrigins: ['https://shop.example.com', 'https://example.com'],
      },
    ],
  },
})
const { stack, template } = synthesize(config)

const routeSchema = z.object({
  Properties: z.object({
    ApiId: z.object({ Ref: z.string() }),
    RouteKey: z.string(),
    Target: z.object({
      'Fn::Join': z.tuple([
        z.literal(''),
        z.tuple([z.literal('integrations/'), z.object({ Ref: z.string() })]),
      ]),
    }),
  }),
})
const integrationSchema = z.object({
  Properties: z.object({
    IntegrationUri: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
  }),
})
const stageSchema = z.object({
  Properties: z.object({ AccessLogSettings: z.object({ Format: z.string() }) }),
})

/** Route key → logical id of the function its integration invokes, for the routes of one API. */
function routedFunctions(routes: Template, apiLogicalId: string): Record<string, string> {
  const integrations = routes.findResources('AWS::ApiGatewayV2::Integration')
  return Object.fromEntries(
    Object.values(routes.findResources('AWS::ApiGatewayV2::Route')).flatMap((raw) => {
      const route = routeSchema.parse(raw).Properties
      if (route.ApiId.Ref !== apiLogicalId) return []
      const integrationId = route.Target['Fn::Join'][1][1].Ref
      const integration = integrationSchema.parse(integrations[integrationId]).Properties
      return [[route.RouteKey, integration.IntegrationUri['Fn::GetAtt'][0]]]
    }),
  )
}

const apiSchema = z.object({
  Properties: z.object({
    CorsConfiguration: z.object({
      AllowHeaders: z.array(z.string()),
      AllowCredentials: z.boolean().optional(),
    }),
  }),
})

function corsConfiguration() {
  return apiSchema.parse(resourceOf(template, stack.ingest.api)).Properties.CorsConfiguration
}

function accessLogFormat(): string {
  return stageSchema.parse(resourceOf(template, stack.ingest.stage)).Properties.AccessLogSettings.Format
}

describe('the ingest API', () => {
  it('routes every Segment-compatible endpoint (analytics.js, RudderStack beacon), the contact forms, the pixel and the Calendly webhooks to the collector, consent to the consent function', () => {
    const collect = logicalId(stack.collect.function)
    const consent = logicalId(stack.consent.function)

    expect(routedFunctions(template, logicalId(stack.ingest.api))).toEqual({
      'POST /v1/batch': collect,
      'POST /v1/track': collect,
      'POST /v1/page': collect,
      'POST /v1/identify': collect,
      'POST /v1/b': collect,
      'POST /v1/t': collect,
      'POST /v1/p': collect,
      'POST /v1/i': collect,
      'POST /v1/group': collect,
      'POST /v1/g': collect,
      'POST /v1/alias': collect,
      'POST /v1/a': collect,
      'POST /v1/screen': collect,
      'POST /v1/s': collect,
      'POST /beacon/v1/batch': collect,
      'POST /v1/forms/{formId}': collect,
      'GET /p.gif': collect,
      'POST /v1/webhooks/calendly/{siteId}': collect,
      'GET /tag.js': collect,
      'GET /tag/{version}/tag.js': collect,
      'GET /v1/projects/{writeKey}/settings': collect,
      'GET /sourceConfig': collect,
      'PUT /v1/consent': consent,
      'GET /v1/consent/{anonymousId}': consent,
      'DELETE /v1/consent/{anonymousId}': consent,
      'POST /v1/consent/{anonymousId}/objection': consent,
      'POST /v1/privacy/export': consent,
      'POST /v1/privacy/restrict': consent,
      'POST /v1/privacy/object': consent,
      'PUT /v1/privacy/traits': consent,
      'POST /v1/privacy/erase': consent,
      'POST /v1/privacy/erase/status': consent,
    })
  })

  it('answers CORS preflights only for the configured origins, allowing the headers the function allows', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://www.example.com', 'https://example.com', 'https://shop.example.com'],
        AllowHeaders: [...CORS_ALLOWED_HEADERS],
        AllowMethods: [...CORS_ALLOWED_METHODS],
        ExposeHeaders: [...CORS_EXPOSED_HEADERS],
        MaxAge: PREFLIGHT_MAX_AGE_SECONDS,
      },
    })
  })

  it('admits the retry headers of analytics.js and RudderStack JS in the preflight', () => {
    const allowed = corsConfiguration().AllowHeaders
    expect(allowed).toEqual([...CORS_ALLOWED_HEADERS])
    expect(allowed).toEqual(
      expect.arrayContaining(['content-type', 'authorization', 'x-retry-count', 'anonymousid', 'sentat']),
    )
    expect(allowed).toEqual(expect.arrayContaining(['rsa-retry-attempt', 'rsa-since-last-attempt']))
  })

  it('allows credentials (the visitor token cookie) for the configured origins only, never any origin', () => {
    expect(corsConfiguration().AllowCredentials).toBe(true)
  })

  it('throttles the stage with the configured rate and burst', () => {
    expect(resourceOf(template, stack.ingest.stage)).toMatchObject({
      Properties: {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 150, ThrottlingBurstLimit: 300 },
      },
    })
  })

  it('writes access logs to a log group with the configured retention', () => {
    expect(resourceOf(template, stack.ingest.stage)).toMatchObject({
      Properties: { AccessLogSettings: { DestinationArn: getAtt(stack.ingest.accessLogs, 'Arn') } },
    })
    expect(resourceOf(template, stack.ingest.accessLogs)).toMatchObject({
      Properties: { RetentionInDays: 30 },
    })
  })

  it('logs request id, route, status, latency and size for each request', () => {
    const fields = z.record(z.string(), z.string()).parse(JSON.parse(accessLogFormat()))

    expect(Object.values(fields)).toEqual(
      expect.arrayContaining([
        '$context.requestId',
        '$context.routeKey',
        '$context.status',
        '$context.responseLatency',
        '$context.responseLength',
      ]),
    )
  })

  it('never logs the source IP, the user agent or the raw path (it can hold a visitor id)', () => {
    const format = accessLogFormat()

    expect(format).not.toMatch(/sourceIp/i)
    expect(format).not.toMatch(/userAgent/i)
    expect(format).not.toContain('$context.path')
    expect(format).not.toContain('$context.identity')
  })

  it('has no custom domain unless one is configured', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0)
  })
})

describe('the ingest API on the first-party subdomain', () => {
  const withDomain = synthesize(
    exampleConfig({ customDomain: { domainName: 't.example.com', certificateArn: CERTIFICATE_ARN } }),
  )
  const domainName = withDomain.stack.ingest.domainName
  if (!domainName) throw new Error('no custom domain was created')

  it('serves the configured domain with its regional certificate over TLS 1.2', () => {
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 't.example.com',
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    })
  })

  it('maps the domain to the $default stage', () => {
    withDomain.template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: ref(domainName),
      ApiId: ref(withDomain.stack.ingest.api),
      Stage: '$default',
    })
  })

  it('outputs the endpoint URL on the domain and the name to point a CNAME at', () => {
    withDomain.template.hasOutput('EndpointUrl', { Value: 'https://t.example.com/' })
    withDomain.template.hasOutput('TagUrl', {
      Value: `https://t.example.com${versionedTagPath(tagScript(buildTag().code).version)}`,
    })
    withDomain.template.hasOutput('CustomDomainTarget', { Value: getAtt(domainName, 'RegionalDomainName') })
  })
})
