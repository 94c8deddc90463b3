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
