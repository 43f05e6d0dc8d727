/**
 * The seven PDUs of the DICOM upper layer (PS3.8 §9.3, Tables 9-11, 9-17, 9-21, 9-22, 9-24, 9-25, 9-26),
 * as one union discriminated on `type`.
 */
import type { Abort } from './abort.js';
import type { AssociateAc } from './associate-ac.js';
import type { AssociateRj } from './associate-rj.js';
import type { AssociateRq } from './associate-rq.js';
import type { PDataTf } from './p-data-tf.js';
import type { ReleaseRp } from './release-rp.js';
import type { ReleaseRq } from './release-rq.js';

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PDataTf | ReleaseRq | ReleaseRp | Abort;

export type { RawPdu } from './raw-pdu.js';
