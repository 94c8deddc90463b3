// SDK clients for one target (AWS or an emulator), each built on first use and then shared by
// the adapters: a probe round that sends no alert and switches nothing never builds the SNS or
// Route 53 client (a few milliseconds each off a Lambda cold start).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';

export interface AwsClientOptions {
  readonly region?: string;
  /** An emulator's URL (moto, LocalStack); AWS's own endpoints when absent. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
  readonly route53: Route53Client;
}

export const createAwsClients = (options: AwsClientOptions = {}): AwsClients => {
  const common = { ...options, maxAttempts: 3 };
  let dynamodb: DynamoDBClient | undefined;
  let sns: SNSClient | undefined;
  let route53: Route53Client | undefined;
  return {
    get dynamodb() {
      return (dynamodb ??= new DynamoDBClient(common));
    },
    get sns() {
      return (sns ??= new SNSClient(common));
    },
    get route53() {
      // Route 53's control plane is global and signs in us-east-1 (aws-cn: cn-northwest-1). The
      // router is its one retry policy, bounded by the switch's lease: the SDK must not retry too.
      return (route53 ??= new Route53Client({
        ...common,
        maxAttempts: 1,
        region: options.region?.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1',
      }));
    },
  };
};
