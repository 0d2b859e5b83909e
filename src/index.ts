export { createPkceClient, PkceClient } from './client.js';
export type { LoginOptions, PopupLoginOptions, GetTokenOptions, LogoutOptions, StartResult } from './client.js';
export type { DebugEvent, DebugListener } from './debug.js';
export { AuthError, isAuthError } from './errors.js';
export type { AuthErrorCode, PkceErrorCode } from './errors.js';
export type { ClientOptions } from './options.js';
export type { AuthState, AuthStateListener } from './state.js';
export type { User } from './token-store.js';
export type { IdTokenClaims, Metadata } from './oauth.js';
