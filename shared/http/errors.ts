/** An error the client caused; its status and message are safe to show. */
export class ClientError extends Error {
  override name = 'ClientError'
  readonly expose = true
  constructor(
    readonly statusCode: number,
    message: string,
    /** The request field at fault, named in the JSON body. */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }

  toJSON(): { error: string; field?: string } {
    return this.field ? { error: this.message, field: this.field } : { error: this.message }
  }
}

export class ValidationError extends ClientError {
  override name = 'ValidationError'
  constructor(field: string, message: string) {
    super(400, message, field)
  }
}

export class UnauthorizedError extends ClientError {
  override name = 'UnauthorizedError'
  constructor(message = 'unknown write key') {
    super(401, message, 'writeKey')
  }
}

export class ForbiddenOriginError extends ClientError {
  override name = 'ForbiddenOriginError'
  constructor() {
    super(403, 'origin not allowed for this site', 'origin')
  }
}

export class PayloadTooLargeError extends ClientError {
  override name = 'PayloadTooLargeError'
  constructor(field: string, limitBytes: number) {
    super(413, `${field} exceeds ${limitBytes} bytes`, field)
  }
}

export class NotFoundError extends ClientError {
  override name = 'NotFoundError'
  constructor(what: string) {
    super(404, `${what} not found`)
  }
}

/** A refused change: a missing safeguard, a version already published, a concurrent change. */
export class ConflictError extends ClientError {
  override name = 'ConflictError'
  constructor(message: string) {
    super(409, message)
  }
}
