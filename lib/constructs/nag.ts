import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledges the same finding of several cdk-nag packs on one construct, with one reason. */
export const acknowledge = (scope: IConstruct, ids: readonly string[], reason: string): void => {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
};
