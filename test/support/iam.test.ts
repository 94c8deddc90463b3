import { describe, expect, it } from 'vitest';
import { iamAllows } from './iam.ts';

// The model against IAM's documented semantics.
describe('the IAM evaluation model', () => {
  const allow = {
    Effect: 'Allow',
    Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*', 'TARGET'] } },
  };
  const deny = {
    Effect: 'Deny',
    Action: 'dynamodb:DeleteItem',
    Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } },
  };
  it.each([
    ['an allowed action on a matching key', 'dynamodb:PutItem', ['AUDIT#2026-12-02'], true],
    ['an exact pattern', 'dynamodb:PutItem', ['TARGET'], true],
    ['a key no pattern matches (no prefix match without *)', 'dynamodb:PutItem', ['TARGETS'], false],
    ['ForAllValues with one key outside', 'dynamodb:PutItem', ['TARGET', 'ROUTING'], false],
    ['an action no statement names', 'dynamodb:UpdateItem', ['TARGET'], false],
    ['an explicit deny over an allow', 'dynamodb:DeleteItem', ['AUDIT#2026-12-02'], false],
    ['a deny whose condition does not hold', 'dynamodb:DeleteItem', ['TARGET'], true],
  ])('%s', (_, action, keys, allowed) => {
    expect(iamAllows([allow, deny], action, keys)).toBe(allowed);
  });
});
