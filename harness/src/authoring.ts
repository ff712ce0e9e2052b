/**
 * Everything a suite file imports: the case declarations, the context type, assertion
 * helpers, the driver types and fast-check. `import { relayCase, expectRefused } from
 * '../../harness/src/authoring.ts'`.
 */

export { propertyCase, relayCase, suiteContext } from './case.ts'
export { replayCommand } from './replay.ts'
export type { CaseContext, EventTemplate, PersonaTemplate, PropertyOptions } from './case.ts'
export { expectAccepted, expectEose, expectIds, expectRefused, violation } from './assert.ts'
export { RelayConnection, Subscription } from './driver.ts'
export { AuthEventKind, makeAuthEvent } from '../../lib/nip01/auth.ts'
export type { CountReply, Frame, OkReply, QueryReply, WaitOptions } from './driver.ts'
export { ControlError, HarnessError, isControlError, isHarnessError } from './errors.ts'
export { control, controlAccepted } from './controls.ts'
export type { HttpReply, HttpRequestOptions } from './http.ts'
export { HttpClient } from './http.ts'
export type { KeyPair } from './identity.ts'
export type { Capability, CaseDeclaration, Level, Profile, ProbeResult, TargetInfo } from './types.ts'
export { default as fc } from 'fast-check'
