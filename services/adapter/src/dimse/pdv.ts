/**
 * A presentation data value (PS3.8 §9.3.5.1, Annex E.2): one fragment of a DIMSE message.
 * Message control header bit 0 = command (1) / dataset (0), bit 1 = last fragment.
 * Same shape as the pdu/ codec's PDV; the integrator unifies the two declarations.
 */
export type Pdv = { contextId: number; isCommand: boolean; isLast: boolean; data: Buffer };

/** Bytes a PDV adds inside a P-DATA-TF PDU: 4-byte item length + context id + control header. */
export const PDV_OVERHEAD = 6;

/** Value of the message control header for a PDV (0x00..0x03). */
export function pdvControlHeader(pdv: Pick<Pdv, 'isCommand' | 'isLast'>): number {
  return (pdv.isCommand ? 0x01 : 0) | (pdv.isLast ? 0x02 : 0);
}
