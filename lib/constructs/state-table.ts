import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_DESIGN } from '../../lambdas/adapters/aws/table-design.ts';
import { acknowledge } from './nag.ts';

export interface StateTableProps {
  readonly encryptionKey: kms.IKey;
  /** Refuse deletion (console, API, `cdk destroy`) and retain the table. */
  readonly deletionProtection: boolean;
  /** A daily AWS Backup of the table, kept this many days; none when undefined. */
  readonly backupRetentionDays?: number;
}

/** hcguard's single table, created from the same description the adapters build keys from. */
export class StateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: StateTableProps) {
    super(scope, id);
    // dynamodb.Table, not TableV2: moto's CloudFormation understands it (local `cdk deploy`).
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_DESIGN.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_DESIGN.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DESIGN.ttlAttribute,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    if (props.backupRetentionDays !== undefined) {
      const plan = new backup.BackupPlan(this, 'Backup', {
        backupPlanRules: [
          new backup.BackupPlanRule({
            ruleName: 'Daily',
            scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
            deleteAfter: Duration.days(props.backupRetentionDays),
          }),
        ],
        backupVault: new backup.BackupVault(this, 'Vault', {
          encryptionKey: props.encryptionKey,
          removalPolicy: props.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
      });
      const selection = plan.addSelection('Table', {
        resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
      });
      const backupPolicy = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup';
      acknowledge(
        selection,
        [`AwsSolutions-IAM4[Policy::${backupPolicy}]`],
        "AWS Backup's own service-role policy, which AWS maintains as the service's API grows; the role " +
          'is assumable by backup.amazonaws.com only and selects this one table.',
      );
    }
    for (const index of TABLE_DESIGN.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
