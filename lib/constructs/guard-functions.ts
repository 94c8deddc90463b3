import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import type { SecretRef } from '../../lambdas/core/probe/schema.ts';
import type { Severity } from '../../lambdas/core/model/vocabulary.ts';
import { APPEND_ONLY_PARTITIONS, TABLE_DESIGN } from '../../lambdas/adapters/aws/table-design.ts';
import { bundleDefines } from '../../lambdas/contract/bundle.ts';
import { METRICS_NAMESPACE } from '../../lambdas/contract/metrics.ts';
import { RESOURCES_ENV } from '../../lambdas/contract/resources.ts';
import { acknowledge } from './nag.ts';
import type { ManagedRecordRef } from './managed-records.ts';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The newest Node.js runtime aws-cdk-lib knows; bundles target the same version. */
export const GUARD_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface GuardFunctionProps {
  /** Handler file under lambdas/handlers, e.g. `probe.ts`. */
  readonly handlerFile: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** The resolved config, baked into the bundle so it is not bound by the 4 KB environment limit. */
  readonly resolvedConfig: unknown;
  /** JSON of `DeployedResources`, with tokens resolved at deploy time. */
  readonly resourcesJson: string;
  readonly serviceName: string;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  /** Where a failed asynchronous invocation (the schedule's) is recorded. */
  readonly failures: sqs.IQueue;
  /** Lambda's own retries of a failed asynchronous invocation; default none (the next tick retries). */
  readonly asyncRetries?: { readonly attempts: number; readonly maxEventAge: Duration };
  /** Default 1: every function that may switch DNS runs one at a time. */
  readonly reservedConcurrency?: number;
  /** More environment variables, e.g. which robot a subscriber posts to. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * One hcguard Lambda: arm64, Node.js 24, minified ESM bundled by the local esbuild (no Docker),
 * its own role (no AWS managed policy) and log group, X-Ray tracing, and reserved concurrency 1:
 * every hcguard function may switch DNS, and one at a time is the simplest guarantee on top of
 * the conditional writes.
 */
export class GuardFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, encryptionKey: props.logsKey });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `hcguard ${id}: least-privilege execution role`,
    });
    logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${projectRoot}lambdas/handlers/${props.handlerFile}`,
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: GUARD_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency ?? 1,
      environment: {
        ...props.environment,
        [RESOURCES_ENV]: props.resourcesJson,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: false,
        mainFields: ['module', 'main'],
        // Bundle the pinned SDK instead of the runtime's copy, whose version moves under us.
        bundleAwsSDK: true,
        externalModules: [],
        // Some dependencies still call require(); ESM bundles need it defined.
        banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
        // The config, and whether SSM secrets are read at all (if not, the SSM client is left out).
        define: bundleDefines(props.resolvedConfig),
      },
    });
    // Lambda would retry a failed async invocation twice; for a scheduled function the next tick
    // is a better retry. The failure itself is recorded (request, error) on the failure queue,
    // which is alarmed on.
    this.function.configureAsyncInvoke({
      retryAttempts: props.asyncRetries?.attempts ?? 0,
      maxEventAge: props.asyncRetries?.maxEventAge ?? Duration.minutes(1),
      onFailure: { bind: () => ({ destination: props.failures.queueArn }) },
    });
    // Granted by name rather than by SqsDestination, whose grant adds wildcard KMS actions.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.failures.queueArn] }),
    );
    props.failures.encryptionMasterKey?.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    acknowledge(
      this.function,
      ['HIPAA.Security-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'Serverless-LambdaDLQ'],
      'Failed asynchronous invocations go to an on-failure destination (the alarmed failure ' +
        'queue), which records the request and the error; a DLQ would hold the event only.',
    );
    acknowledge(
      this.function,
      ['HIPAA.Security-LambdaInsideVPC', 'NIST.800.53.R5-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC'],
      'hcguard probes the platform as citizens reach it, over its public endpoints, and calls only ' +
        'AWS APIs; a VPC would add a NAT path that can fail with the region it watches, and holds ' +
        'no resource these functions use.',
    );
    acknowledge(
      this.role,
      ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
      "The role's policy names this stack's own table partitions, topics, key and records: it " +
        'belongs to this one role and must not be attachable elsewhere, which an inline policy ensures.',
    );
    const tracingPolicy = this.role.node.tryFindChild('DefaultPolicy');
    if (tracingPolicy) {
      Validations.of(tracingPolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level ' +
          'permissions; AWS requires "*" ' +
          '(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
      });
    }
  }
}

export interface GuardAccess {
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  readonly topics: Readonly<Record<Severity, sns.ITopic>>;
  readonly alertsKey: kms.IKey;
  readonly records: readonly ManagedRecordRef[];
  readonly secrets: readonly SecretRef[];
  /** The partitions this function writes (`dynamodb:LeadingKeys` patterns). */
  readonly writes: readonly string[];
}

/** The data-plane actions hcguard uses; no Scan, no table administration. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;
/** What would change or remove an item that exists: refused on append-only partitions. */
export const ITEM_CHANGE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** Grants exactly what a guard function needs on this stack's resources. */
export const grantGuardAccess = (role: iam.Role, access: GuardAccess): void => {
  grantTableAccess(role, access.table, access.dataKey, access.writes);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sns:Publish'],
      resources: Object.values(access.topics).map((topic) => topic.topicArn),
    }),
  );
  // Publishing to an encrypted topic: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
  access.alertsKey.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
  // One statement per zone and record type, so a name may only be UPSERTed with its own type:
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
  const groups = new Map<string, { zone: ManagedRecordRef['zone']; type: string; names: Set<string> }>();
  for (const record of access.records) {
    const key = `${record.zone.hostedZoneId} ${record.type}`;
    const group = groups.get(key) ?? { zone: record.zone, type: record.type, names: new Set<string>() };
    group.names.add(record.name);
    groups.set(key, group);
  }
  for (const { zone, type, names } of groups.values()) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [zone.hostedZoneArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...names],
            'route53:ChangeResourceRecordSetsRecordTypes': [type],
            'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
          },
        },
      }),
    );
  }
  const zoneArns = [...new Set([...groups.values()].map((group) => group.zone.hostedZoneArn))];
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: zoneArns }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['route53:GetChange'], resources: [`arn:${Aws.PARTITION}:route53:::change/*`] }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
    reason:
      'route53:GetChange is authorized on change ARNs, and a change id exists only ' +
      'after ChangeResourceRecordSets returns it; reading change status reveals ' +
      'nothing else.',
  });
  const parameters = access.secrets.flatMap((secret) => ('ssmParameter' in secret ? [secret.ssmParameter] : []));
  if (parameters.length) {
    const stack = Stack.of(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: parameters.map((name) =>
          stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') }),
        ),
      }),
    );
  }
};

/**
 * Reads on the table and its named indexes (no `index/*`); item writes, when `writes` names
 * partitions, only to items whose partition key matches them (`dynamodb:LeadingKeys`); and for
 * every role an explicit deny of updates and deletes on the append-only partitions, which no
 * Allow can override. Plus what DynamoDB needs of the customer-managed key on the caller's
 * behalf: decrypting only, for a reader.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export const grantTableAccess = (
  role: iam.Role,
  table: dynamodb.ITable,
  key: kms.IKey,
  writes: readonly string[],
): void => {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...TABLE_READ_ACTIONS],
      resources: [table.tableArn, ...TABLE_DESIGN.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
    }),
  );
  if (writes.length > 0) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...TABLE_WRITE_ACTIONS],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...writes] } },
      }),
    );
  }
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: [...ITEM_CHANGE_ACTIONS],
      resources: [table.tableArn],
      conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [...APPEND_ONLY_PARTITIONS] } },
    }),
  );
  if (writes.length > 0) key.grant(role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
  else key.grant(role, 'kms:Decrypt', 'kms:DescribeKey');
};

export const grantAuditQueueRead = (role: iam.IRole, queue: sqs.IQueue): void => {
  queue.grantConsumeMessages(role);
};
