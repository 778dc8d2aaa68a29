import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions'
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Key } from 'aws-cdk-lib/aws-kms'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'

const DEAD_LETTER_PERIOD = Duration.minutes(1)
const QUEUE_AGE_PERIOD = Duration.minutes(5)
const FUNCTION_PERIOD = Duration.minutes(5)

export interface AlarmsProps {
  /** Subscribed to the alarm topic; AWS sends a confirmation e-mail after the first deploy. */
  readonly email: string
}

/**
 * Alarms that page a human, all published to one encrypted SNS topic. Each `on…` method adds the
 * alarms for one resource, so the stack wires them next to what they watch.
 */
/** Where tagwarden's own metrics go (the collector's PixelClientErrors among them). */
const METRIC_NAMESPACE = 'tagwarden'

export class Alarms extends Construct {
  public readonly topic: Topic

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id)
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts tagwarden alarm notifications',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    })
    // CloudWatch publishes to an encrypted topic only if the key lets it encrypt.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    )
    this.topic = new Topic(this, 'Topic', {
      displayName: 'tagwarden alarms',
      masterKey: key,
      enforceSSL: true,
    })
    this.topic.addSubscription(new EmailSubscription(props.email))
  }

  /** Any message in a dead-letter queue means an event was not delivered. */
  onDeadLetters(id: string, deadLetterQueue: IQueue): void {
    this.alarm(`${id}DeadLetters`, {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: DEAD_LETTER_PERIOD,
        statistic: 'Maximum',
      }),
      threshold: 1,
      description: `${id}: messages in the dead-letter queue (undelivered events)`,
    })
  }

  /** Delivery is falling behind: the oldest waiting message is older than `maxAge`. */
  onOldestMessage(id: string, queue: IQueue, maxAge: Duration): void {
    this.alarm(`${id}OldestMessage`, {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: QUEUE_AGE_PERIOD, statistic: 'Maximum' }),
      threshold: maxAge.toSeconds() + 1,
      description: `${id}: oldest queued message is older than ${maxAge.toHumanString()}`,
    })
  }

  /**
   * The vendor answered 426 Upgrade Required: the API version we send is sunset (LinkedIn's monthly
   * `LinkedIn-Version`). Retries cannot fix it; an admin must move the vendor's version setting. Read
   * from the deliverer's own log lines (`retry` with the answer in its reason), so no code change is
   * needed per vendor.
   */
  onVersionSunset(id: string, logGroup: ILogGroup): void {
    const metricName = `${id}VersionSunset`
    new MetricFilter(this, `${id}VersionSunsetFilter`, {
      logGroup,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', 'retry'),
        FilterPattern.stringValue('$.reason', '=', '*answered 426*'),
      ),
      metricNamespace: METRIC_NAMESPACE,
      metricName,
      metricValue: '1',
    })
    this.alarm(metricName, {
      metric: new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        period: FUNCTION_PERIOD,
        statistic: 'Sum',
      }),
      threshold: 1,
      description: `${id}: the vendor refuses our API version as sunset (426); update its version setting`,
    })
  }

  /** Function errors (failed requests) and throttles (requests turned away). */
  onFunctionFailures(id: string, fn: IFunction): void {
    this.alarm(`${id}Errors`, {
      metric: fn.metricErrors({ period: FUNCTION_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description: `${id}: function errors`,
    })
    this.alarm(`${id}Throttles`, {
      metric: fn.metricThrottles({ period: FUNCTION_PERIOD, statistic: 'Sum' }),
      threshold: 1,
      description: `${id}: function throttles`,
    })
  }

  private alarm(id: string, props: { metric: Metric; threshold: number; description: string }): void {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    })
    alarm.addAlarmAction(new SnsAction(this.topic))
  }
}
