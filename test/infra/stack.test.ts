import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  type NagPack,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config.ts';
import type { HcguardConfig, HcguardConfigInput } from '../../lambdas/core/config/schema.ts';
import { HcguardStack, OPERATOR_PRINCIPAL_TAG } from '../../lib/hcguard-stack.ts';
import { iamAllows } from '../support/iam.ts';

/** The feature flags `cdk synth` uses, from cdk.json, without bundling the code assets. */
const appContext = (): Record<string, unknown> => ({
  ...(
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
  ).context,
  'aws:cdk:bundling-stacks': [],
});

const fixture = (): HcguardConfigInput =>
  JSON.parse(readFileSync(new URL('../fixtures/stack.config.json', import.meta.url), 'utf8'));

const synth = (change: (input: HcguardConfigInput) => void = () => undefined) => {
  const input = fixture();
  change(input);
  const config = parseConfig(input);
  const app = new App({ context: appContext() });
  const stack = new HcguardStack(app, 'Guard', { config, env: { account: '123456789012', region: 'cn-north-1' } });
  return { template: Template.fromStack(stack), config, stack, app };
};

const { template, config } = synth();

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
const statementsOf = (policyLogicalIdPrefix: string): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(policyLogicalIdPrefix))
    .flatMap(
      ([, policy]) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
/** The statements of the role whose description starts with `description`. */
const roleStatements = (description: string): Statement[] => {
  const [roleId] = Object.keys(
    template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp(`^${description}`) },
    }),
  );
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map(
      (policy) =>
        (policy as { Properties: { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } } }).Properties,
    )
    .filter((properties) => properties.Roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((properties) => properties.PolicyDocument.Statement);
};
const ROLES: Readonly<Record<string, string>> = {
  'the operator role': 'hcguard operators:',
  'the probe Lambda': 'hcguard Probe:',
  'the operator Lambda': 'hcguard Operator:',
};

describe('state table', () => {
  it('is on-demand, keyed pk/sk with gsi1, with point-in-time recovery, TTL and a customer-managed key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('drops deletion protection when the config turns it off', () => {
    const unprotected = synth((input) => {
      input.deployment = { ...input.deployment, deletionProtection: false };
    }).template;
    unprotected.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    unprotected.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('is encrypted with a rotating customer-managed key, as are the log groups', () => {
    template.resourceCountIs('AWS::KMS::Key', 3);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysLogsKey'), 'Arn'] },
    });
  });
});

describe('alert topics', () => {
  it('has one KMS-encrypted topic per severity', () => {
    template.resourceCountIs('AWS::SNS::Topic', 4);
    for (const severity of ['sev1', 'sev2', 'sev3', 'sev4']) {
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: `hcguard-test-${severity}`,
        KmsMasterKeyId: Match.anyValue(),
      });
    }
  });

  it('refuses publishing without TLS', () => {
    template.resourcePropertiesCountIs(
      'AWS::SNS::TopicPolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
      4,
    );
  });

  it("lets CloudWatch alarms use the topics' key", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes the configured e-mail, SMS and HTTPS endpoints at their severity', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('SEV1') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+8613800000000',
      TopicArn: { Ref: Match.stringLikeRegexp('SEV1') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'https',
      Endpoint: 'https://hooks.example.com/hcguard',
      TopicArn: { Ref: Match.stringLikeRegexp('SEV2') },
    });
  });

  it('copies every topic to an encrypted audit queue that drills read back', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'sqs' }, 4);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 86_400,
    });
  });
});

