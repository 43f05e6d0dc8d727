/**
 * In proxy mode the upstream decides the association, so the negotiation events of the modality's association
 * record what the upstream answered: EVT_USER_ID (accepted or refused by the upstream; this node did not check
 * it, so `verified` stays false), EVT_SOP_EXTENDED with the upstream's responses, EVT_SOP_COMMON, and
 * EVT_ASYNC_OPS (the proxy answers no window: one operation at a time). Recorded before the accept or reject.
 */
import {
  asyncOpsParams,
  serverResponseDigest,
  sopCommonParams,
  sopExtendedParams,
} from '../acse/negotiation-events.js';
import type { Association } from '../association/association.js';
import { describeUserIdentity } from '../association/pdu-summary.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';

/** `answer` is the upstream's AC or RJ; undefined when the request never reached it. */
export function recordRelayedNegotiation(
  down: Association,
  rq: AssociateRq,
  answer: AssociateAc | AssociateRj | undefined,
): void {
  const ui = rq.userInformation;
  const accepted = answer?.type === 'A-ASSOCIATE-AC' ? answer : undefined;
  const identity = ui.userIdentity;
  if (identity) {
    const verification =
      answer === undefined ? 'not-checked' : accepted ? 'upstream-accepted' : 'upstream-refused';
    down.emit('EVT_USER_ID', () => ({
      user_identity: describeUserIdentity(identity),
      verified: false,
      verification,
      ...serverResponseDigest(accepted?.userInformation.userIdentityAc?.serverResponse),
    }));
  }
  down.emit('EVT_SOP_EXTENDED', () =>
    sopExtendedParams(ui, accepted?.userInformation.sopClassExtended ?? []),
  );
  down.emit('EVT_SOP_COMMON', () => sopCommonParams(ui));
  if (ui.asyncOps) {
    const requested = ui.asyncOps;
    down.emit('EVT_ASYNC_OPS', () => asyncOpsParams(requested, undefined));
  }
}
