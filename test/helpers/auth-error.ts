/** The one "catch the rejection" helper, for tests that make several assertions on one error. */
import { expect } from 'vitest';
import { isAuthError, type AuthError } from '../../src/index.js';

/**
 * Asserts with vitest's `rejects` that `promise` rejects with an {@link AuthError}, and returns that error. Where one
 * `await expect(promise).rejects.toMatchObject({ code })` says it all, write that instead.
 */
export async function authErrorOf(promise: Promise<unknown>): Promise<AuthError> {
  await expect(promise).rejects.toSatisfy(isAuthError);
  return promise.then(
    () => expect.unreachable('the promise resolved'),
    (e: AuthError) => e,
  );
}
