// Domain errors that adapters translate infrastructure failures into, so the core and the
// application services never see an SDK exception type.

/** A conditional write lost a race: someone else changed the item first. Re-read and decide again. */
export class VersionConflictError extends Error {
  constructor(
    readonly entity: string,
    readonly expectedVersion: number,
  ) {
    super(`${entity} changed since version ${expectedVersion} was read`);
    this.name = 'VersionConflictError';
  }
}

/** The item a conditional create expected to be absent already exists (e.g. a duplicate incident). */
export class AlreadyExistsError extends Error {
  constructor(readonly entity: string) {
    super(`${entity} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly entity: string) {
    super(`${entity} not found`);
    this.name = 'NotFoundError';
  }
}

/**
 * The DNS authority did not apply a routing change: it refused it (a 4xx such as Throttling or
 * PriorRequestNotComplete after the last retry), or the budget ran out before it was sent. Any
 * other error from a router leaves the outcome unknown: the change may still apply.
 */
export class ChangeNotAppliedError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'ChangeNotAppliedError';
  }
}

/** A fault hook that can inject and clear faults but has no way to list the active ones. */
export class FaultListingUnsupportedError extends Error {
  constructor(where: string) {
    super(`${where} does not list faults`);
    this.name = 'FaultListingUnsupportedError';
  }
}

/** One line for a log, an audit entry or an operator: the error's name and message. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** The message alone, for text that names the failing step itself. */
export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
