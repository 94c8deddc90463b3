// SDK clients for one target (AWS or an emulator), built once and shared by the adapters.
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
  return {
    dynamodb: new DynamoDBClient(common),
    sns: new SNSClient(common),
    // Route 53's control plane is global and signs in us-east-1 (aws-cn: cn-northwest-1).
    route53: new Route53Client({ ...common, region: options.region?.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1' }),
  };
};
