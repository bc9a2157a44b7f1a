import { describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, invalidIssue, outcomeToLine, throwIfIssues } from './outcomes.js';

describe('outcomes', () => {
  it('collects issues and throws once with every location', () => {
    const issues = [invalidIssue('PID-3 has no identifier', 'PID-3'), invalidIssue('bad date', 'PID-7')];
    let caught: unknown;
    try {
      throwIfIssues(issues);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OperationOutcomeError);
    expect(outcomeToLine((caught as OperationOutcomeError).outcome)).toBe('PID-3 has no identifier (PID-3); bad date (PID-7)');
  });
  it('does nothing without issues', () => expect(() => throwIfIssues([])).not.toThrow());
});
