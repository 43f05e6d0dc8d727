/**
 * Public API of the PDU codec (PS3.8 §9.3): pure functions from bytes to values and back.
 *
 * Deviation from the first brief, on purpose: UIDs are encoded as given, without a NUL pad to even
 * length. PS3.8 Annex F asks UL UIDs not to be padded, and DCMTK sends them unpadded
 * ("1.2.840.10008.3.1.1.1", 21 bytes), so padding would break byte-exact re-encoding of captured
 * vectors. Decoding still strips a trailing NUL or space from peers that pad.
 */
export { type Abort, decodeAbort, encodeAbort } from './abort.js';
export { type AssociateAc, decodeAssociateAc, encodeAssociateAc } from './associate-ac.js';
export { type AssociateRj, decodeAssociateRj, encodeAssociateRj } from './associate-rj.js';
export { type AssociateRq, decodeAssociateRq, encodeAssociateRq } from './associate-rq.js';
export { decodePdu } from './decode.js';
export { encodePdu } from './encode.js';
export type { AsyncOperationsWindow } from './items/async-operations-window.js';
export type { PresentationContextAc } from './items/presentation-context-ac.js';
export type { PresentationContextRq } from './items/presentation-context-rq.js';
export type { RoleSelection } from './items/role-selection.js';
export type { SopClassCommonExtendedNegotiation } from './items/sop-class-common-extended-negotiation.js';
export type { SopClassExtendedNegotiation } from './items/sop-class-extended-negotiation.js';
export type { UserIdentityAc } from './items/user-identity-ac.js';
export type { UserIdentityRq, UserIdentityType } from './items/user-identity-rq.js';
export { emptyUserInformation, type UserInformation } from './items/user-information.js';
export { decodePDataTf, encodePDataTf, type PDataTf, type Pdv } from './p-data-tf.js';
export type { Pdu, RawPdu } from './pdu.js';
export { AbortReason, PDU_ERROR_REASONS, PduError, type PduErrorCode } from './pdu-error.js';
export { PduFramer, type PduFramerOptions } from './pdu-framer.js';
export { ItemType, isPduType, PDU_HEADER_LENGTH, PduType } from './pdu-type.js';
export { decodeReleaseRp, encodeReleaseRp, type ReleaseRp } from './release-rp.js';
export { decodeReleaseRq, encodeReleaseRq, type ReleaseRq } from './release-rq.js';
