import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import type { SQSClient } from '@aws-sdk/client-sqs'
import type { LastDelivery, VendorStatus } from '#shared/admin/api.ts'
import type { LastDeliveryStore, VendorStatusSource } from '#shared/admin/ports.ts'
import type { VendorId } from '#shared/vendors/index.ts'
import { queueCounts } from './sqs-queue-attributes.ts'

/** How far back the oldest-message age is looked up; SQS publishes it once a minute. */
export const OLDEST_AGE_WINDOW_MS = 5 * 60 * 1000
const OLDEST_AGE_PERIOD_SECONDS = 60

export interface VendorQueueUrls {
  queueUrl: string
  deadLetterQueueUrl: string
}

export interface SqsVendorStatusOptions {
  sqs: SQSClient
  cloudwatch: CloudWatchClient
  queues: Partial<Record<VendorId, VendorQueueUrls>>
  lastDelivery: LastDeliveryStore
  /** Each figure that could not be read (it is null in the status); the admin's list still answers. */
  onError?: (error: unknown) => void
  now?: () => Date
}

/**
 * A vendor's live figures in AWS: its queue's and DLQ's approximate counts (SQS), the age of its oldest
 * message (CloudWatch, as SQS itself does not tell it) and its deliverer's last batch outcome. Every
 * figure is read independently and is null when its read fails, so status never fails the admin's list.
 */
export function sqsVendorStatus(options: SqsVendorStatusOptions): VendorStatusSource {
  const { sqs, cloudwatch, queues, lastDelivery } = options
  const now = options.now ?? (() => new Date())
  const orNull = async <T>(read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read()
    } catch (error) {
      options.onError?.(error)
      return null
    }
  }
  return {
    async statusOf(vendor): Promise<VendorStatus> {
      const urls = queues[vendor]
      const last = orNull<LastDelivery | null>(() => lastDelivery.read(vendor))
      if (!urls) {
        return {
          queue: { depth: null, inFlight: null, oldestAgeSeconds: null },
          deadLetters: { count: null },
          lastDelivery: await last,
        }
      }
      const [queue, deadLetters, oldestAgeSeconds, lastOutcome] = await Promise.all([
        orNull(() => queueCounts(sqs, urls.queueUrl)),
        orNull(() => queueCounts(sqs, urls.deadLetterQueueUrl)),
        orNull(() => oldestMessageAgeSeconds(cloudwatch, queueNameOf(urls.queueUrl), now())),
        last,
      ])
      return {
        queue: {
          depth: queue ? queue.visible + queue.delayed : null,
          inFlight: queue ? queue.notVisible : null,
          oldestAgeSeconds,
        },
        deadLetters: { count: deadLetters ? deadLetters.visible : null },
        lastDelivery: lastOutcome ?? null,
      }
    },
  }
}

/** The queue's name, as CloudWatch's QueueName dimension wants it: a queue URL's last path segment. */
export function queueNameOf(queueUrl: string): string {
  const name = new URL(queueUrl).pathname
    .split('/')
    .filter((segment) => segment !== '')
    .at(-1)
  if (!name) throw new Error(`no queue name in ${queueUrl}`)
  return name
}

/**
 * SQS's ApproximateAgeOfOldestMessage, the Maximum of each minute in the last five, newest minute first;
 * null when CloudWatch has no datapoint (a queue idle or just created).
 */
async function oldestMessageAgeSeconds(
  cloudwatch: CloudWatchClient,
  queueName: string,
  now: Date,
): Promise<number | null> {
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - OLDEST_AGE_WINDOW_MS),
      EndTime: now,
      ScanBy: 'TimestampDescending',
      MetricDataQueries: [
        {
          Id: 'oldest',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateAgeOfOldestMessage',
              Dimensions: [{ Name: 'QueueName', Value: queueName }],
            },
            Period: OLDEST_AGE_PERIOD_SECONDS,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  )
  const newest = MetricDataResults.find((result) => result.Id === 'oldest')?.Values?.[0]
  return newest !== undefined && Number.isFinite(newest) && newest >= 0 ? Math.round(newest) : null
}
