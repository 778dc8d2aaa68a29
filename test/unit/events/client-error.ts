import { ClientError } from '#shared/http/errors.ts'

/** Runs `act` and returns the ClientError it threw; anything else (or no error) fails the test. */
export function clientErrorFrom(act: () => unknown): ClientError {
  try {
    act()
  } catch (error) {
    if (error instanceof ClientError) return error
    throw error
  }
  throw new Error('expected a ClientError, but nothing was thrown')
}
