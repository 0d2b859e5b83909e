export { createPkceClient, PkceClient } from './client.js';
export type {
  LoginOptions,
  PopupLoginOptions,
  GetTokenOptions,
  LogoutOptions,
  StartResult,
  FetchWithAuthOptions,
} from './client.js';
export type { DebugEvent, DebugListener } from './debug.js';
export { dpop } from './dpop.js';
export type { DPoPSupport } from './dpop.js';
export { AuthError, isAuthError } from './errors.js';
export type { AuthErrorCode, PkceErrorCode } from './errors.js';
export type { ClientOptions } from './options.js';
export type { AuthState, AuthStateListener } from './auth-state.js';
export type { User } from './session.js';
export type { IdTokenClaims, Metadata } from './oauth.js';
