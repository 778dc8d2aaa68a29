import { CfnElement, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { ADMIN_ROUTES } from '#shared/admin/api.ts'
import { ACCESS_LOG_FIELDS } from './ingest-api.ts'

/** Every admin route is under it (ADMIN_ROUTES); the managed policy grants nothing outside. */
const ADMIN_PATH_PREFIX = '/admin/'

/** A handful of people call it; anything faster is a script gone wrong. */
export const ADMIN_THROTTLING = { rateLimit: 10, burstLimit: 20 } as const

/**
 * The ingest API's fields plus the caller: every admin call is signed, and who made a refused or
 * failed one is what a security review asks first. An admin's IAM ARN, never a visitor's data.
 */
const ADMIN_ACCESS_LOG_FIELDS = { ...ACCESS_LOG_FIELDS, caller: '$context.identity.userArn' }

export interface AdminApiProps {
  /** Answers every route in ADMIN_ROUTES. */
  readonly admin: IFunction
  readonly logRetention: RetentionDays
  /** Name of the managed policy that lets a principal call the API. */
  readonly policyName: string
}

/**
 * The admin HTTP API, separate from the public ingest API: exactly the routes of ADMIN_ROUTES, each
 * authorised by IAM (a SigV4-signed request from a principal allowed `execute-api:Invoke`), no CORS
 * (the admin page is served by the CLI's local proxy, never from a browser origin), a throttled
 * `$default` stage with access logs, and the managed policy ops attach to an admin's role.
 */
export class AdminApi extends Construct {
  public readonly api: HttpApi
  public readonly stage: HttpStage
  public readonly accessLogs: LogGroup
  /** `execute-api:Invoke` on this API's admin routes, nothing else. */
  public readonly invokePolicy: ManagedPolicy

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id)

    this.api = new HttpApi(this, 'Api', {
      description: 'tagwarden admin API (IAM-authorised)',
      createDefaultStage: false,
    })
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: ADMIN_THROTTLING,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ADMIN_ACCESS_LOG_FIELDS)),
      },
    })

    const integration = new HttpLambdaIntegration('Admin', props.admin, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    })
    const authorizer = new HttpIamAuthorizer()
    for (const route of ADMIN_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer })
    }

    this.invokePolicy = new ManagedPolicy(this, 'InvokePolicy', {
      managedPolicyName: props.policyName,
      description: `Lets a principal call the tagwarden admin API of ${Stack.of(this).stackName}`,
      statements: [
        new PolicyStatement({
          actions: ['execute-api:Invoke'],
          resources: [this.api.arnForExecuteApi('*', `${ADMIN_PATH_PREFIX}*`, this.stage.stageName)],
        }),
      ],
    })
    Validations.of(this.invokePolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${this.nagInvokeResource()}]`,
      reason:
        "execute-api:Invoke on this API's $default stage, for paths under /admin/ only: the wildcards stand for the HTTP method and the path parameters ({id}); the API serves no other routes and IAM has no narrower form for a path parameter.",
    })
  }

  /** The policy's resource as cdk-nag names it in the finding id: tokens as `<LogicalId>` or `<AWS::…>`. */
  private nagInvokeResource(): string {
    const stack = Stack.of(this)
    const api = this.api.node.defaultChild
    if (!CfnElement.isCfnElement(api)) throw new Error('HttpApi has no CloudFormation resource')
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value)
    return [
      `arn:${pseudo(stack.partition, 'Partition')}:execute-api:${pseudo(stack.region, 'Region')}`,
      `:${pseudo(stack.account, 'AccountId')}:<${stack.resolve(stack.getLogicalId(api))}>`,
      `/${this.stage.stageName}/*${ADMIN_PATH_PREFIX}*`,
    ].join('')
  }
}
