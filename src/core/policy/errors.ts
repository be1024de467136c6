// The policy engine's error catalogue. Syntax, cycle and file errors are configuration faults that
// stop start-up; PolicyNotRegistered is a programming error (a typo in a rule name); only
// PolicyForbidden is meant to reach a client, as a 403.

export abstract class PolicyError extends Error {
  abstract readonly code: string;
}

/** A check string that does not parse; names the rule so the operator can find it. */
export class PolicySyntaxError extends PolicyError {
  readonly code = 'POLICY_SYNTAX';
  constructor(
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`Invalid policy rule "${rule}": ${detail}`);
    this.name = 'PolicySyntaxError';
  }
}

/** Rules that reach themselves through `rule:` references; oslo.policy would recurse forever. */
export class PolicyCycleError extends PolicyError {
  readonly code = 'POLICY_CYCLE';
  constructor(readonly cycle: readonly string[]) {
    super(`Policy rules reference each other in a cycle: ${cycle.join(' -> ')}`);
    this.name = 'PolicyCycleError';
  }
}

/** authorize() was called with a name that has no registered default: a bug in the caller. */
export class PolicyNotRegistered extends PolicyError {
  readonly code = 'POLICY_NOT_REGISTERED';
  constructor(readonly rule: string) {
    super(`Policy "${rule}" has not been registered`);
    this.name = 'PolicyNotRegistered';
  }
}

/** The caller may not perform the action; the API layer renders this as a 403. */
export class PolicyForbidden extends PolicyError {
  readonly code = 'POLICY_FORBIDDEN';
  readonly status = 403;
  constructor(readonly rule: string) {
    // Keystone's ForbiddenAction message, so clients see the familiar text.
    super(`You are not authorized to perform the requested action: ${rule}.`);
    this.name = 'PolicyForbidden';
  }
}

/** A policy file that cannot be used; names the file and (when known) the line. */
export class PolicyFileError extends PolicyError {
  readonly code = 'POLICY_FILE';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
    this.name = 'PolicyFileError';
  }
}
