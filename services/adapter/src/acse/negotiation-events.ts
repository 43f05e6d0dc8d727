/**
 * The params of the negotiation events an acceptor records for every A-ASSOCIATE-RQ (EVT_SOP_EXTENDED,
 * EVT_SOP_COMMON, EVT_ASYNC_OPS; spec §6), whoever decides the association: this node's ACSE, or, in proxy mode,
 * the upstream whose answer is relayed.
 */
import { createHash } from 'node:crypto';
import type { UserInformation } from '../pdu/items/user-information.js';

export function sopExtendedParams(
  requested: UserInformation,
  answered: readonly UserInformation['sopClassExtended'][number][],
) {
  const describe = (e: UserInformation['sopClassExtended'][number]) => ({
    sop_class_uid: e.sopClassUid,
    application_information: e.info.toString('hex'),
  });
  return { requested: requested.sopClassExtended.map(describe), response: answered.map(describe) };
}

export function sopCommonParams(requested: UserInformation) {
  return {
    requested: requested.sopClassCommonExtended.map((c) => ({
      sop_class_uid: c.sopClassUid,
      service_class_uid: c.serviceClassUid,
      related_general_sop_class_uids: c.relatedGeneralSopClassUids,
    })),
    accepted: [],
  };
}

/** EVT_ASYNC_OPS: the window asked for, and the one answered (absent when the AC carries no item). */
export function asyncOpsParams(
  requested: NonNullable<UserInformation['asyncOps']>,
  response: UserInformation['asyncOps'] | undefined,
) {
  return {
    requested: { invoked: requested.invoked, performed: requested.performed },
    ...(response ? { response: { invoked: response.invoked, performed: response.performed } } : {}),
  };
}

/** A server response is recorded by its length and sha256 only. */
export function serverResponseDigest(response: Buffer | undefined) {
  return response && response.length > 0
    ? { response: { length: response.length, sha256: createHash('sha256').update(response).digest('hex') } }
    : {};
}
