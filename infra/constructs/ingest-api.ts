import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import {
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { API_ROUTES, type ApiFunction } from '#shared/events/routes.ts'
import {
  CORS_ALLOWED_HEADERS,
  CORS_ALLOWED_METHODS,
  CORS_EXPOSED_HEADERS,
  PREFLIGHT_MAX_AGE_SECONDS,
} from '#shared/http/cors.ts'

/**
 * One JSON line per request: enough to trace and size traffic, nothing that identifies a visitor.
 * Deliberately absent: `$context.identity.sourceIp`, `$context.identity.userAgent`, and
 * `$context.path` (GET /v1/consent/{anonymousId} would put the visitor id in the log).
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  protocol: '$context.protocol',
  integrationStatus: '$context.integrationStatus',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
}

const PUBLIC_ENDPOINT_REASON =
  "Public first-party endpoint: visitors' browsers (Segment-compatible clients, pixels, the consent banner) call it without AWS credentials, so an IAM or JWT authorizer cannot apply. Instead the function rejects requests without a configured site write key (401) or from a foreign Origin (403), CORS admits only configured origins, the stage is throttled (rate and burst from config), bodies are size-limited, and the routes only accept events or a visitor's own consent record, or answer the public analytics.js settings of a known write key, never other stored data."

export interface IngestApiProps {
  /** Answers the Segment-compatible ingestion routes, GET /p.gif and GET /v1/projects/{writeKey}/settings. */
  readonly collect: IFunction
  /** Answers PUT /v1/consent and GET|DELETE /v1/consent/{anonymousId}. */
  readonly consent: IFunction
  /** Every configured site's origins; the only ones CORS admits. */
  readonly allowedOrigins: string[]
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number }
  readonly logRetention: RetentionDays
  /** The site's first-party subdomain with its regional ACM certificate. @default - execute-api URL only */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string }
}

/**
 * The first-party HTTP API: Segment-compatible collect routes and the consent routes, a throttled
 * `$default` stage with privacy-safe access logs, CORS answered by API Gateway for configured
 * origins only, and optionally the site's own subdomain in front.
 */
export class IngestApi extends Construct {
  public readonly api: HttpApi
  public readonly stage: HttpStage
  public readonly accessLogs: LogGroup
  public readonly domainName: DomainName | undefined
  /** Where clients send events: the custom domain when configured, else the execute-api URL. */
  public readonly endpointUrl: string

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id)

    this.api = new HttpApi(this, 'Api', {
      description: 'tagwarden first-party collection and consent endpoint',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.allowedOrigins,
        allowMethods: CORS_ALLOWED_METHODS.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...CORS_ALLOWED_HEADERS],
        exposeHeaders: [...CORS_EXPOSED_HEADERS],
        // The visitor token is a cookie, which a page's fetch sends only with credentials allowed. API
        // Gateway puts its own CORS headers on every response (refusals included) and ignores the
        // function's, so here a configured origin may read a refusal with credentials too; never '*'.
        allowCredentials: true,
        maxAge: Duration.seconds(PREFLIGHT_MAX_AGE_SECONDS),
      },
    })

    this.domainName = props.customDomain
      ? new DomainName(this, 'CustomDomain', {
          domainName: props.customDomain.domainName,
          certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
          securityPolicy: SecurityPolicy.TLS_1_2,
        })
      : undefined

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttling,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
    })
    this.endpointUrl = this.domainName ? `https://${props.customDomain?.domainName}/` : this.stage.url

    const integrations: Record<ApiFunction, HttpLambdaIntegration> = {
      collect: new HttpLambdaIntegration('Collect', props.collect),
      consent: new HttpLambdaIntegration('Consent', props.consent),
    }
    const routes = API_ROUTES.flatMap((route) =>
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.function],
      }),
    )
    for (const route of routes) acknowledgePublicRoute(route)
  }
}

function acknowledgePublicRoute(route: HttpRoute): void {
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: PUBLIC_ENDPOINT_REASON })
}
