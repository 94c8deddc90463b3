import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Subscription } from '../../lambdas/core/config/sections.ts';
import type { Severity } from '../../lambdas/core/model/vocabulary.ts';
import type { RobotTarget } from '../../lambdas/app/robot-delivery.ts';
import { configuredRobots, type RobotSubscription } from '../../lambdas/core/robots.ts';
import { ROBOT_ENV } from '../../lambdas/app/robot-handler.ts';
import { GuardFunction, type GuardFunctionProps } from './guard-functions.ts';

export interface RobotSubscribersProps {
  readonly alerts: Readonly<Record<Severity, { readonly subscriptions: readonly Subscription[] }>>;
  readonly topics: Readonly<Record<Severity, sns.ITopic>>;
  /** Per severity, where SNS puts what it could not hand to the function. */
  readonly deadLetters: Readonly<Record<Severity, sqs.IQueue>>;
  readonly functionProps: Omit<GuardFunctionProps, 'handlerFile' | 'description' | 'memorySize' | 'timeout'>;
}

/** A construct id that stays the same while the robot's webhook parameter does. */
const robotId = (robot: RobotSubscription): string =>
  `Robot${robot.webhookParameter
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('')}`;

/**
 * One small Lambda per chat robot, subscribed to each severity topic that lists it: one
 * function per robot keeps one robot's retries from posting twice to another. Lambda retries a
 * failed delivery twice over up to six hours, then records it on the failure queue (alarmed);
 * what SNS cannot hand to the function goes to the severity's dead-letter queue. The function
 * reads only its robot's two SSM parameters.
 */
export class RobotSubscribers extends Construct {
  readonly functions: Readonly<Record<string, GuardFunction>>;

  constructor(scope: Construct, id: string, props: RobotSubscribersProps) {
    super(scope, id);
    const functions: Record<string, GuardFunction> = {};
    const stack = Stack.of(this);
    for (const { robot, severities } of configuredRobots(props.alerts)) {
      const target: RobotTarget = {
        channel: robot.channel,
        webhookParameter: robot.webhookParameter,
        ...(robot.secretParameter ? { secretParameter: robot.secretParameter } : {}),
      };
      const name = robotId(robot);
      const subscriber = new GuardFunction(this, name, {
        ...props.functionProps,
        handlerFile: 'robot.ts',
        description: `hcguard ${robot.channel} robot (${robot.webhookParameter}): ${severities.join(', ')} alerts`,
        memorySize: 256,
        // Three posts of at most 5 s each, and the backoff between them.
        timeout: Duration.seconds(30),
        asyncRetries: { attempts: 2, maxEventAge: Duration.hours(6) },
        // Several alerts at once wait their turn instead of all hitting the robot's rate limit.
        reservedConcurrency: 2,
        environment: { [ROBOT_ENV]: JSON.stringify(target) },
      });
      subscriber.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ssm:GetParameter'],
          resources: [robot.webhookParameter, ...(robot.secretParameter ? [robot.secretParameter] : [])].map((param) =>
            stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: param.replace(/^\//, '') }),
          ),
        }),
      );
      for (const severity of severities) {
        props.topics[severity].addSubscription(
          new subscriptions.LambdaSubscription(subscriber.function, { deadLetterQueue: props.deadLetters[severity] }),
        );
      }
      functions[name] = subscriber;
    }
    this.functions = functions;
  }
}