describe('failed deliveries and invocations are kept and alarmed on', () => {
  const subscriptions = () =>
    Object.values(template.findResources('AWS::SNS::Subscription')).map(
      (resource) =>
        (resource as { Properties: { Protocol: string; RedrivePolicy?: unknown; TopicArn: unknown } }).Properties,
    );

  it("gives every subscription but SMS (which SNS cannot redrive) its severity's dead-letter queue", () => {
    for (const subscription of subscriptions()) {
      if (subscription.Protocol === 'sms') expect(subscription.RedrivePolicy).toBeUndefined();
      else
        expect(subscription.RedrivePolicy).toEqual({
          deadLetterTargetArn: {
            'Fn::GetAtt': [
              expect.stringMatching(
                new RegExp(`^Alerts${JSON.stringify(subscription.TopicArn).match(/SEV\d/)?.[0]}DeadLetters`),
              ),
              'Arn',
            ],
          },
        });
    }
    expect(subscriptions().filter((subscription) => subscription.RedrivePolicy).length).toBe(6);
  });

  it('alarms on any message in a dead-letter queue: SEV2, and SEV1 for the SEV2 letters', () => {
    for (const severity of ['SEV1', 'SEV2', 'SEV3', 'SEV4']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^Alerts${severity}DeadLetters`), 'QueueName'] },
          },
        ],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp(`^Alerts${severity === 'SEV2' ? 'SEV1' : 'SEV2'}`) }],
      });
    }
  });

  it('sends failed asynchronous invocations and undeliverable schedule events to an alarmed queue', () => {
    const failures = { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationFailures'), 'Arn'] };
    template.resourcePropertiesCountIs(
      'AWS::Lambda::EventInvokeConfig',
      { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: failures } } },
      2,
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: failures } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationFailures'), 'QueueName'] } },
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlertsSEV2') }],
    });
  });
});

describe('functions', () => {
  it('runs both on the newest Node.js runtime, arm64, traced, with reserved concurrency 1', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({ HCGUARD_RESOURCES: Match.anyValue(), POWERTOOLS_SERVICE_NAME: 'hcguard-test' }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 150,
    });
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 256, Timeout: 900 });
  });

  it('keeps logs for the configured retention', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, 2);
  });

  it('probes on a schedule: sub-minute intervals run every minute, longer ones at their rate', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
    const fiveMinutes = synth((input) => {
      input.schedule = { intervalSeconds: 300 };
    }).template;
    fiveMinutes.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });
});

describe('least privilege', () => {
  const allStatements = statementsOf('');

  it('lets the functions UPSERT only the managed names and types in the managed zone', () => {
    for (const role of ['ProbeRole', 'OperatorRole']) {
      const route53Changes = statementsOf(role).filter((statement) =>
        actionsOf(statement).includes('route53:ChangeResourceRecordSets'),
      );
      expect(route53Changes).toEqual([
        {
          Effect: 'Allow',
          Action: 'route53:ChangeResourceRecordSets',
          Resource: 'arn:aws-cn:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
          Condition: {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['verify.hc.example.com'],
              'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
              'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
            },
          },
        },
        {
          Effect: 'Allow',
          Action: 'route53:ChangeResourceRecordSets',
          Resource: 'arn:aws-cn:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
          Condition: {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['api.hc.example.com'],
              'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
              'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
            },
          },
        },
      ]);
      const reads = statementsOf(role).filter((statement) =>
        actionsOf(statement).includes('route53:ListResourceRecordSets'),
      );
      expect(reads).toEqual([
        {
          Effect: 'Allow',
          Action: 'route53:ListResourceRecordSets',
          Resource: 'arn:aws-cn:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
        },
      ]);
    }
  });

  it('never grants Scan, table administration or wildcard actions', () => {
    const actions = allStatements.flatMap(actionsOf);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((action) => action.startsWith('dynamodb:')).sort()).toEqual(
      expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('uses the "*" resource only for X-Ray, which supports nothing narrower', () => {
    const wildcard = allStatements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(
      ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
  });

  it('grants DynamoDB reads on this table and its one index, writes on the table only, and SNS on these topics', () => {
    const table = { 'Fn::GetAtt': [expect.stringMatching(/^StateTable/), 'Arn'] };
    const dynamo = allStatements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    for (const statement of dynamo) {
      const reads = actionsOf(statement).every((action) => /^dynamodb:(GetItem|BatchGetItem|Query)$/.test(action));
      expect(statement.Resource).toEqual(reads ? [table, { 'Fn::Join': ['', [table, '/index/gsi1']] }] : table);
    }
    const publish = allStatements.filter((statement) => actionsOf(statement).includes('sns:Publish'));
    expect(publish).toHaveLength(2);
    for (const statement of publish) expect(statement.Resource).toHaveLength(4);
  });

  // What each role may do to an item, by the synthesized policy's own statements (explicit deny
  // first, then an allow whose LeadingKeys condition holds): table rows over the key design.
  const may = (role: string, action: string, pk: string): boolean =>
    iamAllows(roleStatements(ROLES[role]!), action, [pk]);
  it.each([
    ['the operator role', 'dynamodb:GetItem', 'ROUTING', true],
    ['the operator role', 'dynamodb:Query', 'AUDIT#2026-12-02', true],
    ['the operator role', 'dynamodb:PutItem', 'ROUTING', false],
    ['the operator role', 'dynamodb:UpdateItem', 'INCIDENT#INC-7K3QZ2M', false],
    ['the operator role', 'dynamodb:DeleteItem', 'AUDIT#2026-12-02', false],
    ['the operator role', 'dynamodb:BatchWriteItem', 'TARGET', false],
    ['the probe Lambda', 'dynamodb:PutItem', 'RESULT#primary#verification', true],
    ['the probe Lambda', 'dynamodb:UpdateItem', 'ROUTING', true],
    ['the probe Lambda', 'dynamodb:PutItem', 'AUDIT#CHAIN#verify.hc.example.com', true],
    ['the probe Lambda', 'dynamodb:PutItem', 'DRILL#drill-1', false],
    ['the probe Lambda', 'dynamodb:UpdateItem', 'AUDIT#2026-12-02', false],
    ['the probe Lambda', 'dynamodb:DeleteItem', 'AUDIT#CHAIN#verify.hc.example.com', false],
    ['the probe Lambda', 'dynamodb:BatchWriteItem', 'AUDIT#2026-12-02', false],
    ['the operator Lambda', 'dynamodb:PutItem', 'DRILL#drill-1', true],
    ['the operator Lambda', 'dynamodb:UpdateItem', 'INCIDENT#INC-7K3QZ2M', true],
    ['the operator Lambda', 'dynamodb:PutItem', 'RESULT#primary#verification', false],
    ['the operator Lambda', 'dynamodb:PutItem', 'SEQ#hcguard-probe-primary', false],
    ['the operator Lambda', 'dynamodb:DeleteItem', 'AUDIT#SUBJECTS', false],
  ])('%s: %s on an item in %s → %s', (role, action, pk, allowed) => {
    expect(may(role, action, pk)).toBe(allowed);
  });

  it('gives the operator role decryption only, the functions what writing needs', () => {
    const kms = (role: string) =>
      roleStatements(ROLES[role]!)
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')))
        .flatMap(actionsOf);
    expect(kms('the operator role').sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(kms('the probe Lambda')).toEqual(expect.arrayContaining(['kms:Encrypt', 'kms:GenerateDataKey']));
  });

  it('reads only the SSM parameters the config names as secrets', () => {
    const ssm = allStatements.filter((statement) => actionsOf(statement).includes('ssm:GetParameter'));
    expect(ssm.map((statement) => statement.Resource)).toEqual([
      'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/hcguard/transmission-hmac',
      'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/hcguard/transmission-hmac',
    ]);
  });

  it('lets only the operator role invoke the drill function, and nothing else', () => {
    const invoke = allStatements.filter((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    expect(invoke).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OperatorFunction/), 'Arn'] },
      },
    ]);
    expect(statementsOf('OperatorRole').flatMap(actionsOf)).toContain('lambda:InvokeFunction');
    template.resourceCountIs('AWS::Lambda::Permission', 1); // EventBridge → probe function
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ProbeFunction'), 'Arn'] },
    });
  });

  const trustOf = (stack: Template) =>
    Object.values(
      stack.findResources('AWS::IAM::Role', {
        Properties: { Description: Match.stringLikeRegexp('hcguard operators') },
      }),
    )
      .map((role) => (role as { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } }).Properties)
      .flatMap((properties) => properties.AssumeRolePolicyDocument.Statement);

  it('trusts only principals of the account tagged as operators when none are configured', () => {
    expect(trustOf(template)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws-cn:iam::123456789012:root' },
        Condition: { StringEquals: { [`aws:PrincipalTag/${OPERATOR_PRINCIPAL_TAG}`]: 'true' } },
      },
    ]);
  });

  it('trusts the configured principals, and with requireMfa only an MFA-signed session', () => {
    const named = synth((input) => {
      input.deployment = {
        ...input.deployment,
        operators: { principals: ['arn:aws-cn:iam::123456789012:role/oncall'], requireMfa: true },
      };
    }).template;
    expect(trustOf(named)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws-cn:iam::123456789012:role/oncall' },
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]);
  });
});

describe('managed records', () => {
  it("creates each record with the primary's value and keeps it when the stack is deleted", () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      Name: 'verify.hc.example.com.',
      Type: 'A',
      TTL: '60',
      ResourceRecords: ['203.0.113.10'],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.hc.example.com.',
      Type: 'CNAME',
      ResourceRecords: ['primary.hc.example.com'],
    });
    template.hasResource('AWS::Route53::RecordSet', { DeletionPolicy: 'Retain' });
  });

  it('writes alias records without a TTL', () => {
    const alias = synth((input) => {
      input.records = [
        {
          zone: { id: 'Z0123456789ABCDEFGHIJ', name: 'hc.example.com' },
          name: 'verify.hc.example.com',
          type: 'A',
          values: {
            primary: {
              alias: { dnsName: 'primary-lb.cn-north-1.elb.amazonaws.com.cn', hostedZoneId: 'Z1GDH35T77C1KE' },
            },
            backup: {
              alias: { dnsName: 'backup-lb.cn-northwest-1.elb.amazonaws.com.cn', hostedZoneId: 'Z3BX2TMKNYI13Y' },
            },
          },
        },
      ];
    }).template;
    alias.hasResourceProperties('AWS::Route53::RecordSet', {
      AliasTarget: {
        DNSName: 'primary-lb.cn-north-1.elb.amazonaws.com.cn',
        HostedZoneId: 'Z1GDH35T77C1KE',
        EvaluateTargetHealth: false,
      },
      TTL: Match.absent(),
    });
  });
});

describe('monitoring', () => {
  it("alarms when the prober's heartbeat is missing, treating missing data as breaching", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'hcguard',
      MetricName: 'ProberHeartbeat',
      Dimensions: [{ Name: 'service', Value: 'hcguard-test' }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp(`Alerts${config.severity.fixed.heartbeatMissing}`) }],
    });
  });

  it("alarms on each function's errors (SEV2) and throttles (SEV3)", () => {
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'Errors', AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsSEV2') }] },
      2,
    );
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'Throttles', AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsSEV3') }] },
      2,
    );
  });

  it('alarms (SEV2) on each kind of round error the probe function counts', () => {
    for (const metricName of ['ProbeRunErrors', 'StateStoreErrors', 'AlertPublishErrors', 'FailoverErrors']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'hcguard',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'hcguard-test' }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlertsSEV2') }],
      });
    }
  });

  it('warns at synth when a secret comes from an environment variable the functions will not have', () => {
    const { stack } = synth((input) => {
      input.secrets = { transmissionKey: { env: 'HCGUARD_TRANSMISSION_KEY' } };
    });
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('secrets.transmissionKey comes from the environment variable HCGUARD_TRANSMISSION_KEY'),
    );
    Annotations.fromStack(synth().stack).hasNoWarning(
      '*',
      Match.stringLikeRegexp('comes from the environment variable'),
    );
  });

  it('has a dashboard of per-stage success rate and latency on each site', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]);
    for (const stage of ['collection', 'transmission', 'verification']) {
      expect(body).toContain(`${stage}: success rate (%)`);
      expect(body).toContain(`${stage}: latency p95 (ms)`);
    }
    expect(body).toContain('ProbeSuccess');
    expect(body).toContain('ProbeLatency');
  });
});

describe('outputs', () => {
  it('publishes what the CLI needs and the operator role', () => {
    template.hasOutput('HcguardResources', { Value: Match.anyValue() });
    template.hasOutput('OperatorRoleArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OperatorRole'), 'Arn'] },
    });
    template.hasOutput('OperatorFunctionName', {});
    template.hasOutput('SEV1TopicArn', {});
  });
});

describe('cdk-nag: AwsSolutions, HIPAA Security, NIST 800-53 R5, PCI DSS 3.2.1 and Serverless', () => {
  const nag = (
    mutate: (stack: HcguardStack) => void = () => undefined,
    config?: HcguardConfig,
    pack: (app: App) => NagPack = (app) => new AwsSolutionsChecks(app),
  ) => {
    const app = new App({ context: appContext() });
    const stack = new HcguardStack(app, 'Nagged', {
      config: config ?? parseConfig(fixture()),
      env: { account: '123456789012', region: 'cn-north-1' },
    });
    mutate(stack);
    Validations.of(app).addPlugins(pack(app));
    return () => app.synth();
  };

  it.each([
    ['AwsSolutions', (app: App) => new AwsSolutionsChecks(app)],
    ['HIPAA Security', (app: App) => new HIPAASecurityChecks(app)],
    ['NIST 800-53 R5', (app: App) => new NIST80053R5Checks(app)],
    ['PCI DSS 3.2.1', (app: App) => new PCIDSS321Checks(app)],
    ['Serverless', (app: App) => new ServerlessChecks(app)],
  ])('%s finds nothing unacknowledged in the stack', (_, pack) => {
    expect(nag(undefined, undefined, pack)).not.toThrow();
  });

  it('keeps the table in a daily backup plan; turning it off is a finding, not a silent gap', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    const input = fixture();
    input.deployment = { ...input.deployment, backup: { enabled: false } };
    expect(nag(undefined, parseConfig(input), (app) => new HIPAASecurityChecks(app))).toThrow(
      /HIPAA\.Security-DynamoDBInBackupPlan/,
    );
  });

  it('does fail synth on an unacknowledged finding (the check really runs)', () => {
    const withWildcard = nag((stack) => {
      const role = new iam.Role(stack, 'Careless', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
    });
    expect(withWildcard).toThrow();
  });
});

describe('chat robots', () => {
  const dingtalk = {
    protocol: 'robot' as const,
    channel: 'dingtalk' as const,
    webhookParameter: '/hcguard/robots/oncall-dingtalk',
    secretParameter: '/hcguard/robots/oncall-dingtalk-secret',
  };
  const wecom = {
    protocol: 'robot' as const,
    channel: 'wecom' as const,
    webhookParameter: '/hcguard/robots/ops-wecom',
  };
  const withRobots = (input: HcguardConfigInput) => {
    input.alerts = {
      ...input.alerts,
      SEV1: { subscriptions: [...(input.alerts?.SEV1?.subscriptions ?? []), dingtalk, wecom] },
      SEV2: { subscriptions: [...(input.alerts?.SEV2?.subscriptions ?? []), dingtalk] },
    };
  };
  const robots = synth(withRobots).template;
  const robotFunctions = () =>
    Object.entries(
      robots.findResources('AWS::Lambda::Function', {
        Properties: { Description: Match.stringLikeRegexp('^hcguard (dingtalk|wecom) robot') },
      }),
    );

  it('runs one subscriber Lambda per robot, however many severities list it, told which robot by name only', () => {
    const functions = robotFunctions();
    expect(functions).toHaveLength(2);
    const environments = functions.map(
      ([, resource]) =>
        JSON.parse(
          (resource as { Properties: { Environment: { Variables: Record<string, string> } } }).Properties.Environment
            .Variables.HCGUARD_ROBOT as string,
        ) as unknown,
    );
    expect(environments).toEqual(
      expect.arrayContaining([
        { channel: 'dingtalk', webhookParameter: dingtalk.webhookParameter, secretParameter: dingtalk.secretParameter },
        { channel: 'wecom', webhookParameter: wecom.webhookParameter },
      ]),
    );
  });

  it("subscribes each robot to its severities' topics, with the severity's dead-letter queue", () => {
    const subscriptions = Object.values(
      robots.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }),
    );
    expect(subscriptions).toHaveLength(3);
    for (const subscription of subscriptions) {
      const { TopicArn, RedrivePolicy } = (
        subscription as { Properties: { TopicArn: unknown; RedrivePolicy: unknown } }
      ).Properties;
      const severity = JSON.stringify(TopicArn).match(/SEV\d/)?.[0];
      expect(JSON.stringify(RedrivePolicy)).toContain(`Alerts${severity}DeadLetters`);
    }
  });

  it('retries a failed delivery twice over up to six hours, then records it on the alarmed failure queue', () => {
    robots.resourcePropertiesCountIs(
      'AWS::Lambda::EventInvokeConfig',
      {
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      },
      2,
    );
  });

  it("reads only its own robot's webhook and secret parameters, and writes nothing", () => {
    const statements = Object.values(robots.findResources('AWS::IAM::Policy'))
      .map(
        (policy) => policy as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } } },
      )
      .filter((policy) =>
        policy.Properties.Roles.some((role) => /^RobotsRobotHcguardRobotsOncallDingtalk/.test(role.Ref)),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const ssm = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(JSON.stringify(ssm[0]?.Resource)).toContain('parameter/hcguard/robots/oncall-dingtalk"');
    expect(JSON.stringify(ssm[0]?.Resource)).toContain('parameter/hcguard/robots/oncall-dingtalk-secret"');
    expect(JSON.stringify(ssm[0]?.Resource)).not.toContain('ops-wecom');
    const actions = statements.flatMap(actionsOf);
    expect(actions.some((action) => /^(dynamodb|sns|route53):/.test(action))).toBe(false);
  });

  it('alarms on each robot function like on the others', () => {
    for (const [id] of robotFunctions())
      robots.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      });
  });

  it.each([
    ['AwsSolutions', (app: App) => new AwsSolutionsChecks(app)],
    ['HIPAA Security', (app: App) => new HIPAASecurityChecks(app)],
    ['NIST 800-53 R5', (app: App) => new NIST80053R5Checks(app)],
    ['Serverless', (app: App) => new ServerlessChecks(app)],
  ])('%s finds nothing unacknowledged with robots', (_, pack) => {
    const input = fixture();
    withRobots(input);
    const app = new App({ context: appContext() });
    new HcguardStack(app, 'Robots', {
      config: parseConfig(input),
      env: { account: '123456789012', region: 'cn-north-1' },
    });
    Validations.of(app).addPlugins(pack(app));
    expect(() => app.synth()).not.toThrow();
  });
});
