import { RetentionDays } from 'aws-cdk-lib/aws-logs'

/** CloudWatch's retention enum for a day count the configuration schema has already validated. */
export function toRetentionDays(days: number): RetentionDays {
  const retention = Object.values(RetentionDays).find(
    (value): value is RetentionDays => typeof value === 'number' && value === days,
  )
  if (retention === undefined) throw new Error(`${days} is not a CloudWatch Logs retention period`)
  return retention
}
