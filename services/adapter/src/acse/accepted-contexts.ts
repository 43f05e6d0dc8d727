/**
 * The presentation contexts an A-ASSOCIATE-AC accepted (PS3.8 §9.3.3.2, result 0), with the roles of the
 * requestor from the AC's SCP/SCU role selection items (PS3.7 D.3.3.4; no item: SCU only): what the
 * requestor may use, and what an audit proxy offers its own peer after the upstream answered.
 */
import type { NegotiatedContext } from '../association/types.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRq } from '../pdu/associate-rq.js';

export function acceptedContexts(rq: AssociateRq, ac: AssociateAc): NegotiatedContext[] {
  const roles = new Map(ac.userInformation.roleSelections.map((r) => [r.sopClassUid, r]));
  const out: NegotiatedContext[] = [];
  for (const pc of ac.presentationContexts) {
    const proposed = rq.presentationContexts.find((p) => p.id === pc.id);
    if (pc.result !== 0 || !proposed || !pc.transferSyntax) continue;
    const role = roles.get(proposed.abstractSyntax);
    out.push({
      id: pc.id,
      abstractSyntax: proposed.abstractSyntax,
      transferSyntax: pc.transferSyntax,
      requestorScu: role ? role.scuRole : true,
      requestorScp: role ? role.scpRole : false,
    });
  }
  return out;
}
