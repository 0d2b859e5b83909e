// examples/resolution.ts: every entry point's types resolve (checked under moduleResolution bundler and node).
import { createPkceClient, type AuthState, type DebugEvent } from 'pkce-spa';
import { AuthProvider, RequireAuth, useAuth as useReactAuth } from 'pkce-spa/react';
import { createAuth, createAuthGuard, useAuth as useVueAuth } from 'pkce-spa/vue';
import { createTestClient, type TestClient } from 'pkce-spa/testing';

export const entries = [
  createPkceClient,
  AuthProvider,
  RequireAuth,
  useReactAuth,
  createAuth,
  createAuthGuard,
  useVueAuth,
  createTestClient,
];
export type Types = [AuthState<{ sub: string; roles: string[] }>, DebugEvent, TestClient];
