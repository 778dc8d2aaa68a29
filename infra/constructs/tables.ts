import { RemovalPolicy } from 'aws-cdk-lib'
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { Construct } from 'constructs'
import { TABLE_KEYS } from '#shared/adapters/dynamodb-tables.ts'

/**
 * The DynamoDB tables. All: on-demand, point-in-time recovery, TTL on `expiresAt` (every item
 * about a visitor expires), deletion protection, and retained when the stack is deleted, because
 * consent records are the proof of consent and must outlive a redeploy.
 */
export class Tables extends Construct {
  /** Visitors' consent decisions and their history. */
  public readonly consent: TableV2
  /** Vendor switches and settings, the admin's audit trail and policy versions, each deliverer's last batch. */
  public readonly config: TableV2
  /** Which messageIds each site queued in the last 24 h, so a client's resend is not queued twice. */
  public readonly idempotency: TableV2

  constructor(scope: Construct, id: string) {
    super(scope, id)
    this.consent = this.table('Consent')
    this.config = this.table('Config')
    this.idempotency = this.table('Idempotency')
  }

  private table(id: string): TableV2 {
    return new TableV2(this, id, {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })
  }
}
