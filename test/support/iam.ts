// A model of IAM's evaluation for one identity policy, enough for DynamoDB item actions: an
// explicit Deny that applies wins; otherwise an Allow that applies grants; otherwise denied.
// A statement applies when it names the action and its `dynamodb:LeadingKeys` condition holds:
// ForAllValues — every key matches a pattern; ForAnyValue — some key does. StringLike patterns
// use `*` (any run) and `?` (one character). Resources are not compared: every DynamoDB
// statement is on this stack's table.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Condition?: unknown;
}

const like = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  ).test(value);

const conditionHolds = (condition: unknown, keys: readonly string[]): boolean => {
  if (condition === undefined) return true;
  return Object.entries(condition as Record<string, Record<string, string | string[]>>).every(([operator, tests]) =>
    Object.entries(tests).every(([key, patterns]) => {
      if (key !== 'dynamodb:LeadingKeys') throw new Error(`the model does not evaluate ${key}`);
      const list = [patterns].flat();
      const matches = (value: string) => list.some((pattern) => like(pattern, value));
      if (operator === 'ForAllValues:StringLike') return keys.every(matches);
      if (operator === 'ForAnyValue:StringLike') return keys.some(matches);
      throw new Error(`the model does not evaluate ${operator}`);
    }),
  );
};

export const iamAllows = (statements: readonly PolicyStatement[], action: string, keys: readonly string[]): boolean => {
  const applying = statements.filter(
    (statement) => [statement.Action].flat().includes(action) && conditionHolds(statement.Condition, keys),
  );
  if (applying.some((statement) => statement.Effect === 'Deny')) return false;
  return applying.some((statement) => statement.Effect === 'Allow');
};

export { like as stringLike };
