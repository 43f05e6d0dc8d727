/**
 * Presentation context negotiation as acceptor (PS3.8 §9.3.3.2, PS3.7 D.3.3.4): for each proposed
 * context, accept the first transfer syntax in the requestor's order that we support (so instances keep
 * the encoding the sender prefers and are stored untouched) when the abstract syntax is supported;
 * otherwise result 3 (abstract syntax not supported) or 4 (transfer syntaxes not supported).
 * SCP/SCU role selection: the requestor's proposal is accepted as proposed for supported contexts.
 */

import type { NegotiatedContext } from '../association/types.js';
import type { PresentationContextAc } from '../pdu/items/presentation-context-ac.js';
import type { PresentationContextRq } from '../pdu/items/presentation-context-rq.js';

export const ContextResult = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;

export const CONTEXT_RESULT_NAMES: Record<number, string> = {
  0: 'acceptance',
  1: 'user-rejection',
  2: 'no-reason',
  3: 'abstract-syntax-not-supported',
  4: 'transfer-syntaxes-not-supported',
};

export interface SupportedSyntaxes {
  /** Abstract syntaxes we accept; `'*'` accepts any (audit proxy, catch-all SCP). */
  abstractSyntaxes: ReadonlySet<string> | '*';
  transferSyntaxes: readonly string[];
}

export interface ContextNegotiation {
  results: PresentationContextAc[];
  accepted: NegotiatedContext[];
  roleSelections: { sopClassUid: string; scuRole: boolean; scpRole: boolean }[];
}

export function negotiateContexts(
  proposed: readonly PresentationContextRq[],
  supported: SupportedSyntaxes,
  proposedRoles: readonly { sopClassUid: string; scuRole: boolean; scpRole: boolean }[],
): ContextNegotiation {
  const results: PresentationContextAc[] = [];
  const accepted: NegotiatedContext[] = [];
  const roles = new Map(proposedRoles.map((r) => [r.sopClassUid, r]));
  const answeredRoles = new Map<string, { sopClassUid: string; scuRole: boolean; scpRole: boolean }>();
  for (const pc of proposed) {
    const abstractOk =
      supported.abstractSyntaxes === '*' || supported.abstractSyntaxes.has(pc.abstractSyntax);
    if (!abstractOk) {
      results.push({ id: pc.id, result: ContextResult.abstractSyntaxNotSupported });
      continue;
    }
    const ts = pc.transferSyntaxes.find((t) => supported.transferSyntaxes.includes(t));
    if (ts === undefined) {
      results.push({ id: pc.id, result: ContextResult.transferSyntaxesNotSupported });
      continue;
    }
    results.push({ id: pc.id, result: ContextResult.acceptance, transferSyntax: ts });
    const role = roles.get(pc.abstractSyntax);
    if (role) answeredRoles.set(role.sopClassUid, role);
    accepted.push({
      id: pc.id,
      abstractSyntax: pc.abstractSyntax,
      transferSyntax: ts,
      requestorScu: role ? role.scuRole : true,
      requestorScp: role ? role.scpRole : false,
    });
  }
  return { results, accepted, roleSelections: [...answeredRoles.values()] };
}
