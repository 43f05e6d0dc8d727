/**
 * A decoded PDU as EVT_PDU_RECV / EVT_PDU_SENT params (schemas/src/params/pdu.ts): types, lengths, items and
 * names; never raw bytes, never a user-identity secret.
 */
import { createHash } from 'node:crypto';
import type { ParamsOf, UserIdentity } from '@dicomtrail/schemas';
import { describeAbort } from '../acse/abort-reason.js';
import { CONTEXT_RESULT_NAMES } from '../acse/presentation-negotiation.js';
import { describeReject } from '../acse/reject-reason.js';
import type { UserIdentityRq } from '../pdu/items/user-identity-rq.js';
import type { UserInformation } from '../pdu/items/user-information.js';
import type { Pdu } from '../pdu/pdu.js';

type PduSummary = ParamsOf<'EVT_PDU_RECV'>;
type AssociateItem = Extract<PduSummary['pdu'], { pdu_type: 'A-ASSOCIATE-RQ' }>['items'][number];
type UserInfoItem = Extract<AssociateItem, { item: 'user-information' }>['items'][number];

const TYPE_NAMES = { 1: 'username', 2: 'username-passcode', 3: 'kerberos', 4: 'saml', 5: 'jwt' } as const;

/** User identity without its secret (spec §9.12): username for types 1-2, length + sha256 for tokens. */
export function describeUserIdentity(u: UserIdentityRq): UserIdentity {
  const common = {
    positive_response_requested: u.positiveResponseRequested,
    secondary_field_present: u.secondaryField.length > 0,
    secondary_field_length: u.secondaryField.length,
  };
  if (u.type === 1 || u.type === 2) {
    return {
      type: u.type,
      type_name: TYPE_NAMES[u.type],
      primary_field: u.primaryField.toString('utf8'),
      ...common,
    };
  }
  return {
    type: u.type,
    type_name: TYPE_NAMES[u.type],
    primary_field_length: u.primaryField.length,
    token_sha256: createHash('sha256').update(u.primaryField).digest('hex'),
    ...common,
  };
}

function userInfoItems(ui: UserInformation): UserInfoItem[] {
  const items: UserInfoItem[] = [];
  if (ui.maxLength !== undefined) items.push({ item: 'maximum-length', maximum_length: ui.maxLength });
  if (ui.implementationClassUid !== undefined)
    items.push({ item: 'implementation-class-uid', uid: ui.implementationClassUid });
  if (ui.asyncOps)
    items.push({
      item: 'asynchronous-operations-window',
      window: { invoked: ui.asyncOps.invoked, performed: ui.asyncOps.performed },
    });
  for (const r of ui.roleSelections)
    items.push({
      item: 'scp-scu-role-selection',
      sop_class_uid: r.sopClassUid,
      scu_role: r.scuRole,
      scp_role: r.scpRole,
    });
  if (ui.implementationVersionName !== undefined)
    items.push({ item: 'implementation-version-name', name: ui.implementationVersionName });
  for (const e of ui.sopClassExtended)
    items.push({
      item: 'sop-class-extended-negotiation',
      negotiation: { sop_class_uid: e.sopClassUid, application_information: e.info.toString('hex') },
    });
  for (const c of ui.sopClassCommonExtended)
    items.push({
      item: 'sop-class-common-extended-negotiation',
      negotiation: {
        sop_class_uid: c.sopClassUid,
        service_class_uid: c.serviceClassUid,
        related_general_sop_class_uids: c.relatedGeneralSopClassUids,
      },
    });
  if (ui.userIdentity)
    items.push({ item: 'user-identity-rq', user_identity: describeUserIdentity(ui.userIdentity) });
  if (ui.userIdentityAc) {
    const r = ui.userIdentityAc.serverResponse;
    items.push({
      item: 'user-identity-ac',
      server_response_length: r.length,
      ...(r.length > 0 ? { server_response_sha256: createHash('sha256').update(r).digest('hex') } : {}),
    });
  }
  for (const u of ui.unknownItems)
    items.push({ item: 'unknown', item_type: u.itemType, length: u.data.length });
  return items;
}

export function summarizePdu(pdu: Pdu, length: number): PduSummary {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
    case 'A-ASSOCIATE-AC': {
      const items: AssociateItem[] = [{ item: 'application-context', name: pdu.applicationContextName }];
      if (pdu.type === 'A-ASSOCIATE-RQ') {
        for (const pc of pdu.presentationContexts)
          items.push({
            item: 'presentation-context-rq',
            context_id: pc.id,
            abstract_syntax: pc.abstractSyntax,
            transfer_syntaxes: pc.transferSyntaxes,
          });
      } else {
        for (const pc of pdu.presentationContexts)
          items.push({
            item: 'presentation-context-ac',
            context_id: pc.id,
            result: pc.result,
            result_name: CONTEXT_RESULT_NAMES[pc.result] ?? `reserved-${pc.result}`,
            ...(pc.transferSyntax !== undefined && pc.result === 0
              ? { transfer_syntax: pc.transferSyntax }
              : {}),
          });
      }
      items.push({ item: 'user-information', items: userInfoItems(pdu.userInformation) });
      return {
        pdu: {
          pdu_type: pdu.type,
          length,
          protocol_version: pdu.protocolVersion,
          called_ae_title: pdu.calledAeTitle,
          calling_ae_title: pdu.callingAeTitle,
          items,
        },
      };
    }
    case 'A-ASSOCIATE-RJ': {
      const d = describeReject(pdu);
      return {
        pdu: {
          pdu_type: pdu.type,
          length,
          result: d.result,
          result_name: d.result_name,
          source: d.source,
          reason: d.reason,
          source_name: d.source_name,
          reason_name: d.reason_name,
        },
      };
    }
    case 'P-DATA-TF':
      return {
        pdu: {
          pdu_type: pdu.type,
          length,
          pdvs: pdu.pdvs.map((p) => ({
            context_id: p.contextId,
            is_command: p.isCommand,
            is_last: p.isLast,
            length: p.data.length,
          })),
        },
      };
    case 'A-RELEASE-RQ':
    case 'A-RELEASE-RP':
      return { pdu: { pdu_type: pdu.type, length } };
    case 'A-ABORT':
      return { pdu: { pdu_type: pdu.type, length, ...describeAbort(pdu.source, pdu.reason) } };
  }
}
