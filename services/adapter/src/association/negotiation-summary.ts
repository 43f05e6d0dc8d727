/** The association's negotiation as carried on lifecycle events (ARCHITECTURE.md, `association.negotiation`). */
import { CONTEXT_RESULT_NAMES } from '../acse/presentation-negotiation.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import { describeUserIdentity } from './pdu-summary.js';

export function describeNegotiation(rq: AssociateRq, ac: AssociateAc | undefined): Record<string, unknown> {
  const ui = rq.userInformation;
  const n: Record<string, unknown> = {
    application_context_name: rq.applicationContextName,
    proposed_contexts: rq.presentationContexts.map((pc) => ({
      id: pc.id,
      abstract_syntax: pc.abstractSyntax,
      transfer_syntaxes: pc.transferSyntaxes,
    })),
    max_pdu: { requestor: ui.maxLength ?? 0, ...(ac ? { acceptor: ac.userInformation.maxLength ?? 0 } : {}) },
    implementation: {
      requestor: {
        class_uid: ui.implementationClassUid ?? '',
        ...(ui.implementationVersionName ? { version_name: ui.implementationVersionName } : {}),
      },
      ...(ac
        ? {
            acceptor: {
              class_uid: ac.userInformation.implementationClassUid ?? '',
              ...(ac.userInformation.implementationVersionName
                ? { version_name: ac.userInformation.implementationVersionName }
                : {}),
            },
          }
        : {}),
    },
  };
  if (ac) {
    const byId = new Map(rq.presentationContexts.map((pc) => [pc.id, pc]));
    const rows = ac.presentationContexts.map((pc) => ({
      id: pc.id,
      abstract_syntax: byId.get(pc.id)?.abstractSyntax ?? '',
      ...(pc.result === 0 && pc.transferSyntax ? { transfer_syntax: pc.transferSyntax } : {}),
      result: pc.result,
      result_name: CONTEXT_RESULT_NAMES[pc.result] ?? `reserved-${pc.result}`,
    }));
    n['accepted_contexts'] = rows.filter((r) => r.result === 0);
    n['rejected_contexts'] = rows.filter((r) => r.result !== 0);
  }
  if (ui.roleSelections.length > 0)
    n['role_selection'] = ui.roleSelections.map((r) => ({
      sop_class_uid: r.sopClassUid,
      scu_role: r.scuRole,
      scp_role: r.scpRole,
    }));
  if (ui.asyncOps) n['async_ops'] = { invoked: ui.asyncOps.invoked, performed: ui.asyncOps.performed };
  if (ui.userIdentity) n['user_identity'] = describeUserIdentity(ui.userIdentity);
  return n;
}
