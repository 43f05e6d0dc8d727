/**
 * How one of the proxy's two paired associations ended, in words, for the cause recorded with the abort it
 * brings about on the other (EVT_ABORTED `cause.detail`): released, rejected, closed, or aborted and by whom.
 */
import { describeAbort } from '../acse/abort-reason.js';
import type { AssociationOutcome } from '../association/association.js';

export function endOf(outcome: AssociationOutcome | undefined): string | undefined {
  if (!outcome) return undefined;
  if (outcome.kind !== 'aborted') return `the paired association was ${outcome.kind}`;
  const by =
    outcome.initiator === 'remote'
      ? `an A-ABORT from the peer (${describeAbort(outcome.source, outcome.reason).source_name})`
      : (outcome.error ?? 'the proxy');
  return `the paired association was aborted: ${by}`;
}
